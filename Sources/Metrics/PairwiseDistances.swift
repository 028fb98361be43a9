import Tensors

/// Squared Euclidean distances `D²_ij = ‖x_i − y_j‖²` between the rows of two batches,
/// produced one block of rows of `x` at a time so that 10,000 × 10,000 sets never
/// hold a full 800 MB matrix.
///
/// In low dimensions (`dims < gemmMinDims`) each entry is the direct sum of squared
/// differences. Above it, `D² = ‖x_i‖² + ‖y_j‖² − 2·x_i·y_j` with the inner products
/// from one `dgemm` per block; the subtraction can cancel, so entries are clamped at 0
/// (the absolute error is about 1e-16·(‖x_i‖² + ‖y_j‖²), far below any kernel bandwidth
/// that matters in Double).
struct PairwiseDistances {
    static let gemmMinDims = 16
    static let blockRows = 128

    let x: Batch
    let y: Batch

    /// Calls `body(rows, d2)` for consecutive blocks `rows` of `0..<x.count`, in order;
    /// `d2` is `[rows.count, y.count]`, row-major, valid only during the call.
    func forEachBlock(_ body: (Range<Int>, UnsafeBufferPointer<Double>) -> Void) {
        let n = x.count, m = y.count, d = x.dims
        guard n > 0 && m > 0 else { return }
        let useGemm = d >= Self.gemmMinDims
        let yNorms: [Double] = useGemm ? (0..<m).map { j in y.row(j).reduce(0) { $0 + $1 * $1 } } : []
        var buffer = [Double](repeating: 0, count: Swift.min(Self.blockRows, n) * m)
        x.values.withUnsafeBufferPointer { xv in
            y.values.withUnsafeBufferPointer { yv in
                buffer.withUnsafeMutableBufferPointer { buf in
                    let buf = buf
                    var start = 0
                    while start < n {
                        let rows = start..<Swift.min(n, start + Self.blockRows)
                        if useGemm {
                            // buf[r, j] = x_(start+r) · y_j  — [B, m] = [B, d]·[m, d]ᵀ
                            dgemmRows(
                                transB: true, m: rows.count, n: m, k: d,
                                xv.baseAddress! + start * d, lda: d, yv.baseAddress!, ldb: d,
                                buf.baseAddress!, ldc: m)
                            Parallel.forEachChunk(rows.count, chunk: 8) { rs in
                                for r in rs {
                                    let xi = xv.baseAddress! + (start + r) * d
                                    var xn = 0.0
                                    for k in 0..<d { xn += xi[k] * xi[k] }
                                    let o = buf.baseAddress! + r * m
                                    for j in 0..<m { o[j] = Swift.max(0, xn + yNorms[j] - 2 * o[j]) }
                                }
                            }
                        } else {
                            Parallel.forEachChunk(rows.count, chunk: 8) { rs in
                                for r in rs {
                                    let xi = xv.baseAddress! + (start + r) * d
                                    let o = buf.baseAddress! + r * m
                                    for j in 0..<m {
                                        let yj = yv.baseAddress! + j * d
                                        var s = 0.0
                                        for k in 0..<d { let e = xi[k] - yj[k]; s += e * e }
                                        o[j] = s
                                    }
                                }
                            }
                        }
                        body(rows, UnsafeBufferPointer(rebasing: buf[0..<(rows.count * m)]))
                        start = rows.upperBound
                    }
                }
            }
        }
    }

    /// `Σ f(‖x_i − y_j‖²)` over all pairs, or over pairs `i < j` when `upperTriangle`
    /// (then `x` and `y` must be the same set). Deterministic: fixed blocks and chunks,
    /// combined in order.
    func sum(upperTriangle: Bool = false, _ f: (Double) -> Double) -> Double {
        let m = y.count
        var total = 0.0
        forEachBlock { rows, d2 in
            total += Parallel.sum(rows.count, chunk: 8) { rs in
                var s = 0.0
                for r in rs {
                    let i = rows.lowerBound + r
                    let first = upperTriangle ? i + 1 : 0
                    guard first < m else { continue }
                    for j in first..<m { s += f(d2[r * m + j]) }
                }
                return s
            }
        }
        return total
    }
}
