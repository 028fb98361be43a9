import Foundation
import Nets
import Tensors

/// A learned denoiser: a conditional network F_θ (an ``MLP`` for the 2-D toys, a ``UNet``
/// for images, rows NCHW) with EDM preconditioning (Karras et al. 2022, Table 1):
/// `D(x; σ) = c_skip(σ)·x + c_out(σ)·F_θ(c_in(σ)·x, c_noise(σ))`, with
/// `c_skip = σ_d²/(σ² + σ_d²)`, `c_out = σ·σ_d/√(σ² + σ_d²)`, `c_in = 1/√(σ² + σ_d²)`,
/// `c_noise = ¼·ln σ`. The network runs in Float32; the interface is Double.
public final class LearnedDenoiser: Denoiser, @unchecked Sendable {
    public let network: any ConditionalNetwork
    public let preconditioning: EDMPreconditioning
    /// Name of the data set it was trained on (for summaries and distillation data).
    public let dataName: String
    public internal(set) var lossCurve: [Double] = []
    public internal(set) var outcome: TrainingOutcome = .completed
    /// Seconds spent training (0 when loaded).
    public internal(set) var trainingSeconds: Double = 0

    public var sigmaData: Double { preconditioning.sigmaData }
    public var dims: Int { network.inputDims }
    public var name: String { "learned \(dataName)" }
    /// The network of an image teacher, nil for an MLP.
    public var unet: UNet? { network as? UNet }
    /// The network of a toy teacher, nil for a U-Net.
    public var mlp: MLP? { network as? MLP }
    /// `(channels, height, width)` of one image, for a U-Net teacher.
    public var imageShape: (channels: Int, height: Int, width: Int)? {
        unet.map { ($0.configuration.channels, $0.configuration.height, $0.configuration.width) }
    }

    public init(network: any ConditionalNetwork, sigmaData: Double = 0.5, dataName: String) {
        self.network = network
        self.preconditioning = EDMPreconditioning(sigmaData: sigmaData)
        self.dataName = dataName
    }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        preconditioning.denoise(x, sigma: sigma, network: network, chunk: network.predictionChunk)
    }
}

extension LearnedDenoiser {
    /// The `"teacher"` metadata entry of a saved teacher (JSON). U-Net teachers saved before
    /// the two kinds shared this record are tagged `cmlab.image-teacher/1`; both read back.
    struct Record: Codable {
        static let format = "cmlab.teacher/1"
        static let readable = [format, "cmlab.image-teacher/1"]
        var format = Record.format
        var sigmaData: Double
        var data: String
        var lossCurve: [Double]
        var trainingSeconds: Double?
    }

    /// Saves atomically as `.safetensors`: the network's checkpoint (architecture in
    /// `__metadata__`) plus a `"teacher"` entry (JSON: σ_d, data name, loss curve, training time).
    public func save(to path: String) throws {
        let rec = Record(
            sigmaData: sigmaData, data: dataName, lossCurve: lossCurve.map { $0.isFinite ? $0 : -1 },
            trainingSeconds: trainingSeconds)
        let json = String(decoding: try JSONEncoder().encode(rec), as: UTF8.self)
        try network.save(to: path, metadata: ["teacher": json])
    }

    /// Loads a teacher saved by ``save(to:)``, whichever network it holds.
    public static func load(from path: String) throws -> LearnedDenoiser {
        let (net, meta) = try loadConditionalNetwork(from: path)
        guard let json = meta["teacher"], let rec = try? JSONDecoder().decode(Record.self, from: Data(json.utf8)),
            Record.readable.contains(rec.format)
        else {
            throw DiffusionError("\(path): not a teacher checkpoint (no valid \"teacher\" entry in __metadata__)")
        }
        guard rec.sigmaData.isFinite && rec.sigmaData > 0 else {
            throw DiffusionError("\(path): bad sigma_data \(rec.sigmaData)")
        }
        let D = LearnedDenoiser(network: net, sigmaData: rec.sigmaData, dataName: rec.data)
        D.lossCurve = rec.lossCurve
        return D
    }
}
