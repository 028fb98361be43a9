import Tensors

/// Energy distance (Székely & Rizzo): `E(X, Y) = 2 E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖`,
/// with `X'`, `Y'` independent copies. It is ≥ 0 and 0 only when the distributions agree;
/// it equals MMD² with the (conditionally negative definite) kernel `−‖x − y‖`, so it
/// needs no bandwidth. For two point masses at `a` and `b` it is `2‖a − b‖`.
///
/// - Parameters:
///   - estimator: `.unbiased` (default; within-set means over `i ≠ j`) or `.biased`
///     (V-statistic, over all pairs; never negative). See ``Estimator``.
///   - maxPoints: each set is first subsampled to at most this many points (default 4000)
///     without replacement, seeded by `seed`. Pass `Int.max` for all points.
public func energyDistance(
    _ x: Batch, _ y: Batch, estimator: Estimator = .unbiased,
    maxPoints: Int = 4000, seed: UInt64 = 0
) throws(MetricError) -> Double {
    let minCount = estimator == .unbiased ? 2 : 1
    try checkPair(x, "first set", y, "second set", in: "energy", minCount: minCount)
    guard maxPoints >= minCount else {
        throw MetricError("energy: maxPoints = \(maxPoints), need at least \(minCount)")
    }
    let rng = RNG(seed: seed).stream(0x454E)
    let x = subsample(x, cap: maxPoints, rng: rng.stream(1)), y = subsample(y, cap: maxPoints, rng: rng.stream(2))
    let distance = { (r2: Double) -> Double in r2.squareRoot() }
    let exy = PairwiseDistances(x: x, y: y).sum(distance) / (Double(x.count) * Double(y.count))
    let exx = withinSetMean(x, estimator: estimator, diagonal: 0, distance)
    let eyy = withinSetMean(y, estimator: estimator, diagonal: 0, distance)
    return 2 * exy - exx - eyy
}
