import Foundation
import Tensors

/// Fourier features of the noise conditioning `c_noise = ¼·ln σ`:
///
///     φ(c) = [sin(ω₁c), …, sin(ω_F c), cos(ω₁c), …, cos(ω_F c)]      // [2F]
///
/// with fixed, log-spaced angular frequencies `ω_k = ω_min·(ω_max/ω_min)^{k/(F−1)}`.
/// The embedding has no trainable parameters (a choice: with `c_noise ∈ [−1.6, 1.1]`
/// for σ ∈ [0.002, 80], the octaves 1…128 already resolve neighbouring grid levels,
/// and fixed features keep checkpoints and the EMA simple). Being deterministic, it
/// needs no seed.
public struct FourierFeatures: Sendable, Equatable {
    /// Angular frequencies ω, `[F]`.
    public let frequencies: [Float]

    public init(count: Int, minFrequency: Float = 1, maxFrequency: Float = 128) {
        precondition(count >= 1 && minFrequency > 0 && maxFrequency >= minFrequency)
        let ratio = Double(maxFrequency / minFrequency)
        frequencies = (0..<count).map { k in
            count == 1
                ? minFrequency
                : Float(Double(minFrequency) * Foundation.pow(ratio, Double(k) / Double(count - 1)))
        }
    }

    /// Number of frequencies F.
    public var count: Int { frequencies.count }
    /// Output width 2F.
    public var width: Int { 2 * frequencies.count }

    /// Writes φ(c_noise[r]) into row `r` of `out`, starting at `column`, row stride `ld`.
    @inline(__always)
    func encode(
        _ cNoise: UnsafePointer<Float>, rows: Range<Int>, into out: UnsafeMutablePointer<Float>,
        ld: Int, column: Int
    ) {
        let f = count
        frequencies.withUnsafeBufferPointer { w in
            for r in rows {
                let c = cNoise[r]
                let row = out + r * ld + column
                for k in 0..<f {
                    let (s, co) = fastSinCos(w[k] * c)
                    row[k] = s
                    row[f + k] = co
                }
            }
        }
    }

    /// φ(c) for a batch: `[B]` → `[B, 2F]`.
    public func forward(_ cNoise: [Float]) -> Tensor {
        var out = Tensor(shape: [cNoise.count, width])
        cNoise.withUnsafeBufferPointer { c in
            out.scalars.withUnsafeMutableBufferPointer { o in
                encode(c.baseAddress!, rows: 0..<cNoise.count, into: o.baseAddress!, ld: width, column: 0)
            }
        }
        return out
    }

    /// `dL/dc` `[B]` from `dL/dφ` `[B, 2F]`: `Σ_k ω_k·(cos(ω_k c)·g_sin − sin(ω_k c)·g_cos)`.
    /// (Not needed for training — `c_noise` is not learned — but it completes the layer.)
    public func backward(cNoise: [Float], gradOutput g: Tensor) -> [Float] {
        precondition(g.shape == [cNoise.count, width])
        let phi = forward(cNoise)
        let f = count
        return (0..<cNoise.count).map { r in
            var d: Float = 0
            for k in 0..<f {
                let s = phi.scalars[r * 2 * f + k], c = phi.scalars[r * 2 * f + f + k]
                d += frequencies[k] * (c * g.scalars[r * 2 * f + k] - s * g.scalars[r * 2 * f + f + k])
            }
            return d
        }
    }
}
