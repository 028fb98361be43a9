import Diffusion
import Tensors

/// A Gaussian mixture is a toy distribution with an exact density and known modes.
/// `sample(count:rng:)`, `name` and `dims` are the mixture's own.
extension GaussianMixture: ToyDistribution {
    /// `log p_0(x)`, the mixture's ``GaussianMixture/logDensity(_:sigma:)`` at σ = 0.
    public func exactLogDensity(_ x: Batch) -> [Double]? { logDensity(x, sigma: 0) }
    public var modes: Batch? { means }
    public var modeStds: [Double]? { stds }
}
