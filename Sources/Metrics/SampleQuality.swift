import Datasets
import Tensors

/// Every teacher-free sample-quality metric of one sample set against reference samples
/// of the data distribution, in one record: a row of a comparison table. Each field is
/// the metric of the same name, with its defaults; see those functions for definitions.
public struct SampleQuality: Sendable, Equatable {
    /// ``slicedWasserstein(_:_:directions:seed:)``.
    public let swd: Double
    /// ``mmd2(_:_:bandwidths:estimator:maxPoints:seed:)`` (unbiased).
    public let mmd2: Double
    /// ``energyDistance(_:_:estimator:maxPoints:seed:)`` (unbiased).
    public let energy: Double
    /// ``frechetDistance(_:_:)`` on the raw samples.
    public let fd: Double
    /// ``precisionRecall(real:generated:k:maxPoints:seed:)`` with the reference as real.
    public let precisionRecall: PrecisionRecall
    /// Under the distribution's exact density, when it has one.
    public let nll: NegativeLogLikelihood?
    /// Against the distribution's modes, when it has them.
    public let coverage: ModeCoverage?

    /// `(name, value)` pairs in a fixed order, for tables; absent metrics are left out.
    public var columns: [(name: String, value: Double)] {
        var c: [(name: String, value: Double)] = [
            ("swd", swd), ("mmd2", mmd2), ("energy", energy), ("fd", fd),
            ("precision", precisionRecall.precision), ("recall", precisionRecall.recall),
        ]
        if let nll { c.append(("nll", nll.mean)) }
        if let coverage {
            c.append(("inliers", coverage.inlierShare))
            c.append(("modes", Double(coverage.modesCovered)))
        }
        return c
    }
}

/// All metrics of `samples` against `reference` (and `distribution`, when given, for NLL
/// and mode coverage), every random choice seeded by `seed`.
public func sampleQuality(
    _ samples: Batch, reference: Batch, distribution: (any ToyDistribution)? = nil,
    seed: UInt64 = 0
) throws(MetricError) -> SampleQuality {
    try checkPair(samples, "samples", reference, "reference samples", in: "sample_quality", minCount: 6)
    var nll: NegativeLogLikelihood? = nil, coverage: ModeCoverage? = nil
    if let distribution {
        guard distribution.dims == samples.dims else {
            throw MetricError(
                "sample_quality: samples have \(samples.dims) dims but \(distribution.name) has \(distribution.dims)")
        }
        if let logP = distribution.exactLogDensity(samples) { nll = try negativeLogLikelihood(samples) { _ in logP } }
        if let modes = distribution.modes, let stds = distribution.modeStds {
            coverage = try modeCoverage(samples, modes: modes, stds: stds)
        }
    }
    return SampleQuality(
        swd: try slicedWasserstein(samples, reference, seed: seed),
        mmd2: try mmd2(samples, reference, seed: seed),
        energy: try energyDistance(samples, reference, seed: seed),
        fd: try frechetDistance(samples, reference),
        precisionRecall: try precisionRecall(real: reference, generated: samples, seed: seed),
        nll: nll, coverage: coverage)
}
