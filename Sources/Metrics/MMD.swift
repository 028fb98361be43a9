import Foundation
import Tensors

/// Squared maximum mean discrepancy with a multi-bandwidth Gaussian (RBF) kernel:
/// `MMD² = E k(X, X') + E k(Y, Y') − 2 E k(X, Y)`,
/// `k(x, y) = Σ_b exp(−‖x − y‖² / (2 h_b²))`.
///
/// A sum of RBF kernels is characteristic, and spreading bandwidths over two decades
/// keeps the statistic sensitive both to a mode's width (small `h`) and to mass moved
/// between modes (large `h`) — one bandwidth alone saturates at one of the two.
///
/// - Parameters:
///   - bandwidths: the `h_b`, in data units (default ``defaultMMDBandwidths``).
///   - estimator: `.unbiased` (default; U-statistic, can be slightly negative) or
///     `.biased` (V-statistic). See ``Estimator``.
///   - maxPoints: each set is first subsampled to at most this many points (default 4000)
///     without replacement, seeded by `seed` — O(n²) work, ~1 s for 4000 2-D points.
///     Pass `Int.max` for all points.
public func mmd2(
    _ x: Batch, _ y: Batch, bandwidths: [Double] = defaultMMDBandwidths,
    estimator: Estimator = .unbiased, maxPoints: Int = 4000, seed: UInt64 = 0
) throws(MetricError) -> Double {
    let minCount = estimator == .unbiased ? 2 : 1
    try checkPair(x, "first set", y, "second set", in: "mmd", minCount: minCount)
    guard !bandwidths.isEmpty, bandwidths.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw MetricError("mmd: bandwidths \(bandwidths) must be a non-empty list of positive numbers")
    }
    guard maxPoints >= minCount else { throw MetricError("mmd: maxPoints = \(maxPoints), need at least \(minCount)") }
    let rng = RNG(seed: seed).stream(0x4D4D44)
    let x = subsample(x, cap: maxPoints, rng: rng.stream(1)), y = subsample(y, cap: maxPoints, rng: rng.stream(2))
    // k(r²) = Σ_b exp(−r²·c_b), c_b = 1/(2h_b²). Terms below e^−40 ≈ 4·10⁻¹⁸ are skipped:
    // each bandwidth contributes exp(0) = 1 on the diagonal, so they sit below rounding of
    // the means, and skipping them saves most of the exp calls for small bandwidths.
    let c = bandwidths.map { 1 / (2 * $0 * $0) }
    let kernel = { (r2: Double) -> Double in
        var s = 0.0
        for cb in c { let a = r2 * cb; if a < 40 { s += exp(-a) } }
        return s
    }
    let kxx = withinSetMean(x, estimator: estimator, diagonal: Double(c.count), kernel)
    let kyy = withinSetMean(y, estimator: estimator, diagonal: Double(c.count), kernel)
    let kxy = PairwiseDistances(x: x, y: y).sum(kernel) / (Double(x.count) * Double(y.count))
    return kxx + kyy - 2 * kxy
}

/// Default MMD bandwidths `[0.02, 0.05, 0.1, 0.2, 0.5, 1]`: from the component std of
/// `grid25` (0.02) to the radius of `ring8` (1).
public let defaultMMDBandwidths: [Double] = [0.02, 0.05, 0.1, 0.2, 0.5, 1]
