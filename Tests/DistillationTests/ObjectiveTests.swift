import Diffusion
import Foundation
import Tensors
import Testing

@testable import Distillation

/// On one Gaussian N(μ, s²I) the exact consistency function is known in closed form
/// (the single-Gaussian flow of docs/science.md taken to σ_min): `f*(x, σ) = μ + √((s² + σ_min²)/(s² + σ²))·(x − μ)`.
struct GaussianOracle {
    let mean: [Double], s: Double, sigmaMin: Double
    let teacher: GaussianMixture

    init(mean: [Double], s: Double, sigmaMin: Double) throws {
        self.mean = mean
        self.s = s
        self.sigmaMin = sigmaMin
        teacher = try .gaussian(mean: mean, std: s)
    }

    /// The oracle the suites share: N((0.3, −0.2), 0.5²I), σ_min = 0.002.
    static func standard() throws -> GaussianOracle { try GaussianOracle(mean: [0.3, -0.2], s: 0.5, sigmaMin: 0.002) }

    func f(_ x: Batch, _ sigma: [Double]) -> [Double] {
        var out = x.values
        for i in 0..<x.count {
            let r = ((s * s + sigmaMin * sigmaMin) / (s * s + sigma[i] * sigma[i])).squareRoot()
            for j in 0..<x.dims { out[i * x.dims + j] = mean[j] + r * (x.values[i * x.dims + j] - mean[j]) }
        }
        return out
    }
}

@Suite struct ObjectiveTests {
    let oracle: GaussianOracle
    init() throws { oracle = try .standard() }

    func noisyBatch(_ grid: SigmaGrid, count: Int) -> (x: Batch, n: [Int]) {
        let rng = RNG(seed: 3)
        let n = (0..<count).map { rng.stream(1).integer(at: UInt64($0), below: grid.count - 1) }
        var x = oracle.teacher.sample(count: count, rng: rng.stream(0))
        let z = rng.stream(2).normalBatch(count: count, dims: 2)
        for i in 0..<count { for j in 0..<2 { x.values[2 * i + j] += grid.sigmas[n[i]] * z.values[2 * i + j] } }
        return (x, n)
    }

    /// The CM loss of the exact f* is the solver's one-step error carried to σ_min:
    /// f*(x̂_{n+1}) − f*(x_{n+1}) = r_{n+1}·(x̂_{n+1} − x_{n+1}), with x_{n+1} the exact flow.
    /// Computed both ways (objective code vs closed-form flow), the two differ only by the
    /// Float32 rounding δ of the target (at most 2⁻²⁴ relative per element): loss − expected
    /// = (1/B)·Σ (2e·δ + δ²) over the elements, e the one-step error. Those terms have random
    /// signs; their sum's standard deviation here is ≈2e-12 (Euler) and ≈3e-13 (Heun). The
    /// assertion allows 1e-6 relative plus 1e-12 absolute: measured (seed 3, B = 2000),
    /// |loss − expected| = 1.6e-12 of 7.8e-12 allowed (Euler, 2e-7 relative) and 1.9e-13 of
    /// 1.1e-12 allowed (Heun, 1.4e-6 relative: there the absolute term is the bound).
    @Test func cmLossOfExactFunctionIsTheOneStepError() throws {
        let grid = try SigmaGrid.karras(n: 40)
        for method in [StepMethod.euler, .heun] {
            let solver = GridSolver(method, grid: grid)
            let (x, n) = noisyBatch(grid, count: 2000)
            let sigma = n.map { grid.sigmas[$0] }
            let target = consistencyTarget(teacher: oracle.teacher, solver: solver, x: x, n: n) { xb, s in
                oracle.f(xb, s).map(Float.init)
            }
            let online = oracle.f(x, sigma)
            var loss = 0.0
            for i in 0..<x.values.count { let e = online[i] - Double(target[i]); loss += e * e }
            loss /= Double(x.count)
            // Independent route: the exact flow and the solver's local error.
            var expected = 0.0
            let xHat = solver.step(oracle.teacher, x, at: n)
            for i in 0..<x.count {
                let a = grid.sigmas[n[i]], b = grid.sigmas[n[i] + 1]
                let exact = oracle.teacher.singleGaussianFlow(x.rows(i..<(i + 1)), from: a, to: b)
                let r = ((0.25 + 0.002 * 0.002) / (0.25 + b * b)).squareRoot()
                for j in 0..<2 { let e = r * (xHat.values[2 * i + j] - exact.values[j]); expected += e * e }
            }
            expected /= Double(x.count)
            // 1e-6 relative, 1e-12 absolute (see above).
            #expect(abs(loss - expected) <= 1e-6 * expected + 1e-12, "\(method): \(loss) vs \(expected)")
            // Heun's local error is O(h³): the loss of f* is far below that of a wrong function.
            let identityLoss =
                zip(x.values, target).reduce(0.0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) }
                / Double(x.count)
            #expect(loss < 1e-3 * identityLoss)
        }
    }

    /// Direct CM's target is the teacher's solve to σ_min; on the Gaussian it equals
    /// f* up to the solver's global error. With RK4 at N = 40 that error is ≈5e-5 from
    /// σ_max (SolverTests' convergence runs), so the bound is 2e-4; Heun's would be ≈1.4e-2.
    @Test func directTargetIsTheODESolution() throws {
        let grid = try SigmaGrid.karras(n: 40)
        let (x, n) = noisyBatch(grid, count: 500)
        let target = directTarget(teacher: oracle.teacher, solver: GridSolver(.rk4, grid: grid), x: x, n: n)
        let exact = oracle.f(x, n.map { grid.sigmas[$0] })
        let err = zip(target, exact).map { abs(Double($0) - $1) }.max()!
        #expect(err < 2e-4, "max error \(err)")
    }

    @Test func parameterizationBoundary() {
        let p = ConsistencyParameterization(sigmaMin: 0.002, sigmaData: 0.5)
        #expect(p.cSkip(0.002) == 1 && p.cOut(0.002) == 0)
        #expect(abs(p.cSkip(80) - 0.25 / (79.998 * 79.998 + 0.25)) < 1e-15)
        #expect(abs(p.cIn(1) - 1 / 1.25.squareRoot()) < 1e-15)
    }

    /// Distances and their gradients against central differences (Double arithmetic on
    /// Float32 inputs; step 1e-3, tolerance 1e-3 relative).
    @Test(arguments: [Distance.l2, .l1, .pseudoHuber(c: 0.03)])
    func distanceGradients(d: Distance) {
        let a: [Float] = [0.3, -0.7, 1.2, 0.05], b: [Float] = [0.1, -0.2, 1.0, -0.3]
        var g = [Float](repeating: 0, count: 4)
        let v = d.meanAndGradient(a, b, rows: 2, dims: 2, gradient: &g)
        var dummy = g
        for k in 0..<4 {
            var ap = a, am = a
            ap[k] += 1e-3; am[k] -= 1e-3
            let fd =
                (d.meanAndGradient(ap, b, rows: 2, dims: 2, gradient: &dummy)
                    - d.meanAndGradient(am, b, rows: 2, dims: 2, gradient: &dummy)) / Double(ap[k] - am[k])
            #expect(abs(fd - Double(g[k])) < 1e-3 * max(1, abs(fd)), "\(d) component \(k): \(fd) vs \(g[k])")
        }
        #expect(v > 0)
    }

    /// Distance names: each kind and its aliases in any case, the same message for any
    /// other name (the language and the CLI pass theirs through it), and a saved
    /// configuration reads back, whatever spelling it was saved with.
    @Test func distanceNames() throws {
        for (name, kind) in [
            ("l2", DistanceKind.l2), ("MSE", .l2), ("squared-l2", .l2), ("l1", .l1), ("L1", .l1),
            ("huber", .huber), ("Pseudo-Huber", .huber), ("pseudohuber", .huber),
        ] {
            #expect(try DistanceKind(named: name) == kind, "\(name)")
        }
        #expect { _ = try DistanceKind(named: "l3") } throws: {
            "\($0)" == "unknown distance 'l3'; expected l2, l1 or huber"
        }
        #expect { _ = try Distance(named: "l3", dims: 2) } throws: {
            "\($0)" == "unknown distance 'l3'; expected l2, l1 or huber"
        }
        #expect(try Distance(.huber, dims: 4) == .pseudoHuber(c: 0.00054 * 2))
        #expect(try Distance(.huber, c: 0.5, dims: 4) == .pseudoHuber(c: 0.5) && (try Distance(.l1, dims: 4)) == .l1)
        var c = DistillationConfig()
        c.distance = .huber
        let json = try JSONEncoder().encode(c)
        #expect(String(decoding: json, as: UTF8.self).contains("\"distance\":\"huber\""))
        #expect(try JSONDecoder().decode(DistillationConfig.self, from: json) == c)
        let mse = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"huber\"", with: "\"mse\"")
        #expect(try JSONDecoder().decode(DistillationConfig.self, from: Data(mse.utf8)).distance == .l2)
    }
}
