import Datasets
import Diffusion
import Foundation
import Nets
import Tensors
import Testing

@testable import Distillation

@Suite(.serialized) struct TrainerTests {
    let oracle: GaussianOracle
    init() throws { oracle = try .standard() }

    func smallConfig(_ objective: Objective, iters: Int) -> DistillationConfig {
        var c = DistillationConfig()
        c.objective = objective
        c.iterations = iters
        c.batchSize = 256
        c.width = 64
        c.depth = 3
        c.seed = 1
        return c
    }

    /// Mean squared error per element of f_θ against f* over noisy points x_σ ~ p_σ at
    /// every grid level.
    func errorToOracle(_ s: ConsistencyStudent) -> Double {
        let g = s.grid
        var total = 0.0
        for n in 0..<g.count {
            let rng = RNG(seed: 77).stream(UInt64(n))
            var x = oracle.teacher.sample(count: 200, rng: rng)
            let z = rng.stream(9).normalBatch(count: 200, dims: 2)
            x = Batch.axpy(x, g.sigmas[n], z)
            let f = s.denoise(x, sigma: g.sigmas[n])
            let exact = oracle.f(x, [Double](repeating: g.sigmas[n], count: 200))
            let en = zip(f.values, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 400
            total += en
        }
        return total / Double(g.count)
    }

    /// Both objectives, trained on one Gaussian with the exact teacher (Heun, N = 18),
    /// learn the closed-form consistency function. The data variance per element is
    /// s² = 0.25 and an untrained student is off by ≈0.15. After 1,500 iterations the
    /// measured errors are ≈4.5e-4 (Direct CM) and ≈4.5e-3 (CM: its bootstrapped target
    /// carries the boundary condition up the grid one step at a time, so the error at
    /// σ ≳ 1 shrinks slowest). Bounds: 2e-3 and 1e-2, and a 20-fold drop from untrained.
    @Test(arguments: Objective.allCases)
    func learnsTheExactConsistencyFunction(objective: Objective) throws {
        let iters = 1500
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 18))
        let teacher = oracle.teacher
        let untrained = try distill(
            teacher: teacher, solver: solver, data: { teacher.sample(count: $0, rng: $1) },
            config: smallConfig(objective, iters: 1))
        let s = try distill(
            teacher: teacher, solver: solver, data: { teacher.sample(count: $0, rng: $1) },
            config: smallConfig(objective, iters: iters))
        let e0 = errorToOracle(untrained), e = errorToOracle(s)
        #expect(s.outcome == .completed && s.iterations == 1500)
        #expect(e < (objective == .direct ? 2e-3 : 1e-2), "error \(e)")
        #expect(e < e0 / 20)
        // The boundary condition holds exactly whatever the weights.
        let x = RNG(seed: 2).normalBatch(count: 10, dims: 2)
        let f = s.denoise(x, sigma: 0.002)
        #expect(zip(f.values, x.values).allSatisfy { abs($0 - Double(Float($1))) < 1e-6 })
    }

    @Test func sameSeedSameWeights() throws {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        var c = smallConfig(.cm, iters: 20); c.emaRate = 0.95
        let a = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
        let b = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
        #expect(a.network.store.parameters == b.network.store.parameters)
        #expect(a.lossCurve == b.lossCurve)
        c.seed = 2
        let d = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
        #expect(a.lossCurve != d.lossCurve)
    }

    @Test func cancellationKeepsWeights() throws {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        let token = CancellationToken()
        var c = smallConfig(.direct, iters: 1000)
        c.width = 16
        let s = try distill(
            teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c, cancel: token,
            progress: { p in if p.iteration >= 30 { token.cancel() } })
        #expect(s.outcome == .cancelled(iteration: 50)) // progress reports every 50 iterations
        #expect(s.iterations == 50)
    }

    /// A teacher that turns to NaN after some calls: training stops naming the iteration
    /// and keeps the weights of the last finite loss.
    @Test func divergenceGuard() throws {
        final class Poisoned: Denoiser {
            let inner = GaussianMixture.ring8(); var calls = 0
            var dims: Int { 2 }; var name: String { "poisoned" }
            func denoise(_ x: Batch, sigma: [Double]) -> Batch {
                calls += 1
                return calls > 10 ? x.map { _ in .nan } : inner.denoise(x, sigma: sigma)
            }
        }
        let teacher = Poisoned()
        let solver = GridSolver(.euler, grid: try SigmaGrid.karras(n: 10))
        var c = smallConfig(.cm, iters: 100); c.width = 16
        let s = try distill(
            teacher: teacher, solver: solver, data: { GaussianMixture.ring8().sample(count: $0, rng: $1) }, config: c)
        #expect(s.outcome == .diverged(iteration: 11, reason: "loss is nan"))
        #expect(s.iterations == 10)
        #expect(s.network.store.parameters.allSatisfy { $0.isFinite })
        // The kept weights are those after 9 updates: retraining 9 iterations cleanly reproduces them.
        let clean = try distill(
            teacher: GaussianMixture.ring8(), solver: solver,
            data: { GaussianMixture.ring8().sample(count: $0, rng: $1) },
            config: {
                var d = c; d.iterations = 9; return d
            }())
        #expect(clean.network.store.parameters == s.network.store.parameters)
    }

    @Test func rejectsBadConfigurations() {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(.heun, grid: try! SigmaGrid.karras(n: 10))
        for (change, words) in [
            ({ (c: inout DistillationConfig) in c.iterations = -5 }, "iters = -5"),
            ({ $0.batchSize = 0 }, "batch = 0"), ({ $0.learningRate = .nan }, "lr = nan"),
            ({ $0.emaRate = 1 }, "ema = 1.0"),
            (
                {
                    $0.distance = .huber; $0.huberC = -1
                }, "pseudo-Huber c = -1.0"
            ),
        ] {
            var c = smallConfig(.cm, iters: 10)
            change(&c)
            #expect {
                _ = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
            } throws: { "\($0)".contains(words) }
        }
    }

    @Test func checkpointRoundTrip() throws {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        var c = smallConfig(.direct, iters: 5); c.width = 8
        let s = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("student-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try s.save(to: path)
        let t = try ConsistencyStudent.load(from: path)
        #expect(t.config == s.config && t.lossCurve == s.lossCurve && t.grid.sigmas == s.grid.sigmas)
        let z = RNG(seed: 1).normalBatch(count: 7, dims: 2).map { $0 * 80 }
        #expect(try t.sample(z, steps: 2) == s.sample(z, steps: 2))
        #expect(throws: DistillationError.self) { try s.sample(z, steps: 0) }
        #expect(throws: DistillationError.self) { try s.sample(z, steps: 11) }
    }

    /// The training outcome a student file saves is the one it loads back: completed,
    /// cancelled and diverged (with iteration and reason); a file that stored only the
    /// outcome's sentence (before the structured field) reads back the same; an outcome
    /// the loader cannot read is an error naming it.
    @Test func checkpointKeepsTheTrainingOutcome() throws {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(.euler, grid: try SigmaGrid.karras(n: 6))
        var c = smallConfig(.cm, iters: 2); c.width = 8; c.depth = 1
        let s = try distill(teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, config: c)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("student-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outcomes: [TrainingOutcome] = [
            .completed, .cancelled(iteration: 50),
            .diverged(iteration: 11, reason: "gradient norm is inf; again: x"),
        ]
        for outcome in outcomes {
            s.outcome = outcome
            try s.save(to: path)
            #expect(try ConsistencyStudent.load(from: path).outcome == outcome)
            // An older file: the same record without the "ending" field.
            #expect(TrainingOutcome(message: outcome.message) == outcome)
            let legacy =
                #"{"config":\#(String(decoding: try JSONEncoder().encode(c), as: UTF8.self)),"format":"cmlab.student/1","#
                + #""lossCurve":[1,2],"outcome":\#(String(decoding: try JSONEncoder().encode(outcome.message), as: UTF8.self)),"#
                + #""sigmas":\#(s.grid.sigmas),"teacher":"t"}"#
            try s.network.save(to: path, metadata: ["student": legacy])
            #expect(try ConsistencyStudent.load(from: path).outcome == outcome)
        }
        for bad in [
            "done", "interrupted after many iterations (weights kept)",
            "training diverged at iteration 0: x; kept the weights of iteration -1",
        ] {
            #expect(TrainingOutcome(message: bad) == nil)
        }
        let unreadable =
            #"{"config":\#(String(decoding: try JSONEncoder().encode(c), as: UTF8.self)),"format":"cmlab.student/1","lossCurve":[],"#
            + #""outcome":"completed","ending":{"kind":"cancelled"},"sigmas":\#(s.grid.sigmas),"teacher":"t"}"#
        try s.network.save(to: path, metadata: ["student": unreadable])
        #expect { _ = try ConsistencyStudent.load(from: path) } throws: { "\($0)".contains("bad training outcome") }
    }

    @Test func samplingIndicesFollowLinspace() throws {
        let s = ConsistencyStudent(
            network: MLP(inputDims: 2, width: 4, depth: 1), grid: try .karras(n: 40), config: DistillationConfig())
        #expect(s.samplingIndices(steps: 1) == [0])
        #expect(s.samplingIndices(steps: 2) == [0, 20])
        #expect(s.samplingIndices(steps: 4) == [0, 10, 20, 30])
        #expect(s.samplingIndices(steps: 3) == [0, 13, 27])
    }
}
