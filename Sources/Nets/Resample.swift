import Tensors

/// Down- and up-sampling by 2 on CHWB activations `[C, H, W, B]` (no parameters).
///
/// `avgPool2`: `y[c,i,j,b] = ¼·Σ_{2×2} x[c,2i+u,2j+v,b]`; its adjoint spreads `¼·dy` back.
/// `upsampleNearest2`: `y[c,i,j,b] = x[c,i/2,j/2,b]`; its adjoint sums each 2 × 2 block.
/// The batch is innermost, so each pixel is a contiguous run of `B` values (a multiple
/// of 4) handled four images at a time. H and W must be even for pooling.
enum Resample {
    /// x `[C, H, W, B]` → y `[C, H/2, W/2, B]`.
    static func avgPool2(
        _ x: UnsafePointer<Float>, _ g: ImageGeometry, channels: Int, into y: UnsafeMutablePointer<Float>
    ) {
        let B = g.batch, w = g.width, h2 = g.height / 2, w2 = g.width / 2, quarter = F4(repeating: 0.25)
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            for c in cs {
                let src = x + c * g.count, dst = y + c * h2 * w2 * B
                for i in 0..<h2 {
                    for j in 0..<w2 {
                        let a = src + ((2 * i) * w + 2 * j) * B, b = a + w * B, o = dst + (i * w2 + j) * B
                        var l = 0
                        while l < B {
                            store4(
                                quarter * ((load4(a + l) + load4(a + B + l)) + (load4(b + l) + load4(b + B + l))), o + l
                            )
                            l += 4
                        }
                    }
                }
            }
        }
    }

    /// Adjoint of ``avgPool2(_:_:channels:into:)``: dx `[C, H, W, B]` (+)= ¼·dy `[C, H/2, W/2, B]`
    /// on each block.
    static func avgPool2Backward(
        _ dy: UnsafePointer<Float>, _ g: ImageGeometry, channels: Int,
        into dx: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        let B = g.batch, w = g.width, h2 = g.height / 2, w2 = g.width / 2, quarter = F4(repeating: 0.25)
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            for c in cs {
                let src = dy + c * h2 * w2 * B, dst = dx + c * g.count
                for i in 0..<h2 {
                    for j in 0..<w2 {
                        let s = src + (i * w2 + j) * B, a = dst + ((2 * i) * w + 2 * j) * B, b = a + w * B
                        var l = 0
                        while l < B {
                            let v = quarter * load4(s + l)
                            if accumulate {
                                store4(load4(a + l) + v, a + l); store4(load4(a + B + l) + v, a + B + l)
                                store4(load4(b + l) + v, b + l); store4(load4(b + B + l) + v, b + B + l)
                            } else {
                                store4(v, a + l); store4(v, a + B + l); store4(v, b + l); store4(v, b + B + l)
                            }
                            l += 4
                        }
                    }
                }
            }
        }
    }

    /// x `[C, H, W, B]` → y `[C, 2H, 2W, B]`.
    static func upsampleNearest2(
        _ x: UnsafePointer<Float>, _ g: ImageGeometry, channels: Int, into y: UnsafeMutablePointer<Float>
    ) {
        let B = g.batch, w = g.width, W2 = 2 * g.width
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            for c in cs {
                let src = x + c * g.count, dst = y + c * 4 * g.count
                for i in 0..<(2 * g.height) {
                    for j in 0..<W2 { (dst + (i * W2 + j) * B).update(from: src + ((i / 2) * w + j / 2) * B, count: B) }
                }
            }
        }
    }

    /// Adjoint of ``upsampleNearest2(_:_:channels:into:)``: dx `[C, H, W, B]` = Σ_{2×2} dy `[C, 2H, 2W, B]`.
    static func upsampleNearest2Backward(
        _ dy: UnsafePointer<Float>, _ g: ImageGeometry, channels: Int,
        into dx: UnsafeMutablePointer<Float>
    ) {
        let B = g.batch, w = g.width, W2 = 2 * g.width
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            for c in cs {
                let src = dy + c * 4 * g.count, dst = dx + c * g.count
                for i in 0..<g.height {
                    for j in 0..<w {
                        let a = src + ((2 * i) * W2 + 2 * j) * B, b = a + W2 * B, o = dst + (i * w + j) * B
                        var l = 0
                        while l < B {
                            store4((load4(a + l) + load4(a + B + l)) + (load4(b + l) + load4(b + B + l)), o + l)
                            l += 4
                        }
                    }
                }
            }
        }
    }
}
