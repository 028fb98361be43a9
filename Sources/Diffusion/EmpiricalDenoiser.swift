import Foundation
import Tensors

/// The optimal denoiser of a finite data set `{y_i}`: the posterior mean under the
/// empirical distribution, `D(x; σ) = Σ_i softmax_i(−‖x − y_i‖²/(2σ²))·y_i`.
///
/// It memorises: as σ → 0 it returns the nearest data point. Squared distances use
/// `‖x‖² − 2x·y + ‖y‖²` with the cross term from `dgemm`, and the softmax subtracts
/// each row's maximum, so tiny σ gives a one-hot weight instead of 0/0.
public final class EmpiricalDenoiser: Denoiser, @unchecked Sendable {
    public let data: Batch
    public let name: String
    /// Pure arithmetic on immutable data: safe to call concurrently.
    public var supportsConcurrentCalls: Bool { true }
    public var dims: Int { data.dims }
    let dataNorms: [Double]

    public init(data: Batch, name: String = "empirical") throws(DiffusionError) {
        guard data.count >= 1 else { throw DiffusionError("the empirical denoiser needs at least one data point") }
        guard data.values.allSatisfy(\.isFinite) else { throw DiffusionError("data points must be finite") }
        self.data = data
        self.name = name
        self.dataNorms = (0..<data.count).map { i in data.row(i).reduce(0) { $0 + $1 * $1 } }
    }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        precondition(x.dims == dims && sigma.count == x.count)
        let m = data.count, d = dims
        var out = Batch(count: x.count, dims: d)
        let chunk = max(1, min(256, 4_000_000 / max(1, m)))
        out.values.withUnsafeMutableBufferPointer { o in
            let o = o
            Parallel.forEachChunk(x.count, chunk: chunk) { rows in
                let b = rows.count
                var logits = [Double](repeating: 0, count: b * m) // [b, m]: x·yᵀ, then weights
                x.values.withUnsafeBufferPointer { xv in
                    data.values.withUnsafeBufferPointer { yv in
                        logits.withUnsafeMutableBufferPointer { L in
                            dgemm(
                                transB: true, m: b, n: m, k: d, xv.baseAddress! + rows.lowerBound * d, lda: d,
                                yv.baseAddress!, ldb: d, L.baseAddress!, ldc: m)
                            for r in 0..<b {
                                let i = rows.lowerBound + r
                                var x2 = 0.0
                                for j in 0..<d { x2 += xv[i * d + j] * xv[i * d + j] }
                                let inv = 1 / (2 * sigma[i] * sigma[i])
                                var mx = -Double.infinity
                                for k in 0..<m {
                                    let r2 = Swift.max(0, x2 - 2 * L[r * m + k] + dataNorms[k])
                                    L[r * m + k] = -r2 * inv
                                    mx = Swift.max(mx, L[r * m + k])
                                }
                                var z = 0.0
                                for k in 0..<m { let e = Foundation.exp(L[r * m + k] - mx); L[r * m + k] = e; z += e }
                                let iz = 1 / z
                                for k in 0..<m { L[r * m + k] *= iz }
                            }
                            dgemm(
                                m: b, n: d, k: m, L.baseAddress!, lda: m, yv.baseAddress!, ldb: d,
                                o.baseAddress! + rows.lowerBound * d, ldc: d)
                        }
                    }
                }
            }
        }
        return out
    }
}
