import Diffusion
import Foundation
import Nets
import Tensors

/// Draws `count` clean data samples `x_0` from a generator (row `i` from counter `i`).
public typealias DataSampler = (_ count: Int, _ rng: RNG) -> Batch

/// Distils `teacher` (with its fixed-step `solver`) into a consistency student.
///
/// Each iteration t draws, from `RNG(seed).stream(t)`: data `x_0` (stream 0), grid
/// indices `n ~ U{0, …, N−2}` (stream 1) and noise `z` (stream 2); forms
/// `x_n = x_0 + σ_n·z`; builds the objective's target under stop-gradient; and takes one
/// Adam step on `mean_i d(f_θ(x_n, σ_n), target)`. The same seed and thread count give
/// the same weights. Stops early, keeping its weights, on `cancel`; stops on a
/// non-finite loss keeping the last good weights (see ``runTraining``).
///
/// `initialNetwork`, when given, supplies the architecture and starting weights of F_θ
/// (copied; e.g. the teacher's U-Net, as the paper's students start from the teacher);
/// otherwise an MLP of `config.width × config.depth` is initialised from the seed.
public func distill(
    teacher: Denoiser, solver: GridSolver, data: @escaping DataSampler,
    config: DistillationConfig, initialNetwork: (any ConditionalNetwork)? = nil,
    cancel: CancellationToken? = nil,
    progress: ((TrainingProgress) -> Void)? = nil,
    clock: PhaseClock? = nil
) throws(DistillationError) -> ConsistencyStudent {
    try distillTogether(
        teacher: teacher, solver: solver, data: data, configs: [config], initialNetwork: initialNetwork,
        cancel: cancel, progress: progress.map { p in { _, q in p(q) } }, clock: clock
    ).students[0]
}

/// Several students of one stream, trained in lock-step.
public struct DistilledTogether {
    public let students: [ConsistencyStudent]
    /// Rows the teacher denoised for all of them (a Heun step costs two per row).
    public let teacherEvaluations: Int
    /// With a targets file: what was read, computed and saved, for the user.
    public let targetsNote: String?
}

/// Distils several students that share a seed and a batch size (CM at any rates μ,
/// Direct CM, any distances, learning rates and budgets) in lock-step from one
/// ``TargetStream``: every iteration's batch and the teacher's share of its targets are
/// computed once for all of them, `chunk` iterations per teacher batch (default: about
/// 256 rows). Each student is bit for bit the one ``distill`` trains alone; a student that
/// diverges stops alone. `progress(i, p)` reports student `i`. `targets`, when given (opened
/// with ``TargetCache/init(url:for:dims:)``), is a file of this stream's teacher parts: what
/// it holds is read instead of computed, and it is saved with what the run added (also
/// when cancelled or stopped by divergence).
public func distillTogether(
    teacher: Denoiser, solver: GridSolver, data: @escaping DataSampler,
    configs: [DistillationConfig], initialNetwork: (any ConditionalNetwork)? = nil,
    chunk: Int? = nil, targets: TargetCache? = nil, cancel: CancellationToken? = nil,
    progress: ((Int, TrainingProgress) -> Void)? = nil,
    clock: PhaseClock? = nil
) throws(DistillationError) -> DistilledTogether {
    guard let first = configs.first else { throw DistillationError("no students to distil") }
    for c in configs {
        try c.validate()
        guard c.seed == first.seed, c.batchSize == first.batchSize else {
            throw DistillationError(
                "students trained together share one stream: the same seed and batch "
                    + "(got seed \(c.seed), batch \(c.batchSize) beside seed \(first.seed), batch \(first.batchSize))")
        }
    }
    let runs = try configs.enumerated().map { (i, c) throws(DistillationError) in
        try StudentTraining(
            teacher: teacher, solver: solver, config: c, initialNetwork: initialNetwork,
            progress: progress.map { p in { q in p(i, q) } })
    }
    let iterations = configs.map(\.iterations).max() ?? 0
    let objectives = Set(configs.map(\.objective))
    if let t = targets {
        guard t.batchSize == first.batchSize, t.dims == teacher.dims,
            t.hasSteps == objectives.contains(.cm), t.hasSolves == objectives.contains(.direct)
        else {
            throw DistillationError("the targets file \(t.url.lastPathComponent) was opened for other students")
        }
    }
    let stream = TargetStream(
        teacher: teacher, solver: solver, data: data, seed: first.seed, batchSize: first.batchSize,
        iterations: iterations, objectives: objectives,
        chunk: chunk ?? TargetStream.chunk(batchSize: first.batchSize, dims: teacher.dims),
        cache: targets)
    for t in 0..<iterations {
        let active = runs.filter { $0.run.outcome == nil }
        if active.isEmpty { break }
        if cancel?.isCancelled == true { active.forEach { $0.run.cancel() }; break }
        clock?.start()
        let batch = timed("data, indices, noise and the teacher's targets", on: clock) { stream.batch(t) }
        for r in active { r.advance(batch, clock: clock) }
    }
    return DistilledTogether(
        students: runs.map { $0.finish() }, teacherEvaluations: stream.teacherEvaluations,
        targetsNote: targets?.save())
}

/// One student's side of distillation: its network, target network, optimizer and run.
final class StudentTraining {
    let config: DistillationConfig
    let student: ConsistencyStudent
    let run: TrainingRun
    private let net: any ConditionalNetwork
    private let targetNet: any ConditionalNetwork
    private let ema: EMA
    private let adam: Adam
    private let distance: Distance
    private var grad: [Float]
    private var snapshotAt: [Int] = [], snapshotNets: [any ConditionalNetwork] = []

    init(
        teacher: Denoiser, solver: GridSolver, config: DistillationConfig, initialNetwork: (any ConditionalNetwork)?,
        progress: ((TrainingProgress) -> Void)?
    ) throws(DistillationError) {
        let dims = teacher.dims
        distance = try Distance(config.distance, c: config.huberC, dims: dims)
        let net: any ConditionalNetwork =
            initialNetwork?.copy()
            ?? MLP(
                inputDims: dims, width: config.width, depth: config.depth, fourierFeatures: config.fourierFeatures,
                residual: config.residual, seed: config.seed)
        guard net.inputDims == dims else {
            throw DistillationError("the initial network takes \(net.inputDims) values per sample, the teacher \(dims)")
        }
        self.config = config
        self.net = net
        student = ConsistencyStudent(network: net, grid: solver.grid, config: config)
        student.teacherName = "\(teacher.name), \(solver)"
        // θ⁻: with μ = 0 the online network itself (its weights under stop-gradient).
        targetNet = config.emaRate > 0 ? net.copy() : net
        ema = EMA(decay: Float(config.emaRate))
        adam = Adam(net.store, learningRate: Float(config.learningRate))
        grad = [Float](repeating: 0, count: config.batchSize * dims)
        run = TrainingRun(iterations: config.iterations, store: net.store, progress: progress)
    }

    /// One iteration on the stream's batch.
    func advance(_ b: TargetBatch, clock: PhaseClock?) {
        run.advance(
            lossAndGradients: { _ in lossAndGradients(b, clock: clock) }, update: { t in update(t, clock: clock) })
    }

    /// The objective's step: target under stop-gradient, online forward, loss, backward
    /// (each phase timed on `clock` when one is given).
    private func lossAndGradients(_ b: TargetBatch, clock: PhaseClock?) -> Double {
        let target = timed(config.objective == .cm ? "target network f_θ⁻" : "target (from the stream)", on: clock) {
            self.target(b)
        }
        let F = timed("online forward", on: clock) { onlineForward(b) }
        let (loss, gF) = timed("loss", on: clock) { lossAndGradient(b, F, target) }
        timed("backward", on: clock) { net.backwardParameters(gradOutput: gF) } // dL/dx is not needed
        return loss
    }

    /// The target under stop-gradient, computed before the online forward: CM's
    /// `f_θ⁻(x̂_{n+1}, σ_{n+1})` from the stream's teacher step, Direct CM's the stream's solve.
    private func target(_ b: TargetBatch) -> [Float] {
        switch config.objective {
        case .cm:
            return consistencyTarget(teacherStep: b.teacherStep!, n: b.n, grid: student.grid) {
                student.consistency($0, sigma: $1, using: targetNet)
            }
        case .direct: return b.teacherSolve!
        }
    }

    /// `F_θ(c_in·x_n, c_noise(σ_n))` with the online weights, keeping activations for backward.
    private func onlineForward(_ b: TargetBatch) -> Tensor {
        let (input, cNoise) = student.networkInputs(b.x, b.sigma)
        return net.forward(x: input, cNoise: cNoise)
    }

    /// `d(f_θ(x_n, σ_n), target)` averaged over rows, and `dL/dF = c_out(σ_n)·dL/df`.
    private func lossAndGradient(_ b: TargetBatch, _ F: Tensor, _ target: [Float]) -> (Double, Tensor) {
        let B = b.x.count, dims = b.x.dims, p = student.parameterization
        let f = student.combine(b.x, b.sigma, F)
        let loss = f.withUnsafeBufferPointer { fp in
            target.withUnsafeBufferPointer { tp in
                grad.withUnsafeMutableBufferPointer { gp in
                    distance.meanAndGradient(
                        fp.baseAddress!, tp.baseAddress!, rows: B, dims: dims, gradient: gp.baseAddress!)
                }
            }
        }
        // ∂f/∂F = c_out(σ_n), row-wise.
        var gF = Tensor(shape: [B, dims])
        for i in 0..<B {
            let c = Float(p.cOut(b.sigma[i]))
            for j in 0..<dims { gF.scalars[i * dims + j] = c * grad[i * dims + j] }
        }
        return (loss, gF)
    }

    /// Clipping, Adam and the EMA of θ⁻, then a snapshot where one is asked for.
    private func update(_ t: Int, clock: PhaseClock?) {
        // What the clock saw since backward is runTraining's divergence guard.
        clock?.mark("divergence guard (grad norm, snapshot)")
        timed("Adam", on: clock) {
            if let c = config.clipNorm { _ = clipGradientNorm(net.store, maxNorm: c) }
            adam.update(net.store)
            if config.emaRate > 0 { ema.update(target: targetNet.store, online: net.store) }
        }
        if config.snapshots.contains(t + 1) { snapshotAt.append(t + 1); snapshotNets.append(net.copy()) }
    }

    /// The trained student, with its snapshots, loss curve and outcome.
    func finish() -> ConsistencyStudent {
        for (i, n) in zip(snapshotAt, snapshotNets) {
            let s = ConsistencyStudent(network: n, grid: student.grid, config: config)
            s.lossCurve = Array(run.losses.prefix(i))
            s.teacherName = student.teacherName
            student.snapshots.append(s)
        }
        student.lossCurve = run.losses
        student.outcome = run.outcome ?? .completed
        return student
    }
}
