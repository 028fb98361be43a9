import Foundation
import Nets
import Tensors

/// An image denoiser: a ``UNet`` with EDM preconditioning,
/// `D(x; σ) = c_skip(σ)·x + c_out(σ)·F_θ(c_in(σ)·x, c_noise(σ))`. Images are rows of a
/// ``Batch`` (`dims = C·H·W`, NCHW per row); the network runs in Float32.
public final class ImageDenoiser: Denoiser, @unchecked Sendable {
    public let network: UNet
    public let preconditioning: EDMPreconditioning
    public let dataName: String
    public internal(set) var lossCurve: [Double] = []
    public internal(set) var outcome: TrainingOutcome = .completed
    /// Seconds spent training (0 when loaded).
    public internal(set) var trainingSeconds: Double = 0

    public var sigmaData: Double { preconditioning.sigmaData }
    public var dims: Int { network.inputDims }
    public var name: String { "learned \(dataName)" }
    /// `(channels, height, width)` of one image.
    public var imageShape: (channels: Int, height: Int, width: Int) {
        (network.configuration.channels, network.configuration.height, network.configuration.width)
    }

    public init(network: UNet, sigmaData: Double = 0.5, dataName: String) {
        self.network = network
        self.preconditioning = EDMPreconditioning(sigmaData: sigmaData)
        self.dataName = dataName
    }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        preconditioning.denoise(x, sigma: sigma, network: network, chunk: 512)
    }
}

/// Settings of denoising score matching for images.
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

    public func validate() throws(GridError) {
        guard iterations >= 1 && iterations <= 10_000_000 else { throw GridError("iters = \(iterations) must be between 1 and 10,000,000") }
        guard batchSize >= 1 && batchSize <= 4096 else { throw GridError("batch = \(batchSize) must be between 1 and 4096") }
        guard learningRate.isFinite && learningRate > 0 && learningRate < 10 else { throw GridError("lr = \(learningRate) must be a positive number below 10") }
        guard warmup >= 0, emaDecay >= 0 && emaDecay < 1, clipNorm >= 0 else {
            throw GridError("warmup = \(warmup), ema = \(emaDecay), clip = \(clipNorm): need warmup ≥ 0, 0 ≤ ema < 1, clip ≥ 0")
        }
        guard sigmaData.isFinite && sigmaData > 0 else { throw GridError("sigma_data = \(sigmaData) must be positive") }
        guard pMean.isFinite, pStd.isFinite, pStd > 0 else { throw GridError("P_mean = \(pMean), P_std = \(pStd): need finite values and P_std > 0") }
    }
}

/// Trains an ``ImageDenoiser`` by denoising score matching with EDM's weighting, as
/// ``trainDenoiser(data:dims:dataName:config:cancel:progress:)`` does for the MLP:
/// `ln σ ~ N(P_mean, P_std²)`, `x = y + σ·n`, loss `‖F_θ(c_in x, c_noise) − (y − c_skip x)/c_out‖²`
/// (= λ(σ)·‖D − y‖² with λ = 1/c_out²), averaged over rows and summed over pixels ÷ dims.
/// Adam with a linear warm-up and gradient clipping; the denoiser gets the EMA weights
/// (decay warmed up as `min(μ, (1 + t)/(10 + t))`).
/// `data(B, rng)` returns B training images `[B, C·H·W]` in [−1, 1].
public func trainImageDenoiser(data: (Int, RNG) -> Batch, architecture: UNet.Configuration, dataName: String,
                               config: ImageDenoiserTrainingConfig, cancel: CancellationToken? = nil,
                               progress: ((TrainingProgress) -> Void)? = nil) throws(GridError) -> ImageDenoiser {
    try config.validate()
    if let p = architecture.problem { throw GridError("U-Net: \(p)") }
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
    let (outcome, losses) = runTraining(iterations: config.iterations, store: net.store, cancel: cancel, progress: progress,
        lossAndGradients: { t in
            let rng = base.stream(UInt64(t))
            let y = data(B, rng.stream(0))
            precondition(y.count == B && y.dims == dims, "data gave [\(y.count), \(y.dims)], expected [\(B), \(dims)]")
            let sigma = (0..<B).map { exp(config.pMean + config.pStd * rng.stream(1).normal(at: UInt64($0))) }
            let n = rng.stream(2).normalBatch(count: B, dims: dims)
            var x = y
            for i in 0..<B { for j in 0..<dims { x.values[i * dims + j] += sigma[i] * n.values[i * dims + j] } }
            let (input, cNoise) = p.inputs(x, sigma)
            let F = net.forward(x: input, cNoise: cNoise)
            var g = Tensor(shape: [B, dims])
            var loss = 0.0
            let scale = 1 / Double(B * dims)
            for i in 0..<B {
                let a = p.cSkip(sigma[i]), b = p.cOut(sigma[i])
                for j in 0..<dims {
                    let k = i * dims + j
                    let e = Double(F.scalars[k]) - (y.values[k] - a * x.values[k]) / b
                    loss += e * e
                    g.scalars[k] = Float(2 * e * scale)
                }
            }
            net.backwardParameters(gradOutput: g)            // dL/dx is not needed
            return loss * scale
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
    let D = ImageDenoiser(network: ema, sigmaData: config.sigmaData, dataName: dataName)
    net.releaseBuffers()
    D.lossCurve = losses
    D.outcome = outcome
    D.trainingSeconds = Date().timeIntervalSince(start)
    return D
}

extension ImageDenoiser {
    struct Record: Codable {
        var format = "cmlab.image-teacher/1"
        var sigmaData: Double
        var data: String
        var lossCurve: [Double]
        var trainingSeconds: Double?
    }

    /// Saves atomically as `.safetensors`: the U-Net checkpoint (architecture in
    /// `__metadata__`) plus a `"teacher"` entry (JSON: σ_d, data name, loss curve).
    public func save(to path: String) throws {
        let rec = Record(sigmaData: sigmaData, data: dataName, lossCurve: lossCurve.map { $0.isFinite ? $0 : -1 },
                         trainingSeconds: trainingSeconds)
        let json = String(decoding: try JSONEncoder().encode(rec), as: UTF8.self)
        try network.save(to: path, metadata: ["teacher": json])
    }

    public static func load(from path: String) throws -> ImageDenoiser {
        let (net, meta) = try UNet.load(from: path)
        guard let json = meta["teacher"], let rec = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)) else {
            throw GridError("\(path): not a teacher checkpoint (no valid \"teacher\" entry in __metadata__)")
        }
        guard rec.sigmaData.isFinite && rec.sigmaData > 0 else { throw GridError("\(path): bad sigma_data \(rec.sigmaData)") }
        let D = ImageDenoiser(network: net, sigmaData: rec.sigmaData, dataName: rec.data)
        D.lossCurve = rec.lossCurve
        return D
    }
}
