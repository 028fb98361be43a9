import Foundation

/// Eigen-decomposition `A = V·diag(λ)·Vᵀ` of a real symmetric matrix by the cyclic
/// Jacobi method, in Double.
///
/// Each rotation in the `(p, q)` plane, `A ← Jᵀ A J` with `J_pp = J_qq = c`,
/// `J_pq = s = −J_qp`, zeroes `a_pq`: with `θ = (a_qq − a_pp)/(2a_pq)`,
/// `t = sgn θ/(|θ| + √(θ² + 1))` (the smaller root, so the rotation angle is ≤ π/4),
/// `c = 1/√(t² + 1)`, `s = t·c`. Sweeps over all pairs drive the off-diagonal mass to
/// zero quadratically; eigenvalues come out to a few ulps of `‖A‖` and, unlike an
/// iteration on a non-symmetric product, stay real. O(n³) per sweep, ~6–10 sweeps:
/// meant for the feature covariances of Fréchet distance (`n ≤ a few hundred`).
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Eigenvectors: column `k` (entries `vectors[i·n + k]`) belongs to `values[k]`.
    public let vectors: [Double]
    public let n: Int
    /// Sweeps used (0 for a diagonal input); reaching `maxSweeps` means not converged.
    public let sweeps: Int

    /// Decomposes the symmetric `n × n` row-major matrix `a` (only its symmetric part,
    /// `(A + Aᵀ)/2`, is used). `a` must be finite.
    public init(_ a: [Double], n: Int, maxSweeps: Int = 64) {
        precondition(a.count == n * n, "SymmetricEigen: \(a.count) entries for an \(n)×\(n) matrix")
        var A = a
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let m = 0.5 * (A[i * n + j] + A[j * n + i]); A[i * n + j] = m; A[j * n + i] = m
            }
        }
        var V = [Double](repeating: 0, count: n * n)
        for i in 0..<n { V[i * n + i] = 1 }
        let norm2 = A.reduce(0) { $0 + $1 * $1 }
        var sweep = 0
        while sweep < maxSweeps {
            var off = 0.0
            for i in 0..<n { for j in 0..<n where j != i { off += A[i * n + j] * A[i * n + j] } }
            if off <= 1e-32 * norm2 || off == 0 { break }
            sweep += 1
            for p in 0..<max(0, n - 1) {
                for q in (p + 1)..<n {
                    let apq = A[p * n + q]
                    if apq == 0 { continue }
                    let theta = (A[q * n + q] - A[p * n + p]) / (2 * apq)
                    let t =
                        theta.magnitude > 1e150
                        ? 1 / (2 * theta) // θ² would overflow
                        : (theta >= 0 ? 1 : -1) / (theta.magnitude + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n { // columns p, q: A·J
                        let akp = A[k * n + p], akq = A[k * n + q]
                        A[k * n + p] = c * akp - s * akq
                        A[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n { // rows p, q: Jᵀ·(A·J)
                        let apk = A[p * n + k], aqk = A[q * n + k]
                        A[p * n + k] = c * apk - s * aqk
                        A[q * n + k] = s * apk + c * aqk
                    }
                    A[p * n + q] = 0; A[q * n + p] = 0
                    for k in 0..<n { // V ← V·J
                        let vkp = V[k * n + p], vkq = V[k * n + q]
                        V[k * n + p] = c * vkp - s * vkq
                        V[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { A[$0 * n + $0] < A[$1 * n + $1] }
        values = order.map { A[$0 * n + $0] }
        var sortedV = [Double](repeating: 0, count: n * n)
        for (k, col) in order.enumerated() { for i in 0..<n { sortedV[i * n + k] = V[i * n + col] } }
        vectors = sortedV
        self.n = n
        self.sweeps = sweep
    }

    /// `V·diag(f(λ))·Vᵀ`, row-major: a matrix function of a symmetric matrix
    /// (e.g. `f = √max(λ, 0)` for the PSD square root).
    public func apply(_ f: (Double) -> Double) -> [Double] {
        let g = values.map(f)
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                var s = 0.0
                for k in 0..<n { s += vectors[i * n + k] * g[k] * vectors[j * n + k] }
                out[i * n + j] = s; out[j * n + i] = s
            }
        }
        return out
    }
}
