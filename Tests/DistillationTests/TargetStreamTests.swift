import Datasets
import Diffusion
import Foundation
import Nets
import Tensors
import Testing

@testable import Distillation

/// The shared target stream: students trained together from one stream are bit for bit
/// the students trained alone, and the teacher's cost falls by the predicted count.
@Suite(.serialized) struct TargetStreamTests {
    static let tiny = UNet.Configuration(
        channels: 1, height: 4, width: 4, baseWidth: 8, embedDims: 16, fourierFeatures: 4)

    func config(
        _ objective: Objective, ema: Double = 0, distance: DistanceKind = .l2, iters: Int = 12, batch: Int = 16
    ) -> DistillationConfig {
        var c = DistillationConfig()
        c.objective = objective; c.emaRate = ema; c.distance = distance
        c.iterations = iters; c.batchSize = batch
        c.width = 32; c.depth = 2; c.seed = 3
        return c
    }

    /// A small U-Net image teacher whose network is not trivial (a few training steps
    /// move the zero-initialised output layer), on random 4 × 4 images.
    func imageTeacher() throws -> (LearnedDenoiser, DataSampler) {
        let data: DataSampler = { n, rng in
            var b = rng.normalBatch(count: n, dims: 16)
            for k in b.values.indices { b.values[k] = tanh(b.values[k]) }
            return b
        }
        var c = ImageDenoiserTrainingConfig()
        c.iterations = 8; c.batchSize = 8; c.warmup = 1; c.learningRate = 5e-3; c.emaDecay = 0
        return (try trainImageDenoiser(data: data, architecture: Self.tiny, dataName: "noise", config: c), data)
    }

    /// For a one-step method the staggered solve from x_n is the solve from the teacher's
    /// step x̂_{n+1}, bit for bit (the stream serves both from one solve).
    @Test(arguments: [StepMethod.euler, .heun, .rk4])
    func solveFromNIsTheSolveFromTheStep(method: StepMethod) throws {
        let solver = GridSolver(method, grid: try SigmaGrid.karras(n: 9))
        let mix = GaussianMixture.ring8()
        let (image, _) = try imageTeacher()
        for teacher in [mix as Denoiser, image as Denoiser] {
            let rng = RNG(seed: 5)
            let x = rng.stream(0).normalBatch(count: 40, dims: teacher.dims)
            let n = (0..<40).map { rng.stream(1).integer(at: UInt64($0), below: 8) }
            let direct = solver.solve(teacher, x, start: n)
            let viaStep = solver.solve(teacher, solver.step(teacher, x, at: n), start: n.map { $0 + 1 })
            #expect(direct == viaStep, "\(method) on \(teacher.name)")
        }
    }

    /// CM at two rates, a pseudo-Huber CM and Direct CM trained together (chunks of 5
    /// iterations, so chunks straddle the end) equal each trained alone (chunk 1), weight
    /// for weight and loss for loss, on the exact teacher and on a U-Net teacher.
    @Test func studentsTrainedTogetherAreTheStudentsTrainedAlone() throws {
        let mix = GaussianMixture.ring8()
        let heun = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        let configs = [config(.cm), config(.cm, ema: 0.95), config(.cm, distance: .huber), config(.direct, iters: 9)]
        let mixData: DataSampler = { mix.sample(count: $0, rng: $1) }
        let together = try distillTogether(teacher: mix, solver: heun, data: mixData, configs: configs, chunk: 5)
            .students
        for (c, s) in zip(configs, together) {
            let alone = try distillTogether(teacher: mix, solver: heun, data: mixData, configs: [c], chunk: 1).students[
                0]
            #expect(
                s.network.store.parameters == alone.network.store.parameters,
                "\(c.objective) μ=\(c.emaRate) \(c.distance)")
            #expect(s.lossCurve == alone.lossCurve && s.iterations == c.iterations)
        }

        let (image, imageData) = try imageTeacher()
        let imageConfigs = [config(.cm, iters: 6, batch: 6), config(.direct, iters: 6, batch: 6)]
        let both = try distillTogether(
            teacher: image, solver: heun, data: imageData, configs: imageConfigs,
            initialNetwork: image.network, chunk: 4
        ).students
        for (c, s) in zip(imageConfigs, both) {
            let alone = try distill(
                teacher: image, solver: heun, data: imageData, config: c, initialNetwork: image.network)
            #expect(s.network.store.parameters == alone.network.store.parameters, "U-Net \(c.objective)")
            #expect(s.lossCurve == alone.lossCurve)
            #expect(s.network.store.parameters != image.network.store.parameters) // the students moved
        }
    }

    /// The stream's CM target is the reference ``consistencyTarget`` and its Direct CM
    /// target the reference staggered ``directTarget`` of the same draw, exactly (for
    /// DPM-Solver++(2M), whose solve carries history, the two are computed apart).
    @Test(arguments: StepMethod.allCases) func servesTheReferenceTargets(method: StepMethod) throws {
        let mix = GaussianMixture.ring8()
        let solver = GridSolver(method, grid: try SigmaGrid.karras(n: 12))
        let stream = TargetStream(
            teacher: mix, solver: solver, data: { mix.sample(count: $0, rng: $1) }, seed: 9,
            batchSize: 10, iterations: 7, objectives: [.cm, .direct], chunk: 3)
        for t in 0..<7 {
            let b = stream.batch(t)
            #expect(b.sigma == b.n.map { solver.grid.sigmas[$0] })
            #expect(b.teacherStep == solver.step(mix, b.x, at: b.n))
            #expect(b.teacherSolve == directTarget(teacher: mix, solver: solver, x: b.x, n: b.n))
        }
    }

    /// Teacher cost with Heun on N levels: a CM target costs 2 rows per row; a Direct CM
    /// target 2·(N − 1 − n) (its first step is the CM target's step). Students sharing
    /// the stream cost the Direct CM count alone, against the sum when trained apart.
    @Test func teacherEvaluationsFallByThePredictedCount() throws {
        let mix = GaussianMixture.ring8()
        let N = 10
        let heun = GridSolver(.heun, grid: try SigmaGrid.karras(n: N))
        let data: DataSampler = { mix.sample(count: $0, rng: $1) }
        let cm = config(.cm), dcm = config(.direct)
        // The draws' grid indices, from a stream that evaluates nothing.
        let draws = TargetStream(
            teacher: mix, solver: heun, data: data, seed: cm.seed, batchSize: cm.batchSize,
            iterations: cm.iterations, objectives: [], chunk: 4)
        let indices = (0..<cm.iterations).flatMap { draws.batch($0).n }
        #expect(draws.teacherEvaluations == 0)
        let cmCost = 2 * indices.count, dcmCost = indices.reduce(0) { $0 + 2 * (N - 1 - $1) }
        func cost(_ cs: [DistillationConfig]) throws -> Int {
            try distillTogether(teacher: mix, solver: heun, data: data, configs: cs, chunk: 4).teacherEvaluations
        }
        #expect(try cost([cm]) == cmCost)
        #expect(try cost([dcm]) == dcmCost)
        var cm95 = cm; cm95.emaRate = 0.95
        #expect(try cost([cm, cm95, dcm]) == dcmCost) // apart: 2·cmCost + dcmCost
    }

    @Test func refusesStudentsOfDifferentStreams() {
        let mix = GaussianMixture.ring8()
        var other = config(.cm); other.seed = 4
        #expect(throws: DistillationError.self) {
            _ = try distillTogether(
                teacher: mix, solver: GridSolver(.heun, grid: try SigmaGrid.karras(n: 6)),
                data: { mix.sample(count: $0, rng: $1) }, configs: [config(.cm), other])
        }
        #expect(throws: DistillationError.self) {
            _ = try distillTogether(
                teacher: mix, solver: GridSolver(.heun, grid: try SigmaGrid.karras(n: 6)),
                data: { mix.sample(count: $0, rng: $1) }, configs: [])
        }
    }
}
