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
public func distill(teacher: Denoiser, solver: GridSolver, data: DataSampler,
                    config: DistillationConfig, initialNetwork: (any ConditionalNetwork)? = nil,
                    cancel: CancellationToken? = nil,
                    progress: ((TrainingProgress) -> Void)? = nil,
                    clock: PhaseClock? = nil) throws(DistillationError) -> ConsistencyStudent {
    try config.validate()
    let dims = teacher.dims
    let distance = try Distance(named: config.distance, c: config.huberC, dims: dims)
    let grid = solver.grid
    let N = grid.count
    let net: any ConditionalNetwork = initialNetwork?.copy()
        ?? MLP(inputDims: dims, width: config.width, depth: config.depth, fourierFeatures: config.fourierFeatures,
               residual: config.residual, seed: config.seed)
    guard net.inputDims == dims else {
        throw DistillationError("the initial network takes \(net.inputDims) values per sample, the teacher \(dims)")
    }
    let student = ConsistencyStudent(network: net, grid: grid, config: config)
    student.teacherName = "\(teacher.name), \(solver)"
    // θ⁻: with μ = 0 the online network itself (its weights under stop-gradient).
    let targetNet: any ConditionalNetwork = config.emaRate > 0 ? net.copy() : net
    let ema = EMA(decay: Float(config.emaRate))
    let adam = Adam(net.store, learningRate: Float(config.learningRate))
    let B = config.batchSize
    let p = student.parameterization
    let rngBase = RNG(seed: config.seed).stream(0xD157)
    var grad = [Float](repeating: 0, count: B * dims)
    var snapshotAt: [Int] = [], snapshotNets: [any ConditionalNetwork] = []

    let (outcome, losses) = runTraining(iterations: config.iterations, store: net.store, cancel: cancel, progress: progress,
        lossAndGradients: { t in
            clock?.start()
            let rng = rngBase.stream(UInt64(t))
            let x0 = data(B, rng.stream(0))
            let n = (0..<B).map { rng.stream(1).integer(at: UInt64($0), below: N - 1) }
            let z = rng.stream(2).normalBatch(count: B, dims: dims)
            var xn = x0
            for i in 0..<B { for j in 0..<dims { xn.values[i * dims + j] += grid.sigmas[n[i]] * z.values[i * dims + j] } }
            let sigma = n.map { grid.sigmas[$0] }
            clock?.mark("data, indices, noise")

            // Target under stop-gradient, computed before the online forward.
            let target: [Float]
            switch config.objective {
            case .cm: target = consistencyTarget(teacher: teacher, solver: solver, x: xn, n: n) { student.consistency($0, sigma: $1, using: targetNet) }
            case .direct: target = directTarget(teacher: teacher, solver: solver, x: xn, n: n)
            }
            clock?.mark(config.objective == .cm ? "target (teacher step + f_θ⁻)" : "target (teacher solve)")

            // f_θ(x_n, σ_n) with the online weights, keeping activations for backward.
            let (input, cNoise) = student.networkInputs(xn, sigma)
            let F = net.forward(x: input, cNoise: cNoise)
            clock?.mark("online forward")
            let f = student.combine(xn, sigma, F)
            let loss = f.withUnsafeBufferPointer { fp in
                target.withUnsafeBufferPointer { tp in
                    grad.withUnsafeMutableBufferPointer { gp in
                        distance.meanAndGradient(fp.baseAddress!, tp.baseAddress!, rows: B, dims: dims, gradient: gp.baseAddress!)
                    }
                }
            }
            // ∂f/∂F = c_out(σ_n), row-wise.
            var gF = Tensor(shape: [B, dims])
            for i in 0..<B {
                let c = Float(p.cOut(sigma[i]))
                for j in 0..<dims { gF.scalars[i * dims + j] = c * grad[i * dims + j] }
            }
            clock?.mark("loss")
            net.backwardParameters(gradOutput: gF)          // dL/dx is not needed
            clock?.mark("backward")
            return loss
        },
        update: { t in
            clock?.mark("divergence guard (grad norm, snapshot)")
            if let c = config.clipNorm { _ = clipGradientNorm(net.store, maxNorm: c) }
            adam.update(net.store)
            if config.emaRate > 0 { ema.update(target: targetNet.store, online: net.store) }
            clock?.mark("Adam")
            if config.snapshots.contains(t + 1) { snapshotAt.append(t + 1); snapshotNets.append(net.copy()) }
        })
    for (i, n) in zip(snapshotAt, snapshotNets) {
        let s = ConsistencyStudent(network: n, grid: grid, config: config)
        s.lossCurve = Array(losses.prefix(i))
        s.teacherName = student.teacherName
        student.snapshots.append(s)
    }
    student.lossCurve = losses
    student.outcome = outcome
    return student
}
