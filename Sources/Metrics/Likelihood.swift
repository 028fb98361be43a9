import Datasets
import Diffusion
import Tensors

/// Negative log-likelihood of samples under a known density: `NLL = −(1/n)·Σ_i log p(x_i)`
/// (nats per sample, not per dimension).
///
/// For samples drawn from `p` itself this estimates the differential entropy `H(p)`;
/// e.g. for `N(μ, s²I)` in `d` dims, `H = (d/2)·log(2πe·s²)`. It is the cross-entropy
/// `H(q, p) = H(q) + KL(q ‖ p)` for samples from `q`, so it rewards putting mass on `p`'s
/// support but does not by itself punish missing modes (a student collapsed onto one
/// narrow mode can score *better* than `p`); read it beside coverage and recall.
public struct NegativeLogLikelihood: Sendable, Equatable {
    /// `−mean log p(x_i)` over all samples; `+inf` when any sample has `p = 0`.
    public let mean: Double
    /// `−mean log p(x_i)` over the samples with `p > 0` (NaN when there are none).
    public let meanInSupport: Double
    /// Share of samples with `p(x_i) = 0` (off a checkerboard's black squares, say).
    public let outsideSupport: Double
    /// `−log p(x_i)` per sample (`+inf` outside the support).
    public let perSample: [Double]
}

/// NLL of `x` given per-row log-densities from `logDensity` (`-inf` allowed outside the support).
public func negativeLogLikelihood(
    _ x: Batch, logDensity: (Batch) -> [Double]
) throws(MetricError) -> NegativeLogLikelihood {
    try check(x, "samples", in: "nll")
    let logP = logDensity(x)
    guard logP.count == x.count else {
        throw MetricError("nll: the density gave \(logP.count) values for \(x.count) samples")
    }
    if let k = logP.firstIndex(where: { $0.isNaN || $0 == .infinity }) {
        throw MetricError("nll: log-density of sample \(k) is \(logP[k])")
    }
    let perSample = logP.map { -$0 }
    let inside = perSample.filter { $0.isFinite }
    let outside = x.count - inside.count
    return NegativeLogLikelihood(
        mean: outside > 0 ? .infinity : perSample.reduce(0, +) / Double(x.count),
        meanInSupport: inside.isEmpty ? .nan : inside.reduce(0, +) / Double(inside.count),
        outsideSupport: Double(outside) / Double(x.count),
        perSample: perSample)
}

/// NLL under a Gaussian mixture's data density `p_0` (its exact `logDensity` at σ = 0).
public func negativeLogLikelihood(
    _ x: Batch, under mixture: GaussianMixture
) throws(MetricError) -> NegativeLogLikelihood {
    try check(x, "samples", in: "nll")
    guard x.dims == mixture.dims else {
        throw MetricError("nll: samples have \(x.dims) dims but \(mixture.name) has \(mixture.dims)")
    }
    return try negativeLogLikelihood(x) { mixture.logDensity($0, sigma: 0) }
}

/// NLL under a toy distribution with an exact density; throws when it has none (moons, spirals).
public func negativeLogLikelihood(
    _ x: Batch, under distribution: some ToyDistribution
) throws(MetricError) -> NegativeLogLikelihood {
    try check(x, "samples", in: "nll")
    guard x.dims == distribution.dims else {
        throw MetricError("nll: samples have \(x.dims) dims but \(distribution.name) has \(distribution.dims)")
    }
    guard let logP = distribution.exactLogDensity(x) else {
        throw MetricError("nll: \(distribution.name) has no exact density")
    }
    return try negativeLogLikelihood(x) { _ in logP }
}
