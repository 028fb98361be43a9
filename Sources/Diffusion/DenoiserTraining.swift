import Foundation
import Nets
import Tensors

// Denoising score matching with EDM's weighting (Karras et al. 2022, §5):
// `E_{σ, y, n} λ(σ)·‖D(y + σn; σ) − y‖²`, `λ = (σ² + σ_d²)/(σ·σ_d)²`, `ln σ ~ N(P_mean, P_std²)`.
// With the preconditioning, `λ·c_out² = 1` and the loss is `‖F_θ − (y − c_skip·x)/c_out‖²`:
// the network regresses a unit-variance target at every σ. Both trainers below draw their
// batches and take their loss here; they differ only in the optimiser's extras.

/// The settings both trainers share, checked alike.
private func validateScoreMatching(
    iterations: Int, learningRate: Double, sigmaData: Double, pMean: Double,
    pStd: Double
) throws(DiffusionError) {
    guard iterations >= 1 && iterations <= 10_000_000 else {
        throw DiffusionError("iters = \(iterations) must be between 1 and 10,000,000")
    }
    guard learningRate.isFinite && learningRate > 0 && learningRate < 10 else {
        throw DiffusionError("lr = \(learningRate) must be a positive number below 10")
    }
    guard sigmaData.isFinite && sigmaData > 0 else {
        throw DiffusionError("sigma_data = \(sigmaData) must be positive")
    }
    guard pMean.isFinite, pStd.isFinite, pStd > 0 else {
        throw DiffusionError("P_mean = \(pMean), P_std = \(pStd): need finite values and P_std > 0")
    }
}

/// One iteration's batch: clean `y`, its noise levels `σ_i = exp(P_mean + P_std·ξ_i)` and
/// the noised `x = y + σ·n`, all drawn from `rng` (data from stream 0, σ from 1, n from 2).
private func scoreMatchingBatch(_ y: Batch, pMean: Double, pStd: Double, rng: RNG) -> (x: Batch, sigma: [Double]) {
    let B = y.count, dims = y.dims
    let sigma = (0..<B).map { exp(pMean + pStd * rng.stream(1).normal(at: UInt64($0))) }
    let n = rng.stream(2).normalBatch(count: B, dims: dims)
    var x = y
    for i in 0..<B { for j in 0..<dims { x.values[i * dims + j] += sigma[i] * n.values[i * dims + j] } }
    return (x, sigma)
}

/// `Σ e²` over the batch, `e = F_θ − (y − c_skip·x)/c_out`, with `dL/dF = gradient(e)` written to `g`.
private func scoreMatchingResiduals(
    _ F: Tensor, y: Batch, x: Batch, sigma: [Double], _ p: EDMPreconditioning,
    into g: inout Tensor, gradient: (Double) -> Float
) -> Double {
    let dims = y.dims
    var sum = 0.0
    for i in 0..<y.count {
        let a = p.cSkip(sigma[i]), b = p.cOut(sigma[i])
        for j in 0..<dims {
            let k = i * dims + j
            let e = Double(F.scalars[k]) - (y.values[k] - a * x.values[k]) / b
            sum += e * e
            g.scalars[k] = gradient(e)
        }
    }
    return sum
}

/// Settings of denoising score matching for an MLP teacher (the 2-D toys).
public struct DenoiserTrainingConfig: Sendable, Codable, Equatable {
    public var iterations = 4000
    public var batchSize = 512
    public var learningRate = 1e-3
    public var seed: UInt64 = 0
    public var width = 256
    public var depth = 4
    public var sigmaData = 0.5
    /// Log-normal σ: `ln σ ~ N(P_mean, P_std²)`.
    public var pMean = -1.2
    public var pStd = 1.2
    public init() {}

    public func validate() throws(DiffusionError) {
        try validateScoreMatching(
            iterations: iterations, learningRate: learningRate, sigmaData: sigmaData,
            pMean: pMean, pStd: pStd)
        guard batchSize >= 1 && batchSize <= 1 << 20 else {
            throw DiffusionError("batch = \(batchSize) must be between 1 and 1,048,576")
        }
        guard width >= 1 && width <= 8192, depth >= 1 && depth <= 64 else {
            throw DiffusionError("width = \(width), depth = \(depth) out of range")
        }
    }
}

/// Trains an MLP ``LearnedDenoiser`` by denoising score matching (above), with plain Adam;
/// the loss is summed over a row's values and averaged over rows.
public func trainDenoiser(
    data: (Int, RNG) -> Batch, dims: Int, dataName: String, config: DenoiserTrainingConfig,
    cancel: CancellationToken? = nil,
    progress: ((TrainingProgress) -> Void)? = nil
) throws(DiffusionError) -> LearnedDenoiser {
    try config.validate()
    let net = MLP(inputDims: dims, width: config.width, depth: config.depth, seed: config.seed)
    let p = EDMPreconditioning(sigmaData: config.sigmaData)
    let adam = Adam(net.store, learningRate: Float(config.learningRate))
    let B = config.batchSize
    let base = RNG(seed: config.seed).stream(0x7EAC)
    let start = Date()
    let (outcome, losses) = runTraining(
        iterations: config.iterations, store: net.store, cancel: cancel, progress: progress,
        lossAndGradients: { t in
            let rng = base.stream(UInt64(t))
            let y = data(B, rng.stream(0))
            let (x, sigma) = scoreMatchingBatch(y, pMean: config.pMean, pStd: config.pStd, rng: rng)
            let (input, cNoise) = p.inputs(x, sigma)
            let F = net.forward(x: input, cNoise: cNoise)
            var g = Tensor(shape: [B, dims])
            let sum = scoreMatchingResiduals(F, y: y, x: x, sigma: sigma, p, into: &g) { Float(2 * $0 / Double(B)) }
            net.backwardParameters(gradOutput: g)
            return sum / Double(B)
        },
        update: { _ in adam.update(net.store) })
    let D = LearnedDenoiser(network: net, sigmaData: config.sigmaData, dataName: dataName)
    D.lossCurve = losses
    D.outcome = outcome
    D.trainingSeconds = Date().timeIntervalSince(start)
    return D
}

/// Settings of denoising score matching for a U-Net teacher (images).
public struct ImageDenoiserTrainingConfig: Sendable, Codable, Equatable {
    public var iterations = 4000
    public var batchSize = 128
    public var learningRate = 5e-4
    /// Linear learning-rate warm-up over this many iterations.
    public var warmup = 200
    /// EMA decay of the weights the denoiser keeps (0: the online weights).
    public var emaDecay = 0.999
    /// Global gradient-norm clip (0: none).
    public var clipNorm = 1.0
    public var seed: UInt64 = 0
    public var sigmaData = 0.5
    /// Log-normal σ: `ln σ ~ N(P_mean, P_std²)`.
    public var pMean = -1.2
    public var pStd = 1.2
    public init() {}

    public func validate() throws(DiffusionError) {
        try validateScoreMatching(
            iterations: iterations, learningRate: learningRate, sigmaData: sigmaData,
            pMean: pMean, pStd: pStd)
        guard batchSize >= 1 && batchSize <= 4096 else {
            throw DiffusionError("batch = \(batchSize) must be between 1 and 4096")
        }
        guard warmup >= 0, emaDecay >= 0 && emaDecay < 1, clipNorm >= 0 else {
            throw DiffusionError(
                "warmup = \(warmup), ema = \(emaDecay), clip = \(clipNorm): need warmup ≥ 0, 0 ≤ ema < 1, clip ≥ 0")
        }
    }
}

/// Trains a U-Net ``LearnedDenoiser`` by denoising score matching (above); the loss is
/// averaged over rows and over pixels (summed ÷ dims). Adam with a linear warm-up and
/// gradient clipping; the denoiser gets the EMA weights (decay warmed up as
/// `min(μ, (1 + t)/(10 + t))`). `data(B, rng)` returns B training images `[B, C·H·W]` in [−1, 1].
public func trainImageDenoiser(
    data: (Int, RNG) -> Batch, architecture: UNet.Configuration, dataName: String,
    config: ImageDenoiserTrainingConfig, cancel: CancellationToken? = nil,
    progress: ((TrainingProgress) -> Void)? = nil
) throws(DiffusionError) -> LearnedDenoiser {
    try config.validate()
    if let p = architecture.problem { throw DiffusionError("U-Net: \(p)") }
    var arch = architecture
    arch.seed = config.seed
    let net = UNet(arch)
    let ema = config.emaDecay > 0 ? net.copy() : net
    let p = EDMPreconditioning(sigmaData: config.sigmaData)
    let adam = Adam(net.store, learningRate: Float(config.learningRate))
    var averager = EMA(decay: Float(config.emaDecay))
    let B = config.batchSize, dims = net.inputDims
    let base = RNG(seed: config.seed).stream(0x1A6E)
    let start = Date()
    let (outcome, losses) = runTraining(
        iterations: config.iterations, store: net.store, cancel: cancel, progress: progress,
        lossAndGradients: { t in
            let rng = base.stream(UInt64(t))
            let y = data(B, rng.stream(0))
            precondition(y.count == B && y.dims == dims, "data gave [\(y.count), \(y.dims)], expected [\(B), \(dims)]")
            let (x, sigma) = scoreMatchingBatch(y, pMean: config.pMean, pStd: config.pStd, rng: rng)
            let (input, cNoise) = p.inputs(x, sigma)
            let F = net.forward(x: input, cNoise: cNoise)
            var g = Tensor(shape: [B, dims])
            let scale = 1 / Double(B * dims)
            let sum = scoreMatchingResiduals(F, y: y, x: x, sigma: sigma, p, into: &g) { Float(2 * $0 * scale) }
            net.backwardParameters(gradOutput: g) // dL/dx is not needed
            return sum * scale
        },
        update: { t in
            if config.clipNorm > 0 { clipGradientNorm(net.store, maxNorm: config.clipNorm) }
            adam.learningRate = Float(config.learningRate * min(1, Double(t + 1) / Double(max(1, config.warmup))))
            adam.update(net.store)
            if config.emaDecay > 0 {
                // Decay warm-up min(μ, (1 + t)/(10 + t)), so the average forgets the initial weights early.
                averager.decay = Float(min(config.emaDecay, Double(1 + t) / Double(10 + t)))
                averager.update(target: ema.store, online: net.store)
            }
        })
    let D = LearnedDenoiser(network: ema, sigmaData: config.sigmaData, dataName: dataName)
    net.releaseBuffers()
    D.lossCurve = losses
    D.outcome = outcome
    D.trainingSeconds = Date().timeIntervalSince(start)
    return D
}
