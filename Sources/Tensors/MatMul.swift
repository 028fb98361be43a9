import CBLAS

// Matrix products through OpenBLAS (`cblas_sgemm` / `cblas_dgemm`), row-major,
// with transposes passed to BLAS rather than materialised.
//
// OpenBLAS runs single-threaded in every CMLab process (``BLASThreads``): its results
// change in the last bits with its thread count, so CMLab spreads products over the
// cores itself, with splits that depend on the shapes alone (`sgemmRows`, the
// networks' own halves), and the same inputs give the same numbers on any schedule.

/// `C = alpha · op(A) · op(B) + beta · C` on raw row-major buffers.
/// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb` are the
/// row strides of A and B as stored.
@inlinable
public func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Float = 1, _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    BLASThreads.configure()
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Double-precision `C = alpha · op(A) · op(B) + beta · C`, row-major.
@inlinable
public func dgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    alpha: Double = 1, _ a: UnsafePointer<Double>, lda: Int,
    _ b: UnsafePointer<Double>, ldb: Int,
    beta: Double = 0, _ c: UnsafeMutablePointer<Double>, ldc: Int
) {
    BLASThreads.configure()
    cblas_dgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension Tensor {
    /// `op(self) · op(other)` for 2-D tensors, where `op` transposes when asked.
    /// Shapes: `op(self)` is `[m, k]`, `op(other)` is `[k, n]`, result `[m, n]`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs 2-D tensors, got \(shape) and \(other.shape)")
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        precondition(
            k == k2,
            "matmul inner dimensions differ: \(shape)\(transposeSelf ? "ᵀ" : "") · \(other.shape)\(transposeOther ? "ᵀ" : "")"
        )
        var out = Tensor(shape: [m, n])
        guard m > 0 && n > 0 else { return out }
        if k == 0 { return out }
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.scalars.withUnsafeMutableBufferPointer { c in
                    sgemmRows(
                        transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                        a.baseAddress!, lda: shape[1], b.baseAddress!, ldb: other.shape[1],
                        c.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }
}

/// `sgemm` with the rows of C split into two halves, one per core, when the product is
/// large (at least 64 rows and 2·10⁷ FLOPs); the split depends on the shape alone.
public func sgemmRows(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    forEachRowHalf(m: m, flops: 2 * Double(m) * Double(n) * Double(k)) { rows in
        sgemm(
            transA: transA, transB: transB, m: rows.count, n: n, k: k,
            a + (transA ? rows.lowerBound : rows.lowerBound * lda), lda: lda, b, ldb: ldb,
            beta: beta, c + rows.lowerBound * ldc, ldc: ldc)
    }
}

/// `dgemm` with the rows of C split as in ``sgemmRows(transA:transB:m:n:k:_:lda:_:ldb:beta:_:ldc:)``.
public func dgemmRows(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Double = 1,
    _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
    beta: Double = 0, _ c: UnsafeMutablePointer<Double>, ldc: Int
) {
    forEachRowHalf(m: m, flops: 2 * Double(m) * Double(n) * Double(k)) { rows in
        dgemm(
            transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
            a + (transA ? rows.lowerBound : rows.lowerBound * lda), lda: lda, b, ldb: ldb,
            beta: beta, c + rows.lowerBound * ldc, ldc: ldc)
    }
}

private func forEachRowHalf(m: Int, flops: Double, _ body: (Range<Int>) -> Void) {
    guard m >= 64 && flops >= 2e7 else { body(0..<m); return }
    let half = m / 2
    Parallel.forEachChunk(2, chunk: 1) { parts in for p in parts { body(p == 0 ? 0..<half : half..<m) } }
}

/// OpenBLAS's threads: one, set before the first product of the process (see the
/// products' discussion above).
public enum BLASThreads {
    private static let configured: Void = { openblas_set_num_threads(1) }()
    /// Puts OpenBLAS on one thread, once per process (the products call it).
    @inlinable public static func configure() { _configure() }
    @usableFromInline static func _configure() { _ = configured }
}
