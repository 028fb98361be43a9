import Foundation
import Nets
import Tensors

/// A network denoiser with EDM preconditioning (Karras et al. 2022, Table 1):
/// `D(x; σ) = c_skip(σ)·x + c_out(σ)·F_θ(c_in(σ)·x, c_noise(σ))`, with
/// `c_skip = σ_d²/(σ² + σ_d²)`, `c_out = σ·σ_d/√(σ² + σ_d²)`, `c_in = 1/√(σ² + σ_d²)`,
/// `c_noise = ¼·ln σ`. The network runs in Float32; the interface is Double.
public final class LearnedDenoiser: Denoiser, @unchecked Sendable {
    public let network: MLP
    public let sigmaData: Double
    /// Name of the data set it was trained on (for summaries and distillation data).
    public let dataName: String
    public internal(set) var lossCurve: [Double] = []
    public internal(set) var outcome: TrainingOutcome = .completed

    public var dims: Int { network.inputDims }
    public var name: String { "learned \(dataName)" }

    public init(network: MLP, sigmaData: Double = 0.5, dataName: String) {
        self.network = network
        self.sigmaData = sigmaData
        self.dataName = dataName
    }

    var preconditioning: EDMPreconditioning { EDMPreconditioning(sigmaData: sigmaData) }
    func cSkip(_ s: Double) -> Double { preconditioning.cSkip(s) }
    func cOut(_ s: Double) -> Double { preconditioning.cOut(s) }
    func inputs(_ x: Batch, _ sigma: [Double]) -> (Tensor, [Float]) { preconditioning.inputs(x, sigma) }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        preconditioning.denoise(x, sigma: sigma, network: network, chunk: 4096)
    }
}

/// Settings of denoising score matching.
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

    public func validate() throws(GridError) {
        guard iterations >= 1 && iterations <= 10_000_000 else { throw GridError("iters = \(iterations) must be between 1 and 10,000,000") }
        guard batchSize >= 1 && batchSize <= 1 << 20 else { throw GridError("batch = \(batchSize) must be between 1 and 1,048,576") }
        guard learningRate.isFinite && learningRate > 0 && learningRate < 10 else { throw GridError("lr = \(learningRate) must be a positive number below 10") }
        guard width >= 1 && width <= 8192, depth >= 1 && depth <= 64 else { throw GridError("width = \(width), depth = \(depth) out of range") }
        guard sigmaData.isFinite && sigmaData > 0 else { throw GridError("sigma_data = \(sigmaData) must be positive") }
        guard pMean.isFinite, pStd.isFinite, pStd > 0 else { throw GridError("P_mean = \(pMean), P_std = \(pStd): need finite values and P_std > 0") }
    }
}

/// Trains a ``LearnedDenoiser`` by denoising score matching with EDM's weighting:
/// `E_{σ, y, n} λ(σ)·‖D(y + n; σ) − y‖²`, `λ = (σ² + σ_d²)/(σ·σ_d)²`, `ln σ ~ N(P_mean, P_std²)`.
/// With the preconditioning, `λ·c_out² = 1` and the loss is `‖F_θ − (y − c_skip·x)/c_out‖²`:
/// the network regresses a unit-variance target at every σ.
public func trainDenoiser(data: (Int, RNG) -> Batch, dims: Int, dataName: String, config: DenoiserTrainingConfig,
                          cancel: CancellationToken? = nil,
                          progress: ((TrainingProgress) -> Void)? = nil) throws(GridError) -> LearnedDenoiser {
    try config.validate()
    let net = MLP(inputDims: dims, width: config.width, depth: config.depth, seed: config.seed)
    let D = LearnedDenoiser(network: net, sigmaData: config.sigmaData, dataName: dataName)
    let adam = Adam(net.store, learningRate: Float(config.learningRate))
    let B = config.batchSize
    let base = RNG(seed: config.seed).stream(0x7EAC)
    let (outcome, losses) = runTraining(iterations: config.iterations, store: net.store, cancel: cancel, progress: progress,
        lossAndGradients: { t in
            let rng = base.stream(UInt64(t))
            let y = data(B, rng.stream(0))
            let sigma = (0..<B).map { exp(config.pMean + config.pStd * rng.stream(1).normal(at: UInt64($0))) }
            let n = rng.stream(2).normalBatch(count: B, dims: dims)
            var x = y
            for i in 0..<B { for j in 0..<dims { x.values[i * dims + j] += sigma[i] * n.values[i * dims + j] } }
            let (input, cNoise) = D.inputs(x, sigma)
            let F = net.forward(x: input, cNoise: cNoise)
            var g = Tensor(shape: [B, dims])
            var loss = 0.0
            for i in 0..<B {
                let a = D.cSkip(sigma[i]), b = D.cOut(sigma[i])
                for j in 0..<dims {
                    let k = i * dims + j
                    let target = (y.values[k] - a * x.values[k]) / b
                    let e = Double(F.scalars[k]) - target
                    loss += e * e
                    g.scalars[k] = Float(2 * e / Double(B))
                }
            }
            net.backwardParameters(gradOutput: g)
            return loss / Double(B)
        },
        update: { _ in adam.update(net.store) })
    D.lossCurve = losses
    D.outcome = outcome
    return D
}

extension LearnedDenoiser {
    struct Record: Codable {
        var format = "cmlab.teacher/1"
        var sigmaData: Double
        var data: String
        var lossCurve: [Double]
    }

    /// Saves atomically as `.safetensors` with a `"teacher"` metadata entry (JSON).
    public func save(to path: String) throws {
        let rec = Record(sigmaData: sigmaData, data: dataName, lossCurve: lossCurve.map { $0.isFinite ? $0 : -1 })
        let json = String(decoding: try JSONEncoder().encode(rec), as: UTF8.self)
        try network.save(to: path, metadata: ["teacher": json])
    }

    public static func load(from path: String) throws -> LearnedDenoiser {
        let (net, meta) = try MLP.load(from: path)
        guard let json = meta["teacher"], let rec = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)) else {
            throw GridError("\(path): not a teacher checkpoint (no valid \"teacher\" entry in __metadata__)")
        }
        guard rec.sigmaData.isFinite && rec.sigmaData > 0 else { throw GridError("\(path): bad sigma_data \(rec.sigmaData)") }
        let D = LearnedDenoiser(network: net, sigmaData: rec.sigmaData, dataName: rec.data)
        D.lossCurve = rec.lossCurve
        return D
    }
}
