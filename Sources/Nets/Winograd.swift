import Tensors

/// Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for 3 × 3 convolutions with padding 1 on CHWB
/// activations `[C, H, W, B]`.
///
/// The output is cut into 2 × 2 tiles `t = i·tw + j` (`th = ⌈H/2⌉`, `tw = ⌈W/2⌉`); tile
/// `t` reads the 4 × 4 input patch `d` at rows `2i−1 … 2i+2`, columns `2j−1 … 2j+2`
/// (zero outside the image). With
///
///     Bᵀ = ⎡1  0 −1  0⎤    G = ⎡1   0   0⎤    Aᵀ = ⎡1  1  1  0⎤
///          ⎢0  1  1  0⎥        ⎢½   ½   ½⎥         ⎣0  1 −1 −1⎦
///          ⎢0 −1  1  0⎥        ⎢½  −½   ½⎥
///          ⎣0  1  0 −1⎦        ⎣0   0   1⎦
///
/// `V = Bᵀ d B`, `U = G g Gᵀ` and the output tile is `Y = Aᵀ (Σ_cin U ⊙ V) A`. For each of
/// the 16 positions ξ of the 4 × 4 transform the sum over input channels is one product
///
///     M_ξ [Cout, T·B] = U_ξ [Cout, Cin] · V_ξ [Cin, T·B],
///
/// so a convolution is 16 products with `16·T` instead of `9·H·W` multiply–adds per
/// channel pair: 4/9 of the direct (im2col) form at 14 × 14. The transforms have
/// coefficients 0, ±½, ±1, so Float32 rounding stays at a few ulps of the inputs.
///
/// Backward, each line the adjoint of a forward step: `dM = A dY Aᵀ`,
/// `dU_ξ = dM_ξ V_ξᵀ`, `dg = Gᵀ dU G`, `dV_ξ = U_ξᵀ dM_ξ`, and `dd = B dV Bᵀ` added
/// back at the patch positions.
///
/// Layouts: `V` `[Cin, 16, T·B]`, `M` and `dM` `[Cout, 16, T·B]`, `U` `[16, Cout, Cin]`. The
/// product for ξ reads rows `ξ·T·B` of every channel (row stride `16·T·B`), so a channel's
/// 16 transformed tiles are written into one contiguous region (found faster than 16
/// streams a whole activation apart).
struct WinogradGeometry {
    let g: ImageGeometry
    /// Tile rows and columns, `⌈H/2⌉`, `⌈W/2⌉`.
    var tileRows: Int { (g.height + 1) / 2 }
    var tileColumns: Int { (g.width + 1) / 2 }
    /// Values per channel and position ξ of a transformed activation, `T·B`.
    var columns: Int { tileRows * tileColumns * g.batch }
    /// Row stride of the product matrices `V_ξ`, `M_ξ`: `16·T·B`.
    var rowStride: Int { 16 * columns }

    init(_ g: ImageGeometry) { self.g = g }
}

// MARK: One-dimensional transforms (applied to columns, then to rows)

/// `Bᵀ·(d₀, d₁, d₂, d₃)`.
@inline(__always) private func bt(_ d0: F4, _ d1: F4, _ d2: F4, _ d3: F4) -> (F4, F4, F4, F4) {
    (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
}

/// `B·(v₀, v₁, v₂, v₃)`, the adjoint of ``bt``.
@inline(__always) private func b(_ v0: F4, _ v1: F4, _ v2: F4, _ v3: F4) -> (F4, F4, F4, F4) {
    (v0, v1 - v2 + v3, v1 + v2 - v0, -v3)
}

/// `Aᵀ·(m₀, m₁, m₂, m₃)`.
@inline(__always) private func at(_ m0: F4, _ m1: F4, _ m2: F4, _ m3: F4) -> (F4, F4) {
    (m0 + m1 + m2, m1 - m2 - m3)
}

/// `A·(y₀, y₁)`, the adjoint of ``at``.
@inline(__always) private func a(_ y0: F4, _ y1: F4) -> (F4, F4, F4, F4) {
    (y0, y0 + y1, y0 - y1, -y1)
}

// MARK: Activations

extension WinogradGeometry {
    /// Pointers to the 16 input rows `(c, 2i−1+r, 2j−1+s, ·)` of tile `(i, j)` in
    /// `rows[4r + s]`, or to `outside` where the position is off the image.
    @inline(__always)
    func patch<P>(_ plane: P, _ i: Int, _ j: Int, outside: P, offset: (Int) -> P, into rows: UnsafeMutablePointer<P>) {
        for r in 0..<4 {
            let y = 2 * i - 1 + r
            for s in 0..<4 {
                let x = 2 * j - 1 + s
                rows[4 * r + s] = y >= 0 && y < g.height && x >= 0 && x < g.width ? offset((y * g.width + x) * g.batch) : outside
            }
        }
    }

    /// `V = Bᵀ d B` for every tile: x `[C, H, W, B]` → V `[C, 16, T·B]`.
    func inputTransform(_ x: UnsafePointer<Float>, channels: Int, into v: UnsafeMutablePointer<Float>) {
        let B = g.batch, n = g.count, xiStride = columns, chStride = rowStride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { zero in
            zero.initialize(repeating: 0)
            let outside = UnsafePointer(zero.baseAddress!)
            Parallel.forEachChunk(channels, chunk: 1) { cs in
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { rowsBuffer in
                    let rows = rowsBuffer.baseAddress!
                    for c in cs {
                        let plane = x + c * n
                        for i in 0..<tileRows {
                            for j in 0..<tileColumns {
                                patch(plane, i, j, outside: outside, offset: { plane + $0 }, into: rows)
                                let out = v + c * chStride + (i * tileColumns + j) * B
                                var l = 0
                                while l < B {
                                    // Columns s: Bᵀ over r.
                                    let c0 = bt(load4(rows[0] + l), load4(rows[4] + l), load4(rows[8] + l), load4(rows[12] + l))
                                    let c1 = bt(load4(rows[1] + l), load4(rows[5] + l), load4(rows[9] + l), load4(rows[13] + l))
                                    let c2 = bt(load4(rows[2] + l), load4(rows[6] + l), load4(rows[10] + l), load4(rows[14] + l))
                                    let c3 = bt(load4(rows[3] + l), load4(rows[7] + l), load4(rows[11] + l), load4(rows[15] + l))
                                    // Rows u: B over s; position ξ = 4u + s.
                                    let r0 = bt(c0.0, c1.0, c2.0, c3.0), r1 = bt(c0.1, c1.1, c2.1, c3.1)
                                    let r2 = bt(c0.2, c1.2, c2.2, c3.2), r3 = bt(c0.3, c1.3, c2.3, c3.3)
                                    let o = out + l
                                    store4(r0.0, o); store4(r0.1, o + xiStride); store4(r0.2, o + 2 * xiStride); store4(r0.3, o + 3 * xiStride)
                                    store4(r1.0, o + 4 * xiStride); store4(r1.1, o + 5 * xiStride); store4(r1.2, o + 6 * xiStride); store4(r1.3, o + 7 * xiStride)
                                    store4(r2.0, o + 8 * xiStride); store4(r2.1, o + 9 * xiStride); store4(r2.2, o + 10 * xiStride); store4(r2.3, o + 11 * xiStride)
                                    store4(r3.0, o + 12 * xiStride); store4(r3.1, o + 13 * xiStride); store4(r3.2, o + 14 * xiStride); store4(r3.3, o + 15 * xiStride)
                                    l += 4
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `y = Aᵀ M A + bias` for every tile: M `[C, 16, T·B]` → y `[C, H, W, B]`.
    func outputTransform(_ m: UnsafePointer<Float>, channels: Int, bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let B = g.batch, n = g.count, xiStride = columns, chStride = rowStride, W = g.width, H = g.height
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            for c in cs {
                let beta = F4(repeating: bias[c]), plane = y + c * n
                for i in 0..<tileRows {
                    for j in 0..<tileColumns {
                        let src = m + c * chStride + (i * tileColumns + j) * B
                        let y0 = plane + ((2 * i) * W + 2 * j) * B
                        let right = 2 * j + 1 < W, below = 2 * i + 1 < H
                        var l = 0
                        while l < B {
                            let p = src + l
                            // Columns s: Aᵀ over r.
                            let c0 = at(load4(p), load4(p + 4 * xiStride), load4(p + 8 * xiStride), load4(p + 12 * xiStride))
                            let c1 = at(load4(p + xiStride), load4(p + 5 * xiStride), load4(p + 9 * xiStride), load4(p + 13 * xiStride))
                            let c2 = at(load4(p + 2 * xiStride), load4(p + 6 * xiStride), load4(p + 10 * xiStride), load4(p + 14 * xiStride))
                            let c3 = at(load4(p + 3 * xiStride), load4(p + 7 * xiStride), load4(p + 11 * xiStride), load4(p + 15 * xiStride))
                            let top = at(c0.0, c1.0, c2.0, c3.0), bottom = at(c0.1, c1.1, c2.1, c3.1)
                            store4(top.0 + beta, y0 + l)
                            if right { store4(top.1 + beta, y0 + B + l) }
                            if below {
                                store4(bottom.0 + beta, y0 + W * B + l)
                                if right { store4(bottom.1 + beta, y0 + (W + 1) * B + l) }
                            }
                            l += 4
                        }
                    }
                }
            }
        }
    }

    /// `dM = A dY Aᵀ` for every tile: dY `[C, H, W, B]` → dM `[C, 16, T·B]` (the adjoint
    /// of ``outputTransform(_:channels:bias:into:)`` without the bias).
    func gradOutputTransform(_ dy: UnsafePointer<Float>, channels: Int, into dm: UnsafeMutablePointer<Float>) {
        let B = g.batch, n = g.count, xiStride = columns, chStride = rowStride, W = g.width, H = g.height
        withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { zero in
            zero.initialize(repeating: 0)
            let outside = UnsafePointer(zero.baseAddress!)
            Parallel.forEachChunk(channels, chunk: 1) { cs in
                for c in cs {
                    let plane = dy + c * n
                    for i in 0..<tileRows {
                        for j in 0..<tileColumns {
                            let y0 = plane + ((2 * i) * W + 2 * j) * B
                            let right = 2 * j + 1 < W, below = 2 * i + 1 < H
                            let p00 = y0, p01 = right ? y0 + B : outside
                            let p10 = below ? y0 + W * B : outside, p11 = below && right ? y0 + (W + 1) * B : outside
                            let out = dm + c * chStride + (i * tileColumns + j) * B
                            var l = 0
                            while l < B {
                                // Columns v: A over u; then rows r: A over v.
                                let c0 = a(load4(p00 + l), load4(p10 + l)), c1 = a(load4(p01 + l), load4(p11 + l))
                                let r0 = a(c0.0, c1.0), r1 = a(c0.1, c1.1), r2 = a(c0.2, c1.2), r3 = a(c0.3, c1.3)
                                let o = out + l
                                store4(r0.0, o); store4(r0.1, o + xiStride); store4(r0.2, o + 2 * xiStride); store4(r0.3, o + 3 * xiStride)
                                store4(r1.0, o + 4 * xiStride); store4(r1.1, o + 5 * xiStride); store4(r1.2, o + 6 * xiStride); store4(r1.3, o + 7 * xiStride)
                                store4(r2.0, o + 8 * xiStride); store4(r2.1, o + 9 * xiStride); store4(r2.2, o + 10 * xiStride); store4(r2.3, o + 11 * xiStride)
                                store4(r3.0, o + 12 * xiStride); store4(r3.1, o + 13 * xiStride); store4(r3.2, o + 14 * xiStride); store4(r3.3, o + 15 * xiStride)
                                l += 4
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dx (+)= Σ_tiles B dV Bᵀ` at the patch positions: dV `[C, 16, T·B]` → dx
    /// `[C, H, W, B]` (the adjoint of ``inputTransform(_:channels:into:)``). Each channel
    /// is one task and tiles are added in a fixed order, so the sums are deterministic.
    func gradInputTransform(_ dv: UnsafePointer<Float>, channels: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let B = g.batch, n = g.count, xiStride = columns, chStride = rowStride
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { sinkBuffer in
                withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: 16) { rowsBuffer in
                    let sink = sinkBuffer.baseAddress!, rows = rowsBuffer.baseAddress!
                    for c in cs {
                        let plane = dx + c * n
                        if !accumulate { plane.update(repeating: 0, count: n) }
                        for i in 0..<tileRows {
                            for j in 0..<tileColumns {
                                patch(plane, i, j, outside: sink, offset: { plane + $0 }, into: rows)
                                let src = dv + c * chStride + (i * tileColumns + j) * B
                                var l = 0
                                while l < B {
                                    let p = src + l
                                    // Columns s: B over r; then rows r: B over s.
                                    let c0 = b(load4(p), load4(p + 4 * xiStride), load4(p + 8 * xiStride), load4(p + 12 * xiStride))
                                    let c1 = b(load4(p + xiStride), load4(p + 5 * xiStride), load4(p + 9 * xiStride), load4(p + 13 * xiStride))
                                    let c2 = b(load4(p + 2 * xiStride), load4(p + 6 * xiStride), load4(p + 10 * xiStride), load4(p + 14 * xiStride))
                                    let c3 = b(load4(p + 3 * xiStride), load4(p + 7 * xiStride), load4(p + 11 * xiStride), load4(p + 15 * xiStride))
                                    let r0 = b(c0.0, c1.0, c2.0, c3.0), r1 = b(c0.1, c1.1, c2.1, c3.1)
                                    let r2 = b(c0.2, c1.2, c2.2, c3.2), r3 = b(c0.3, c1.3, c2.3, c3.3)
                                    @inline(__always) func add(_ k: Int, _ v: F4) { store4(load4(rows[k] + l) + v, rows[k] + l) }
                                    add(0, r0.0); add(1, r0.1); add(2, r0.2); add(3, r0.3)
                                    add(4, r1.0); add(5, r1.1); add(6, r1.2); add(7, r1.3)
                                    add(8, r2.0); add(9, r2.1); add(10, r2.2); add(11, r2.3)
                                    add(12, r3.0); add(13, r3.1); add(14, r3.2); add(15, r3.3)
                                    l += 4
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

// MARK: Filters

/// `G·(g₀, g₁, g₂)`.
@inline(__always) private func gcol(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float) {
    (g0, 0.5 * (g0 + g1 + g2), 0.5 * (g0 - g1 + g2), g2)
}

/// `Gᵀ·(d₀, d₁, d₂, d₃)`, the adjoint of ``gcol``.
@inline(__always) private func gtcol(_ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float) -> (Float, Float, Float) {
    (d0 + 0.5 * (d1 + d2), 0.5 * (d1 - d2), 0.5 * (d1 + d2) + d3)
}

/// `U_ξ = G g Gᵀ` for weights `[Cout, Cin, 3, 3]` → U `[16, Cout, Cin]`.
func winogradFilterTransform(_ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into u: UnsafeMutablePointer<Float>) {
    let pairs = outChannels * inChannels
    Parallel.forEachChunk(pairs, chunk: 1024) { ks in for k in ks {
        let g = w + 9 * k
        // G·g column by column: t[r][col].
        let t0 = gcol(g[0], g[3], g[6]), t1 = gcol(g[1], g[4], g[7]), t2 = gcol(g[2], g[5], g[8])
        // (G·g)·Gᵀ row by row.
        for r in 0..<4 {
            let row = r == 0 ? (t0.0, t1.0, t2.0) : r == 1 ? (t0.1, t1.1, t2.1) : r == 2 ? (t0.2, t1.2, t2.2) : (t0.3, t1.3, t2.3)
            let v = gcol(row.0, row.1, row.2)
            u[(4 * r) * pairs + k] = v.0
            u[(4 * r + 1) * pairs + k] = v.1
            u[(4 * r + 2) * pairs + k] = v.2
            u[(4 * r + 3) * pairs + k] = v.3
        }
    } }
}

/// `dg += Gᵀ dU G`: dU `[16, Cout, Cin]` → the weight gradient `[Cout, Cin, 3, 3]`
/// (the adjoint of ``winogradFilterTransform(_:outChannels:inChannels:into:)``).
func winogradFilterGradient(_ du: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into dw: UnsafeMutablePointer<Float>) {
    let pairs = outChannels * inChannels
    Parallel.forEachChunk(pairs, chunk: 1024) { ks in for k in ks {
        @inline(__always) func d(_ xi: Int) -> Float { du[xi * pairs + k] }
        // dU·G row by row: t[r][col].
        let t0 = gtcol(d(0), d(1), d(2), d(3)), t1 = gtcol(d(4), d(5), d(6), d(7))
        let t2 = gtcol(d(8), d(9), d(10), d(11)), t3 = gtcol(d(12), d(13), d(14), d(15))
        // Gᵀ·(dU·G) column by column.
        let c0 = gtcol(t0.0, t1.0, t2.0, t3.0), c1 = gtcol(t0.1, t1.1, t2.1, t3.1), c2 = gtcol(t0.2, t1.2, t2.2, t3.2)
        let g = dw + 9 * k
        g[0] += c0.0; g[3] += c0.1; g[6] += c0.2
        g[1] += c1.0; g[4] += c1.1; g[7] += c1.2
        g[2] += c2.0; g[5] += c2.1; g[8] += c2.2
    } }
}
