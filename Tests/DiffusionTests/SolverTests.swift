import Datasets
import Foundation
import Tensors
import Testing

@testable import Diffusion

/// Solvers against the closed-form flow of one Gaussian N(μ, s²I) (docs/science.md):
/// `x(σ_b) = μ + √((s² + σ_b²)/(s² + σ_a²))·(x(σ_a) − μ)`.
@Suite struct SolverTests {
    let gaussian: GaussianMixture
    init() throws { gaussian = try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5) }
    var start: Batch { RNG(seed: 1).normalBatch(count: 16, dims: 2).map { $0 * 80 } }

    func error(_ method: StepMethod, n: Int) throws -> Double {
        let g = try SigmaGrid.karras(n: n)
        let x = GridSolver(method, grid: g).solve(gaussian, start, callback: nil)!
        let exact = gaussian.singleGaussianFlow(start, from: 80, to: 0.002)
        return zip(x.values, exact.values).map { abs($0 - $1) }.max()!
    }

    /// Refining the Karras grid shrinks the error at the method's order: the least-squares
    /// slope of log(error) against log(N − 1) over N = 41 … 321 is −p within ±0.2
    /// (the pre-asymptotic drift of a ρ = 7 grid over these N is below that).
    @Test(arguments: StepMethod.allCases)
    func convergesAtItsOrder(method: StepMethod) throws {
        let ns = [41, 81, 161, 321]
        let errs = try ns.map { try error(method, n: $0) }
        let xs = ns.map { log(Double($0 - 1)) }, ys = errs.map { log($0) }
        let mx = xs.reduce(0, +) / 4, my = ys.reduce(0, +) / 4
        let slope =
            zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        #expect(abs(slope + Double(method.order)) < 0.2, "\(method): slope \(slope), errors \(errs)")
    }

    /// RK45 meets its tolerance: the global error at σ_min stays within 50× the requested
    /// local tolerance (rtol = atol), for tolerances 1e-4 … 1e-8.
    @Test(arguments: [1e-4, 1e-6, 1e-8])
    func rk45MeetsItsTolerance(tol: Double) throws {
        let solver = try RK45Solver(rtol: tol, atol: tol)
        var steps = 0
        let x = solver.solve(gaussian, start) { _ in
            steps += 1; return true
        }!
        let exact = gaussian.singleGaussianFlow(start, from: 80, to: 0.002)
        let err = zip(x.values, exact.values).map { abs($0 - $1) }.max()!
        #expect(err < 50 * tol, "error \(err) at tol \(tol) after \(steps) steps")
        #expect(steps > 3)
    }

    /// Solving rows from their own start index in one batched pass equals solving each
    /// row alone from its σ_n (Direct CM's target).
    @Test(arguments: StepMethod.allCases)
    func staggeredStartsEqualSeparateSolves(method: StepMethod) throws {
        let g = try SigmaGrid.karras(n: 12)
        let solver = GridSolver(method, grid: g)
        let mix = GaussianMixture.ring8()
        let x = RNG(seed: 2).normalBatch(count: 6, dims: 2)
        let starts = [0, 3, 3, 7, 10, 11]
        let together = solver.solve(mix, x, start: starts)!
        for (i, s) in starts.enumerated() {
            let sub = try SigmaGrid(
                sigmas: Array(g.sigmas[s...]).count >= 2 ? Array(g.sigmas[s...]) : [g.sigmas[s], g.sigmas[s] / 2])
            let alone =
                s == 11
                ? x.rows(i..<(i + 1)) : GridSolver(method, grid: sub).solve(mix, x.rows(i..<(i + 1)), callback: nil)!
            for j in 0..<2 { #expect(abs(together.values[i * 2 + j] - alone.values[j]) < 1e-12) }
        }
    }

    /// The per-row one-step API agrees with a shared-σ step.
    @Test func perRowStepMatchesSharedStep() throws {
        let g = try SigmaGrid.karras(n: 10)
        let x = RNG(seed: 4).normalBatch(count: 3, dims: 2)
        for method in StepMethod.allCases {
            let s = GridSolver(method, grid: g)
            let one = s.step(GaussianMixture.ring8(), x, at: [4, 4, 4])
            let sub = try SigmaGrid(sigmas: [g.sigmas[4], g.sigmas[5]])
            let ref = GridSolver(method, grid: sub).solve(GaussianMixture.ring8(), x, callback: nil)!
            #expect(zip(one.values, ref.values).allSatisfy { abs($0 - $1) < 1e-13 })
        }
    }

    @Test func trajectoryRecordsEveryStep() throws {
        let g = try SigmaGrid.karras(n: 8)
        let t = solveTrajectory(GaussianMixture.ring8(), GridSolver(.heun, grid: g), start)!
        #expect(t.sigmas == g.sigmas && t.states.count == 8 && t.denoised.count == 7)
        #expect(t.final == GridSolver(.heun, grid: g).solve(GaussianMixture.ring8(), start, callback: nil)!)
        var calls = 0
        #expect(
            solveTrajectory(
                GaussianMixture.ring8(), GridSolver(.heun, grid: g), start,
                shouldStop: {
                    calls += 1; return calls == 3
                }) == nil)
    }
}
