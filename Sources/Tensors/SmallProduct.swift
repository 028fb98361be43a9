import CKernels
import Foundation

/// Products with few rows and a short inner dimension (the U-Net's Winograd and 1 × 1
/// products: 32–192 rows and channels, thousands of columns) through CKernels'
/// register-tiled bodies (smallgemm.c), and through OpenBLAS where the CPU has no AVX2.
///
/// OpenBLAS packs both operands and scales C before every product; at these shapes
/// that costs as much as the multiplications. The kernels read A in place and keep each
/// tile of C in registers for the whole inner sum. Each element of `op(A)·B` is one fused
/// multiply–add chain over the inner index in order (the same bits at every vector
/// width); `A·Bᵀ` sums lane-wise in chunks and adds the lanes in a fixed order. Either
/// way the results depend on the shape and the CPU's vector level, never on the thread
/// that computes them.
public enum SmallProducts {
    /// The widest body the products may use: 2 AVX-512, 1 AVX2, 0 OpenBLAS always. From
    /// `CMLAB_SMALL_PRODUCTS` (`openblas`, `avx2`; anything else or unset: the widest
    /// the CPU has), read once; for comparing the bodies side by side.
    public static let maxLevel: Int32 = {
        switch ProcessInfo.processInfo.environment["CMLAB_SMALL_PRODUCTS"] {
        case "openblas": 0
        case "avx2": 1
        default: 2
        }
    }()

    /// Whether an `m × k` op(A) is small enough for the in-place kernel: A within 64 KiB
    /// and k ≤ 256, so that A and a k × 48 panel of B stay in L1 and L2 while a column
    /// strip is swept. Larger products go to OpenBLAS, whose packing pays there.
    @inlinable public static func fitsNN(m: Int, k: Int) -> Bool { k <= 256 && m * k <= 16384 }

    /// Whether an `m × n` result of A·Bᵀ is small enough for the block kernel (≤ 64 K
    /// elements; each block re-reads its rows from L2).
    @inlinable public static func fitsNT(m: Int, n: Int) -> Bool { m * n <= 65536 }

    /// The body the products use on this machine: "AVX-512", "AVX2" or "OpenBLAS".
    public static var body: String {
        let level = min(Int(maxLevel), Int(ck_vector_level()))
        return level >= 2 ? "AVX-512" : level == 1 ? "AVX2" : "OpenBLAS"
    }
}

/// `C (+)= op(A)·B`: op(A) `m × k` (A stored `k × m` when `transA`), B `k × n`, C `m × n`,
/// row-major with row strides `lda`, `ldb`, `ldc`. `accumulate` adds to C.
@inlinable
public func smallProduct(
    transA: Bool = false, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, ldb: Int, accumulate: Bool = false, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if SmallProducts.fitsNN(m: m, k: k),
        ck_small_sgemm_nn(
            SmallProducts.maxLevel, m, n, k, a, transA ? 1 : lda, transA ? lda : 1, b, ldb, c, ldc, accumulate) > 0
    {
        return
    }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    sgemm(
        transA: transA, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: accumulate ? 1 : 0, c, ldc: ldc)
}

/// `C (+)= A·Bᵀ`: A `m × k`, B `n × k`, C `m × n`, row-major with row strides `lda`,
/// `ldb`, `ldc`, for a long inner dimension `k` (a weight gradient summed over pixels).
@inlinable
public func smallProductNT(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool = false, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if SmallProducts.fitsNT(m: m, n: n),
        ck_small_sgemm_nt(SmallProducts.maxLevel, m, n, k, a, lda, b, ldb, c, ldc, accumulate) > 0
    {
        return
    }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    sgemm(transB: true, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: accumulate ? 1 : 0, c, ldc: ldc)
}

/// `C (+)= A·Bᵀ` (A `m × k`, B `n × k`, C `m × n`, row strides `lda`, `ldb`, `ldc`) for an
/// inner dimension too short for ``smallProductNT``'s lane-wise sums to pay for their
/// horizontal additions (a weight gradient over one slice's few hundred columns): B is
/// transposed chunk by chunk into `scratch` (``ntShortScratch(n:)`` floats) and each
/// chunk is one NN product, ``smallProduct``, added onto the chunks before it. Each
/// element of C is one fused multiply–add chain per chunk, the chunks added in order.
public func smallProductNTShort(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool = false, _ c: UnsafeMutablePointer<Float>, ldc: Int, scratch: UnsafeMutablePointer<Float>
) {
    guard m > 0, n > 0 else { return }
    let chunk = SmallProducts.ntShortChunk(m: m)
    guard k > 0, SmallProducts.fitsNN(m: m, k: min(k, chunk)),
        min(Int(SmallProducts.maxLevel), Int(ck_vector_level())) >= 1
    else {
        smallProductNT(m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, accumulate: accumulate, c, ldc: ldc)
        return
    }
    var p = 0
    while p < k {
        let kc = min(chunk, k - p)
        ck_transpose(SmallProducts.maxLevel, n, kc, b + p, ldb, scratch, n) // Bᵀ[p ..< p+kc, :]
        smallProduct(m: m, n: n, k: kc, a + p, lda: lda, scratch, ldb: n, accumulate: accumulate || p > 0, c, ldc: ldc)
        p += kc
    }
}

extension SmallProducts {
    /// Inner-dimension chunk of ``smallProductNTShort``: as long as ``fitsNN(m:k:)`` allows.
    @inlinable public static func ntShortChunk(m: Int) -> Int { max(1, min(256, 16384 / max(1, m))) }

    /// Scratch floats ``smallProductNTShort`` needs for `n` columns of C.
    @inlinable public static func ntShortScratch(n: Int) -> Int { 256 * n }
}
