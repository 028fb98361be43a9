import Tensors

/// At most `cap` rows of `x`, drawn without replacement and kept in their original order;
/// `x` itself when it has `cap` rows or fewer.
///
/// A partial Fisher–Yates shuffle over row indices whose `i`-th swap uses counter `i`
/// of `rng`, so the subset depends only on `(rng, x.count, cap)`. The O(n²) metrics
/// (MMD, energy distance, precision/recall) estimate on such a subset: the estimate
/// is then of the same population quantity, with the variance of `cap` points.
public func subsample(_ x: Batch, cap: Int, rng: RNG) -> Batch {
    let n = x.count
    guard cap >= 0, n > cap else { return x }
    var index = Array(0..<n)
    for i in 0..<cap {
        let j = i + rng.integer(at: UInt64(i), below: n - i)
        index.swapAt(i, j)
    }
    return x.rows(at: index[0..<cap].sorted())
}
