import Tensors

/// Mean and covariance of a feature set, the two moments Fréchet distance compares.
public struct GaussianMoments: Sendable, Equatable {
    public let dims: Int
    /// `μ`, `dims` entries.
    public let mean: [Double]
    /// `Σ`, `dims × dims`, row-major, symmetric.
    public let covariance: [Double]

    /// Moments given directly (e.g. the exact moments of a Gaussian). Throws for
    /// mismatched sizes, non-finite entries or an asymmetric covariance.
    public init(mean: [Double], covariance: [Double]) throws(MetricError) {
        let d = mean.count
        guard d > 0, covariance.count == d * d else {
            throw MetricError("fd: a \(d)-dim mean needs a \(d)×\(d) covariance, got \(covariance.count) entries")
        }
        guard mean.allSatisfy(\.isFinite), covariance.allSatisfy(\.isFinite) else {
            throw MetricError("fd: moments must be finite")
        }
        let scale = covariance.reduce(0) { max($0, $1.magnitude) }
        for i in 0..<d {
            for j in 0..<i where (covariance[i * d + j] - covariance[j * d + i]).magnitude > 1e-9 * max(scale, 1e-300) {
                throw MetricError(
                    "fd: covariance is not symmetric at (\(i), \(j)): \(covariance[i * d + j]) vs \(covariance[j * d + i])"
                )
            }
        }
        self.dims = d
        self.mean = mean
        self.covariance = covariance
    }

    /// Sample mean and unbiased covariance `Σ = Xcᵀ·Xc/(n − 1)` (as `numpy.cov`, pytorch-fid)
    /// of the rows of `x`, which needs at least 2 rows.
    public init(_ x: Batch) throws(MetricError) {
        try check(x, "feature set", in: "fd", minCount: 2)
        let n = x.count, d = x.dims
        var mu = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mu[k] += x.values[i * d + k] } }
        for k in 0..<d { mu[k] /= Double(n) }
        var centred = x.values
        for i in 0..<n { for k in 0..<d { centred[i * d + k] -= mu[k] } }
        var cov = [Double](repeating: 0, count: d * d)
        // Σ = Xcᵀ·Xc/(n − 1) — [d, d] = [n, d]ᵀ·[n, d]
        centred.withUnsafeBufferPointer { c in
            cov.withUnsafeMutableBufferPointer { s in
                dgemmRows(
                    transA: true, m: d, n: d, k: n, alpha: 1 / Double(n - 1),
                    c.baseAddress!, lda: d, c.baseAddress!, ldb: d, s.baseAddress!, ldc: d)
            }
        }
        for i in 0..<d {
            for j in 0..<i { let m = 0.5 * (cov[i * d + j] + cov[j * d + i]); cov[i * d + j] = m; cov[j * d + i] = m }
        }
        try self.init(mean: mu, covariance: cov)
    }
}

/// Fréchet distance between the Gaussians with the given moments (the FID formula):
/// `FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2})`.
///
/// `Σ₁Σ₂` is not symmetric, and a general matrix square root of it (scipy's `sqrtm`)
/// can return complex parts and lose accuracy when the covariances are near-singular.
/// Instead: `Σ₁Σ₂` is similar to `Σ₁^{1/2} Σ₂ Σ₁^{1/2}` (symmetric PSD), so
/// `Tr((Σ₁Σ₂)^{1/2}) = Σ_k √λ_k(Σ₁^{1/2} Σ₂ Σ₁^{1/2})`, with both eigen-problems symmetric
/// (``SymmetricEigen``) and tiny negative eigenvalues from rounding clamped to 0.
public func frechetDistance(_ a: GaussianMoments, _ b: GaussianMoments) throws(MetricError) -> Double {
    guard a.dims == b.dims else { throw MetricError("fd: first set has \(a.dims) dims but second has \(b.dims)") }
    let d = a.dims
    var meanTerm = 0.0
    for k in 0..<d { let e = a.mean[k] - b.mean[k]; meanTerm += e * e }
    let sqrtA = SymmetricEigen(a.covariance, n: d).apply { max($0, 0).squareRoot() }
    // M = Σ₁^{1/2}·Σ₂·Σ₁^{1/2}
    let m = multiply(multiply(sqrtA, b.covariance, d), sqrtA, d)
    let traceSqrt = SymmetricEigen(m, n: d).values.reduce(0) { $0 + max($1, 0).squareRoot() }
    var traces = 0.0
    for k in 0..<d { traces += a.covariance[k * d + k] + b.covariance[k * d + k] }
    return meanTerm + traces - 2 * traceSqrt
}

/// Fréchet distance between the sample moments of two feature sets (rows are features).
public func frechetDistance(_ x: Batch, _ y: Batch) throws(MetricError) -> Double {
    try checkPair(x, "first set", y, "second set", in: "fd", minCount: 2)
    return try frechetDistance(GaussianMoments(x), GaussianMoments(y))
}

/// Fréchet distance between `features(x)` and `features(y)` — e.g. an image
/// embedding network; the identity gives FD on the raw samples.
public func frechetDistance(_ x: Batch, _ y: Batch, features: (Batch) -> Batch) throws(MetricError) -> Double {
    try checkPair(x, "first set", y, "second set", in: "fd", minCount: 2)
    return try frechetDistance(features(x), features(y))
}

/// `A·B` for `d × d` row-major matrices.
private func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
                dgemm(m: d, n: d, k: d, ap.baseAddress!, lda: d, bp.baseAddress!, ldb: d, cp.baseAddress!, ldc: d)
            }
        }
    }
    return c
}
