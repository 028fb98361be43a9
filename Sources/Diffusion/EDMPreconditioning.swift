import Foundation
import Nets
import Tensors

/// EDM preconditioning (Karras et al. 2022, Table 1) for a data standard deviation σ_d:
/// `c_skip = σ_d²/(σ² + σ_d²)`, `c_out = σ·σ_d/√(σ² + σ_d²)`, `c_in = 1/√(σ² + σ_d²)`,
/// `c_noise = ¼·ln σ`: the wrapping of every ``LearnedDenoiser``, MLP or U-Net.
public struct EDMPreconditioning: Sendable, Equatable {
    public var sigmaData: Double
    public init(sigmaData: Double = 0.5) { self.sigmaData = sigmaData }
    public func cSkip(_ s: Double) -> Double { sigmaData * sigmaData / (s * s + sigmaData * sigmaData) }
    public func cOut(_ s: Double) -> Double { s * sigmaData / (s * s + sigmaData * sigmaData).squareRoot() }
    public func cIn(_ s: Double) -> Double { 1 / (s * s + sigmaData * sigmaData).squareRoot() }
    public func cNoise(_ s: Double) -> Float { Float(0.25 * log(s)) }

    /// The network inputs `(c_in(σ_i)·x_i, c_noise(σ_i))` in Float32.
    public func inputs(_ x: Batch, _ sigma: [Double]) -> (Tensor, [Float]) {
        var input = [Float](repeating: 0, count: x.values.count)
        let d = x.dims
        for i in 0..<x.count {
            let c = cIn(sigma[i])
            for j in 0..<d { input[i * d + j] = Float(c * x.values[i * d + j]) }
        }
        return (Tensor(shape: [x.count, d], scalars: input), sigma.map(cNoise))
    }

    /// `D(x; σ) = c_skip·x + c_out·F_θ(c_in·x, c_noise)` for every row, evaluating the
    /// network in chunks of `chunk` rows so its Float32 workspace stays bounded.
    public func denoise(_ x: Batch, sigma: [Double], network: any ConditionalNetwork, chunk: Int) -> Batch {
        precondition(x.dims == network.inputDims && sigma.count == x.count)
        var out = x
        let d = x.dims
        var start = 0
        while start < x.count {
            let end = min(x.count, start + chunk)
            let s = Array(sigma[start..<end])
            let (input, cNoise) = inputs(x.rows(start..<end), s)
            let F = network.predict(x: input, cNoise: cNoise)
            for r in 0..<(end - start) {
                let i = start + r, a = cSkip(s[r]), b = cOut(s[r])
                for j in 0..<d { out.values[i * d + j] = a * x.values[i * d + j] + b * Double(F.scalars[r * d + j]) }
            }
            start = end
        }
        return out
    }
}
