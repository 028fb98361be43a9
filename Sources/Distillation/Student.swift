import Diffusion
import Foundation
import Nets
import Tensors

/// A consistency model: `f_θ(x, σ) = c_skip(σ)·x + c_out(σ)·F_θ(c_in(σ)·x, c_noise(σ))`,
/// trained to map any point of a teacher trajectory to the trajectory's end at σ_min.
///
/// It conforms to ``Denoiser`` with `D(x; σ) = f_θ(x, σ)`, so every solver and metric
/// runs on students as on teachers. The network runs in Float32; inputs and outputs
/// cross into Double here.
public final class ConsistencyStudent: Denoiser, @unchecked Sendable {
    /// F_θ: an MLP for points, a U-Net for images.
    public let network: any ConditionalNetwork
    public let parameterization: ConsistencyParameterization
    /// The teacher's grid the student was trained on; multistep sampling indexes it.
    public let grid: SigmaGrid
    public let config: DistillationConfig
    /// The loss of every iteration, in order.
    public internal(set) var lossCurve: [Double] = []
    public internal(set) var outcome: TrainingOutcome = .completed
    /// Name of the teacher and solver it was distilled from.
    public internal(set) var teacherName: String = ""
    /// The user's name for this student (`distill(…, name:)`), shown in tables and legends.
    public var label: String? = nil
    /// Copies taken during training at `config.snapshots` iterations, in order.
    public internal(set) var snapshots: [ConsistencyStudent] = []

    public var dims: Int { network.inputDims }
    public var name: String { config.objective == .cm ? "CM" : "Direct CM" }
    public var iterations: Int { lossCurve.count }
    /// "MLP 4×256" or "U-Net, 2 levels (0.52 M parameters)".
    public var architecture: String {
        if let m = network as? MLP { return "MLP \(m.depth)×\(m.width)" }
        let n = network.store.count, levels = (network as? UNet).map { ", \($0.configuration.levels) levels" } ?? ""
        return "U-Net\(levels) (\(String(format: "%.2f", Double(n) / 1e6)) M parameters)"
    }

    public init(network: any ConditionalNetwork, grid: SigmaGrid, config: DistillationConfig) {
        self.network = network
        self.grid = grid
        self.config = config
        self.parameterization = ConsistencyParameterization(sigmaMin: grid.sigmaMin, sigmaData: config.sigmaData)
    }

    /// Network inputs for states `x` at levels `sigma`: `c_in·x` `[B, d]` and `c_noise` `[B]`.
    func networkInputs(_ x: Batch, _ sigma: [Double]) -> (Tensor, [Float]) {
        var input = [Float](repeating: 0, count: x.values.count)
        let d = x.dims
        for i in 0..<x.count {
            let c = parameterization.cIn(sigma[i])
            for j in 0..<d { input[i * d + j] = Float(c * x.values[i * d + j]) }
        }
        return (Tensor(shape: [x.count, d], scalars: input), sigma.map { Float(parameterization.cNoise($0)) })
    }

    /// `c_skip·x + c_out·F`, row-wise, into Float32 `[B, d]`.
    func combine(_ x: Batch, _ sigma: [Double], _ F: Tensor) -> [Float] {
        var out = [Float](repeating: 0, count: x.values.count)
        let d = x.dims
        for i in 0..<x.count {
            let s = parameterization.cSkip(sigma[i]), o = parameterization.cOut(sigma[i])
            for j in 0..<d { out[i * d + j] = Float(s * x.values[i * d + j] + o * Double(F.scalars[i * d + j])) }
        }
        return out
    }

    /// `f_θ(x, σ)` with the given weights (the online network unless told otherwise).
    func consistency(_ x: Batch, sigma: [Double], using net: (any ConditionalNetwork)? = nil) -> [Float] {
        let (input, cNoise) = networkInputs(x, sigma)
        return combine(x, sigma, (net ?? network).predict(x: input, cNoise: cNoise))
    }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        precondition(x.dims == dims && sigma.count == x.count)
        guard x.count > 0 else { return x }
        // Bound the Float32 workspace: evaluate in chunks of 4096 rows.
        var out: [Double] = []
        out.reserveCapacity(x.values.count)
        var start = 0
        while start < x.count {
            let end = min(x.count, start + 4096)
            out += consistency(x.rows(start..<end), sigma: Array(sigma[start..<end])).map(Double.init)
            start = end
        }
        return Batch(count: x.count, dims: dims, values: out)
    }
}
