import Foundation
import Tensors

/// Two interleaved half circles ("two moons", as scikit-learn's `make_moons`),
/// shifted by (−½, −¼) so the mean is exactly 0, plus isotropic Gaussian noise.
///
/// Row `i`: moon `b ~ Bernoulli(½)`, angle `t ~ U(0, π)`,
/// upper moon `(cos t, sin t)`, lower moon `(1 − cos t, ½ − sin t)`, then
/// `x = point − (½, ¼) + noise·z`. Both moons give the same second moments, so
/// `E x = 0` and `Cov x = [[3/4, 1/8 − 1/π], [1/8 − 1/π, 9/16 − 1/π]] + noise²·I`.
/// There is no exact density (the curve has zero area; with noise, a convolution).
public struct Moons: ToyDistribution {
    public let noise: Double
    public var name: String { "moons" }
    public var dims: Int { 2 }

    public init(noise: Double = 0.05) throws(DatasetError) {
        guard noise.isFinite && noise >= 0 else {
            throw DatasetError("moons: noise = \(noise) must be a non-negative number")
        }
        self.noise = noise
    }

    public func sample(count: Int, rng: RNG) -> Batch {
        let pick = rng.stream(1), angle = rng.stream(2), z = rng.stream(3)
        var out = Batch(count: count, dims: 2)
        for i in 0..<count {
            let t = Double.pi * angle.uniform(at: UInt64(i))
            let upper = pick.integer(at: UInt64(i), below: 2) == 0
            let p = upper ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
            out.values[2 * i] = p.0 - 0.5 + noise * z.normal(at: UInt64(2 * i))
            out.values[2 * i + 1] = p.1 - 0.25 + noise * z.normal(at: UInt64(2 * i + 1))
        }
        return out
    }
}
