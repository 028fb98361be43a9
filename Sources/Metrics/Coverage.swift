import Datasets
import Diffusion
import Tensors

/// How a sample set covers the modes of a mixture.
///
/// A sample is an *inlier* of mode `k` when `‖x − μ_k‖ ≤ radius·s_k` (default radius 3);
/// an inlier is assigned to the mode minimising `‖x − μ_k‖/s_k` among those it is an
/// inlier of. A mode is *covered* when it holds at least `minShare` (default 1%) of all
/// samples. For exact samples of an isotropic component in `d` dims the inlier
/// probability is `P(χ²_d ≤ radius²)`: 98.89% in 2-D at radius 3 (`1 − e^{−4.5}`).
public struct ModeCoverage: Sendable, Equatable {
    /// Share of samples within `radius·s_k` of some mode.
    public let inlierShare: Double
    /// Number of modes holding at least `minShare` of the samples.
    public let modesCovered: Int
    /// Number of modes.
    public let modes: Int
    /// Samples assigned to each mode.
    public let counts: [Int]
    /// Mode index per sample, `nil` for samples far from every mode.
    public let assignment: [Int?]
}

/// Mode coverage of `x` for modes `modes` (`[K, dims]`) with stds `stds` (one per mode).
public func modeCoverage(
    _ x: Batch, modes: Batch, stds: [Double], radius: Double = 3,
    minShare: Double = 0.01
) throws(MetricError) -> ModeCoverage {
    try checkPair(x, "samples", modes, "modes", in: "coverage")
    guard stds.count == modes.count, stds.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw MetricError("coverage: need one positive std per mode; got \(stds.count) stds for \(modes.count) modes")
    }
    guard radius.isFinite && radius > 0 else { throw MetricError("coverage: radius = \(radius) must be positive") }
    guard minShare.isFinite && minShare >= 0 && minShare <= 1 else {
        throw MetricError("coverage: minShare = \(minShare) must lie in [0, 1]")
    }
    let K = modes.count
    // The nearest mode in stds is the best among the modes a sample is an inlier of, when it
    // is an inlier of any.
    let assignment: [Int?] = nearestModes(x, modes: modes, stds: stds).map { $0.z2 <= radius * radius ? $0.mode : nil }
    var counts = [Int](repeating: 0, count: K)
    for case let k? in assignment { counts[k] += 1 }
    let n = Double(x.count)
    return ModeCoverage(
        inlierShare: Double(counts.reduce(0, +)) / n,
        modesCovered: counts.filter { Double($0) >= minShare * n }.count,
        modes: K, counts: counts, assignment: assignment)
}

/// Mode coverage for a Gaussian mixture's components.
public func modeCoverage(
    _ x: Batch, of mixture: GaussianMixture, radius: Double = 3,
    minShare: Double = 0.01
) throws(MetricError) -> ModeCoverage {
    try modeCoverage(x, modes: mixture.means, stds: mixture.stds, radius: radius, minShare: minShare)
}

/// Mode coverage for a toy distribution with modes; throws when it has none (moons, spirals, checkerboard).
public func modeCoverage(
    _ x: Batch, of distribution: some ToyDistribution, radius: Double = 3,
    minShare: Double = 0.01
) throws(MetricError) -> ModeCoverage {
    guard let modes = distribution.modes, let stds = distribution.modeStds else {
        throw MetricError("coverage: \(distribution.name) has no modes")
    }
    return try modeCoverage(x, modes: modes, stds: stds, radius: radius, minShare: minShare)
}
