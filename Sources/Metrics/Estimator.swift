import Tensors

/// Which estimator of a kernel two-sample statistic to use.
///
/// For within-set expectations `E k(X, X')` over independent copies:
/// - `unbiased` (U-statistic): the mean over pairs `i ≠ j`, `Σ_{i≠j} k(x_i, x_j) / (n(n−1))`;
///   needs 2 points per set; the statistic can come out slightly negative.
/// - `biased` (V-statistic): the mean over all pairs including `i = j`, `/ n²`;
///   never negative for MMD² and energy distance, biased upward by O(1/n).
/// Cross-set terms `E k(X, Y)` are the plain mean over all `n·m` pairs in both cases.
public enum Estimator: String, Sendable, CaseIterable {
    case unbiased
    case biased
}

/// `E f(‖X − X'‖²)` within one set: over pairs `i ≠ j` (unbiased) or all pairs with
/// `f(0) = diagonal` on `i = j` (biased). Uses the symmetry `f_ij = f_ji`.
func withinSetMean(_ x: Batch, estimator: Estimator, diagonal: Double, _ f: (Double) -> Double) -> Double {
    let n = Double(x.count)
    let offDiagonal = 2 * PairwiseDistances(x: x, y: x).sum(upperTriangle: true, f)
    switch estimator {
    case .unbiased: return offDiagonal / (n * (n - 1))
    case .biased: return (offDiagonal + n * diagonal) / (n * n)
    }
}
