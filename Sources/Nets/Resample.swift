import Tensors

/// Down- and up-sampling by 2 on CBHW activations `[C, B, H, W]` (no parameters).
///
/// `avgPool2`: `y[c,b,i,j] = ¼·Σ_{2×2} x[c,b,2i+u,2j+v]`; its adjoint spreads `¼·dy` back.
/// `upsampleNearest2`: `y[c,b,i,j] = x[c,b,i/2,j/2]`; its adjoint sums each 2 × 2 block.
/// Both treat every `(c, b)` plane independently; H and W must be even for pooling.
enum Resample {
    /// x `[rows, H, W]` → y `[rows, H/2, W/2]`, where `rows = C·B`.
    static func avgPool2(_ x: UnsafePointer<Float>, rows: Int, height h: Int, width w: Int, into y: UnsafeMutablePointer<Float>) {
        let h2 = h / 2, w2 = w / 2
        Parallel.forEachChunk(rows, chunk: max(1, 8192 / (h * w))) { rs in
            for r in rs {
                let src = x + r * h * w, dst = y + r * h2 * w2
                for i in 0..<h2 {
                    let a = src + 2 * i * w, b = a + w
                    for j in 0..<w2 { dst[i * w2 + j] = 0.25 * ((a[2 * j] + a[2 * j + 1]) + (b[2 * j] + b[2 * j + 1])) }
                }
            }
        }
    }

    /// Adjoint of ``avgPool2``: dx `[rows, H, W]` (+)= ¼·dy `[rows, H/2, W/2]` per block.
    static func avgPool2Backward(_ dy: UnsafePointer<Float>, rows: Int, height h: Int, width w: Int,
                                 into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let h2 = h / 2, w2 = w / 2
        Parallel.forEachChunk(rows, chunk: max(1, 8192 / (h * w))) { rs in
            for r in rs {
                let src = dy + r * h2 * w2, dst = dx + r * h * w
                for i in 0..<h {
                    for j in 0..<w {
                        let v = 0.25 * src[(i / 2) * w2 + j / 2]
                        dst[i * w + j] = accumulate ? dst[i * w + j] + v : v
                    }
                }
            }
        }
    }

    /// x `[rows, H, W]` → y `[rows, 2H, 2W]`.
    static func upsampleNearest2(_ x: UnsafePointer<Float>, rows: Int, height h: Int, width w: Int, into y: UnsafeMutablePointer<Float>) {
        let w2 = 2 * w
        Parallel.forEachChunk(rows, chunk: max(1, 2048 / (h * w))) { rs in
            for r in rs {
                let src = x + r * h * w, dst = y + r * 4 * h * w
                for i in 0..<(2 * h) {
                    let s = src + (i / 2) * w, d = dst + i * w2
                    for j in 0..<w2 { d[j] = s[j / 2] }
                }
            }
        }
    }

    /// Adjoint of ``upsampleNearest2``: dx `[rows, H, W]` = Σ_{2×2} dy `[rows, 2H, 2W]`.
    static func upsampleNearest2Backward(_ dy: UnsafePointer<Float>, rows: Int, height h: Int, width w: Int,
                                         into dx: UnsafeMutablePointer<Float>) {
        let w2 = 2 * w
        Parallel.forEachChunk(rows, chunk: max(1, 2048 / (h * w))) { rs in
            for r in rs {
                let src = dy + r * 4 * h * w, dst = dx + r * h * w
                for i in 0..<h {
                    let a = src + 2 * i * w2, b = a + w2
                    for j in 0..<w { dst[i * w + j] = (a[2 * j] + a[2 * j + 1]) + (b[2 * j] + b[2 * j + 1]) }
                }
            }
        }
    }
}
