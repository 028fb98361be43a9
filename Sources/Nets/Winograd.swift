import CKernels
import Tensors

/// Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016) for 3 × 3 convolutions with padding 1 on CHWB
/// activations `[C, H, W, B]`.
///
/// The output is cut into 4 × 4 tiles `t = i·tw + j` (`th = ⌈H/4⌉`, `tw = ⌈W/4⌉`); tile
/// `t` reads the 6 × 6 input patch `d` at rows `4i−1 … 4i+4`, columns `4j−1 … 4j+4`
/// (zero outside the image). With the interpolation points 0, ±1, ±2, ∞,
///
///     Bᵀ = ⎡4  0 −5  0  1  0⎤    G = ⎡ 1/4     0     0⎤    Aᵀ = ⎡1  1  1  1  1  0⎤
///          ⎢0 −4 −4  1  1  0⎥        ⎢−1/6  −1/6  −1/6⎥         ⎢0  1 −1  2 −2  0⎥
///          ⎢0  4 −4 −1  1  0⎥        ⎢−1/6   1/6  −1/6⎥         ⎢0  1  1  4  4  0⎥
///          ⎢0 −2 −1  2  1  0⎥        ⎢1/24  1/12   1/6⎥         ⎣0  1 −1  8 −8  1⎦
///          ⎢0  2 −1 −2  1  0⎥        ⎢1/24 −1/12   1/6⎥
///          ⎣0  4  0 −5  0  1⎦        ⎣   0     0     1⎦
///
/// `V = Bᵀ d B`, `U = G g Gᵀ` and the output tile is `Y = Aᵀ (Σ_cin U ⊙ V) A`. For each of
/// the 36 positions ξ of the 6 × 6 transform the sum over input channels is one product
///
///     M_ξ [Cout, T·B] = U_ξ [Cout, Cin] · V_ξ [Cin, T·B],
///
/// so a convolution costs `36·T` multiply–adds per channel pair instead of `9·H·W`: at
/// 14 × 14 (16 tiles per image, the last row and column overhanging) 576 against 1764,
/// a third of the direct (im2col) form; F(2×2, 3×3) would need 784. The fused passes
/// skip the positions an overhanging tile never uses (``tileNeeds(_:_:xi:)``): 529 at
/// 14 × 14, and 121 of 144 at 7 × 7. The price is
/// rounding: the transforms' coefficients reach 8, so results carry Float32 errors of
/// about 1e-6 relative to the size of the inputs (checked against a direct sum in Double).
///
/// Backward, each line the adjoint of a forward step: `dM = A dY Aᵀ`,
/// `dU_ξ = dM_ξ V_ξᵀ`, `dg = Gᵀ dU G`, `dV_ξ = U_ξᵀ dM_ξ`, and `dd = B dV Bᵀ` added
/// back at the patch positions.
///
/// Layouts: `V` `[Cin, 36, T·B]`, `M` and `dM` `[Cout, 36, T·B]` (each row padded, see
/// ``xiStride``), `U` `[36, Cout, Cin]`. The product for ξ reads row ξ of every channel,
/// so a channel's transformed tiles are written into one contiguous region.
@_spi(Benchmark) public struct WinogradGeometry {
    let g: ImageGeometry
    /// Positions of the transform (6 × 6).
    @_spi(Benchmark) public static let positions = 36
    /// Tile rows and columns, `⌈H/4⌉`, `⌈W/4⌉`.
    var tileRows: Int { (g.height + 3) / 4 }
    var tileColumns: Int { (g.width + 3) / 4 }
    /// Tiles per image, `T = ⌈H/4⌉·⌈W/4⌉`.
    static func tiles(height: Int, width: Int) -> Int { (height + 3) / 4 * ((width + 3) / 4) }
    /// Values per channel and position ξ of a transformed activation, `T·B`.
    @_spi(Benchmark) public var columns: Int { Self.tiles(height: g.height, width: g.width) * g.batch }
    /// Distance between the rows of consecutive ξ, `T·B` plus 16 floats: at 14 × 14 and
    /// batch 128, `T·B` is 2048 and the 36 streams of a transform would sit exactly 8 KiB
    /// apart, all in the same L1 cache sets (it made the transforms 2.5× slower).
    var xiStride: Int { columns + 16 }
    /// Row stride of the product matrices `V_ξ`, `M_ξ`: `36·(T·B + 16)`.
    var rowStride: Int { Self.positions * xiStride }

    @_spi(Benchmark) public init(_ g: ImageGeometry) { self.g = g }

    /// Whether tile `(i, j)` needs position ξ = 6r + s: Aᵀ reads the last row or column
    /// of positions (r = 5 or s = 5) only for the fourth output, so a tile whose fourth
    /// output row or column is off the image never uses M there, and its dM there is
    /// zero. The fused passes (CKernels' `tile_needs`) skip those products.
    func tileNeeds(_ i: Int, _ j: Int, xi: Int) -> Bool {
        (xi / 6 < 5 || g.height - 4 * i >= 4) && (xi % 6 < 5 || g.width - 4 * j >= 4)
    }

    /// Columns of the fused passes' products for position ξ: the tiles that need it
    /// (``tileNeeds(_:_:xi:)``) times the batch. Summed over ξ, per image: 529 of
    /// 16 · 36 = 576 at 14 × 14, 121 of 144 at 7 × 7, all at 28 × 28.
    @_spi(Benchmark) public func columns(xi: Int) -> Int {
        var tiles = 0
        for i in 0..<tileRows { for j in 0..<tileColumns where tileNeeds(i, j, xi: xi) { tiles += 1 } }
        return tiles * g.batch
    }

    /// Distance between consecutive ξ of transformed filters `U` `[36, Cout, Cin]`: the
    /// pair count plus 16 floats, for the same reason as ``xiStride`` (32 × 32 pairs are 4 KiB).
    static func filterStride(outChannels: Int, inChannels: Int) -> Int { outChannels * inChannels + 16 }
}

// MARK: One-dimensional transforms (applied to columns, then to rows)

/// Six lane vectors.
typealias Six = (F4, F4, F4, F4, F4, F4)

/// `Bᵀ·d`.
@inline(__always) private func bt(_ d: Six) -> Six {
    let four = F4(repeating: 4), two = F4(repeating: 2), five = F4(repeating: 5)
    let a = d.4 - d.2, b = d.3 - d.1
    return (
        four * d.0 - five * d.2 + d.4,
        d.3 + d.4 - four * (d.1 + d.2),
        four * (d.1 - d.2) - d.3 + d.4,
        a + two * b,
        a - two * b,
        four * d.1 - five * d.3 + d.5
    )
}

/// `B·v`, the adjoint of ``bt``.
@inline(__always) private func b(_ v: Six) -> Six {
    let four = F4(repeating: 4), two = F4(repeating: 2), five = F4(repeating: 5)
    return (
        four * v.0,
        four * (v.2 - v.1 + v.5) + two * (v.4 - v.3),
        -(five * v.0) - four * (v.1 + v.2) - v.3 - v.4,
        v.1 - v.2 + two * (v.3 - v.4) - five * v.5,
        v.0 + v.1 + v.2 + v.3 + v.4,
        v.5
    )
}

/// `Aᵀ·m`: six values to four.
@inline(__always) private func at(_ m: Six) -> (F4, F4, F4, F4) {
    let p1 = m.1 + m.2, m1 = m.1 - m.2, p2 = m.3 + m.4, m2 = m.3 - m.4
    let two = F4(repeating: 2), four = F4(repeating: 4), eight = F4(repeating: 8)
    return (m.0 + p1 + p2, m1 + two * m2, p1 + four * p2, m1 + eight * m2 + m.5)
}

/// `A·y`: four values to six, the adjoint of ``at``.
@inline(__always) private func a(_ y0: F4, _ y1: F4, _ y2: F4, _ y3: F4) -> Six {
    let two = F4(repeating: 2), four = F4(repeating: 4), eight = F4(repeating: 8)
    let e = y0 + y2, o = y1 + y3, e4 = y0 + four * y2, o2 = two * y1 + eight * y3
    return (y0, e + o, e - o, e4 + o2, e4 - o2, y3)
}

// MARK: Activations

extension WinogradGeometry {
    /// Pointers to the 36 input rows `(c, 4i−1+r, 4j−1+s, ·)` of tile `(i, j)` in
    /// `rows[6r + s]`, or to `outside` where the position is off the image.
    @inline(__always)
    func patch<P>(_ i: Int, _ j: Int, outside: P, offset: (Int) -> P, into rows: UnsafeMutablePointer<P>) {
        for r in 0..<6 {
            let y = 4 * i - 1 + r
            for s in 0..<6 {
                let x = 4 * j - 1 + s
                rows[6 * r + s] =
                    y >= 0 && y < g.height && x >= 0 && x < g.width ? offset((y * g.width + x) * g.batch) : outside
            }
        }
    }

    /// `V = Bᵀ d B` for every tile: x `[C, H, W, B]` → V `[C, 36, T·B]`.
    /// `vectorLevel`: the widest CKernels body to use (0 this Swift body, 1 AVX2, 2 AVX-512;
    /// each bit for bit this one).
    func inputTransform(
        _ x: UnsafePointer<Float>, channels: Int, into v: UnsafeMutablePointer<Float>, vectorLevel: Int32 = 2
    ) {
        let B = g.batch, n = g.count, xiStride = self.xiStride, chStride = rowStride
        withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { zero in
            zero.initialize(repeating: 0)
            let outside = UnsafePointer(zero.baseAddress!)
            Parallel.forEachChunk(channels, chunk: 1) { cs in
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 36) { rowsBuffer in
                    withUnsafeTemporaryAllocation(of: F4.self, capacity: 36) { tmpBuffer in
                        let rows = rowsBuffer.baseAddress!, t = tmpBuffer.baseAddress!
                        for c in cs {
                            let plane = x + c * n
                            if vectorLevel > 0,
                                ck_winograd_input_plane(
                                    vectorLevel, plane, g.height, g.width, B, outside, v + c * chStride, xiStride)
                            {
                                continue
                            }
                            for i in 0..<tileRows {
                                for j in 0..<tileColumns {
                                    patch(i, j, outside: outside, offset: { plane + $0 }, into: rows)
                                    let out = v + c * chStride + (i * tileColumns + j) * B
                                    var l = 0
                                    while l < B {
                                        for s in 0..<6 { // columns: Bᵀ over r
                                            let u = bt(
                                                (
                                                    load4(rows[s] + l), load4(rows[6 + s] + l), load4(rows[12 + s] + l),
                                                    load4(rows[18 + s] + l), load4(rows[24 + s] + l),
                                                    load4(rows[30 + s] + l)
                                                ))
                                            t[s] = u.0; t[6 + s] = u.1; t[12 + s] = u.2; t[18 + s] = u.3;
                                            t[24 + s] = u.4; t[30 + s] = u.5
                                        }
                                        for r in 0..<6 { // rows: B over s; ξ = 6r + s
                                            let w = bt(
                                                (
                                                    t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4],
                                                    t[6 * r + 5]
                                                ))
                                            let o = out + 6 * r * xiStride + l
                                            store4(w.0, o); store4(w.1, o + xiStride); store4(w.2, o + 2 * xiStride)
                                            store4(w.3, o + 3 * xiStride); store4(w.4, o + 4 * xiStride);
                                            store4(w.5, o + 5 * xiStride)
                                        }
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

    /// Tiles per block of ``fusedForward(_:inChannels:_:filterStride:outChannels:bias:scratch:into:vectorLevel:)``.
    /// On one core at 14 × 14 and a slice of 16 images (2026-12-07): 32 → 32 channels
    /// 1.07× the transforms and products in turn with 2 or 4 tiles per block and 0.90×
    /// with 1; 96 → 32 1.12×; at 7 × 7 (four tiles) the same time.
    static let tilesPerBlock = 4

    /// `y = conv(x) + b` in one CKernels call, a few tiles at a time (each block's input
    /// transform, 36 products and output transform in turn, so that `V` and `M` stay in
    /// the core's caches): bit for bit ``inputTransform(_:channels:into:vectorLevel:)``,
    /// `M_ξ = U_ξ·V_ξ` by ``smallProduct`` and ``outputTransform(_:channels:bias:into:vectorLevel:)``,
    /// then `y += residual` when one is given (added to each output as it is stored).
    /// One core (the U-Net's slices). `scratch`: ``fusedScratchCount(inChannels:outChannels:)``
    /// floats. False, with nothing written, where no vector body runs (the CPU, the batch,
    /// `CMLAB_SMALL_PRODUCTS=openblas`); the caller then runs the three steps.
    func fusedForward(
        _ x: UnsafePointer<Float>, inChannels: Int, _ u: UnsafePointer<Float>, filterStride: Int, outChannels: Int,
        bias: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil, scratch: UnsafeMutablePointer<Float>,
        into y: UnsafeMutablePointer<Float>, vectorLevel: Int32 = 2
    ) -> Bool {
        guard vectorLevel > 0, SmallProducts.fitsNN(m: outChannels, k: inChannels) else { return false }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: g.batch) { zero in
            zero.initialize(repeating: 0)
            return ck_winograd_conv_forward(
                vectorLevel, SmallProducts.maxLevel, x, inChannels, g.height, g.width, g.batch, u, filterStride,
                outChannels, bias, residual, zero.baseAddress!, Self.tilesPerBlock, scratch, y)
        }
    }

    /// A backward in one CKernels call, a few tiles at a time: each block's `dM = A dY Aᵀ`,
    /// with `gradInput` `dV_ξ = U_ξᵀ·dM_ξ` and `dx (+)= B dV Bᵀ`, then `V` (x transformed
    /// again) and `dU_ξ = dM_ξ·V_ξᵀ`, so that dM, dV and V stay in the core's caches and
    /// never exist for the whole slice. Bit for bit ``gradOutputTransform(_:channels:into:vectorLevel:)``,
    /// ``smallProduct`` over all columns, ``gradInputTransform(_:channels:into:accumulate:vectorLevel:)``,
    /// ``inputTransform(_:channels:into:vectorLevel:)`` and ``smallProductNTShort`` (whose
    /// chunks the blocks follow). Writes dU `[36, Cout, Cin]` (rows as U's). One core;
    /// `scratch`: ``fusedBackwardScratchCount(inChannels:outChannels:)`` floats. False,
    /// with nothing written, where no vector body runs or the chunks of the weight
    /// gradient are not whole blocks.
    func fusedBackward(
        _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
        _ u: UnsafePointer<Float>, filterStride: Int, scratch: UnsafeMutablePointer<Float>,
        gradFilters du: UnsafeMutablePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>?, accumulate: Bool,
        vectorLevel: Int32 = 2
    ) -> Bool {
        let chunk = SmallProducts.ntShortChunk(m: outChannels)
        guard vectorLevel > 0, SmallProducts.fitsNN(m: inChannels, k: outChannels),
            SmallProducts.fitsNN(m: outChannels, k: chunk)
        else { return false }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * g.batch) { buffer in
            buffer.initialize(repeating: 0)
            let zero = buffer.baseAddress!, sink = zero + g.batch
            return ck_winograd_conv_backward(
                vectorLevel, SmallProducts.maxLevel, dy, x, outChannels, inChannels, g.height, g.width, g.batch, u,
                filterStride, zero, sink, Self.tilesPerBlock, chunk, scratch, du, dx, accumulate)
        }
    }

    /// Floats of scratch ``fusedBackward(_:_:outChannels:inChannels:_:filterStride:scratch:gradFilters:gradInput:accumulate:vectorLevel:)``
    /// needs: the forward's blocks, a block's `V_ξᵀ`, and a later chunk's `dU` when the
    /// columns exceed one chunk.
    func fusedBackwardScratchCount(inChannels: Int, outChannels: Int) -> Int {
        let chunks = columns > SmallProducts.ntShortChunk(m: outChannels)
        return fusedScratchCount(inChannels: inChannels, outChannels: outChannels) + blockColumns * inChannels
            + (chunks ? Self.positions * Self.filterStride(outChannels: outChannels, inChannels: inChannels) : 0)
    }

    /// Floats of scratch ``fusedForward(_:inChannels:_:filterStride:outChannels:bias:scratch:into:vectorLevel:)``
    /// needs, a block's `V` and `M`; never more than ``rowStride``·(Cin + Cout), the three
    /// steps' `V` and `M`.
    func fusedScratchCount(inChannels: Int, outChannels: Int) -> Int {
        Self.positions * ((inChannels + outChannels) * blockColumns + 32)
    }

    /// Columns of a block of the fused passes (fewer tiles when the image has fewer).
    private var blockColumns: Int { min(Self.tilesPerBlock, Self.tiles(height: g.height, width: g.width)) * g.batch }

    /// `y = Aᵀ M A + bias` for every tile: M `[C, 36, T·B]` → y `[C, H, W, B]`.
    /// `vectorLevel`: the widest CKernels body to use (0 this Swift body, 1 AVX2, 2 AVX-512;
    /// each bit for bit this one).
    func outputTransform(
        _ m: UnsafePointer<Float>, channels: Int, bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
        vectorLevel: Int32 = 2
    ) {
        let B = g.batch, n = g.count, xiStride = self.xiStride, chStride = rowStride, W = g.width, H = g.height
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            withUnsafeTemporaryAllocation(of: F4.self, capacity: 24) { tmpBuffer in
                let t = tmpBuffer.baseAddress!
                for c in cs {
                    let beta = F4(repeating: bias[c]), plane = y + c * n
                    if vectorLevel > 0,
                        ck_winograd_output_plane(vectorLevel, m + c * chStride, xiStride, H, W, B, bias[c], plane)
                    {
                        continue
                    }
                    for i in 0..<tileRows {
                        let rowsInside = min(4, H - 4 * i)
                        for j in 0..<tileColumns {
                            let colsInside = min(4, W - 4 * j)
                            let src = m + c * chStride + (i * tileColumns + j) * B
                            let y0 = plane + ((4 * i) * W + 4 * j) * B
                            var l = 0
                            while l < B {
                                let p = src + l
                                for s in 0..<6 { // columns: Aᵀ over r
                                    let u = at(
                                        (
                                            load4(p + s * xiStride), load4(p + (6 + s) * xiStride),
                                            load4(p + (12 + s) * xiStride),
                                            load4(p + (18 + s) * xiStride), load4(p + (24 + s) * xiStride),
                                            load4(p + (30 + s) * xiStride)
                                        ))
                                    t[s] = u.0; t[6 + s] = u.1; t[12 + s] = u.2; t[18 + s] = u.3
                                }
                                for u in 0..<rowsInside { // rows: A over s
                                    let w = at(
                                        (t[6 * u], t[6 * u + 1], t[6 * u + 2], t[6 * u + 3], t[6 * u + 4], t[6 * u + 5])
                                    )
                                    let o = y0 + u * W * B + l
                                    store4(w.0 + beta, o)
                                    if colsInside > 1 { store4(w.1 + beta, o + B) }
                                    if colsInside > 2 { store4(w.2 + beta, o + 2 * B) }
                                    if colsInside > 3 { store4(w.3 + beta, o + 3 * B) }
                                }
                                l += 4
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dM = A dY Aᵀ` for every tile: dY `[C, H, W, B]` → dM `[C, 36, T·B]` (the adjoint
    /// of ``outputTransform(_:channels:bias:into:)`` without the bias).
    /// `vectorLevel`: the widest CKernels body to use (0 this Swift body, 1 AVX2, 2 AVX-512;
    /// each bit for bit this one).
    func gradOutputTransform(
        _ dy: UnsafePointer<Float>, channels: Int, into dm: UnsafeMutablePointer<Float>, vectorLevel: Int32 = 2
    ) {
        let B = g.batch, n = g.count, xiStride = self.xiStride, chStride = rowStride, W = g.width, H = g.height
        withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { zero in
            zero.initialize(repeating: 0)
            let outside = UnsafePointer(zero.baseAddress!)
            Parallel.forEachChunk(channels, chunk: 1) { cs in
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 16) { rowsBuffer in
                    withUnsafeTemporaryAllocation(of: F4.self, capacity: 24) { tmpBuffer in
                        let rows = rowsBuffer.baseAddress!, t = tmpBuffer.baseAddress!
                        for c in cs {
                            let plane = dy + c * n
                            if vectorLevel > 0,
                                ck_winograd_grad_output_plane(
                                    vectorLevel, plane, H, W, B, outside, dm + c * chStride, xiStride)
                            {
                                continue
                            }
                            for i in 0..<tileRows {
                                for j in 0..<tileColumns {
                                    for u in 0..<4 {
                                        for v in 0..<4 {
                                            let yy = 4 * i + u, xx = 4 * j + v
                                            rows[4 * u + v] = yy < H && xx < W ? plane + (yy * W + xx) * B : outside
                                        }
                                    }
                                    let out = dm + c * chStride + (i * tileColumns + j) * B
                                    var l = 0
                                    while l < B {
                                        for v in 0..<4 { // columns: A over u
                                            let e = a(
                                                load4(rows[v] + l), load4(rows[4 + v] + l), load4(rows[8 + v] + l),
                                                load4(rows[12 + v] + l))
                                            t[v] = e.0; t[4 + v] = e.1; t[8 + v] = e.2; t[12 + v] = e.3;
                                            t[16 + v] = e.4; t[20 + v] = e.5
                                        }
                                        for r in 0..<6 { // rows: A over v; ξ = 6r + s
                                            let w = a(t[4 * r], t[4 * r + 1], t[4 * r + 2], t[4 * r + 3])
                                            let o = out + 6 * r * xiStride + l
                                            store4(w.0, o); store4(w.1, o + xiStride); store4(w.2, o + 2 * xiStride)
                                            store4(w.3, o + 3 * xiStride); store4(w.4, o + 4 * xiStride);
                                            store4(w.5, o + 5 * xiStride)
                                        }
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

    /// `dx (+)= Σ_tiles B dV Bᵀ` at the patch positions: dV `[C, 36, T·B]` → dx
    /// `[C, H, W, B]` (the adjoint of ``inputTransform(_:channels:into:)``). Each channel
    /// is one task and tiles are added in a fixed order, so the sums are deterministic.
    func gradInputTransform(
        _ dv: UnsafePointer<Float>, channels: Int, into dx: UnsafeMutablePointer<Float>, accumulate: Bool,
        vectorLevel: Int32 = 2
    ) {
        let B = g.batch, n = g.count, xiStride = self.xiStride, chStride = rowStride
        Parallel.forEachChunk(channels, chunk: 1) { cs in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: B) { sinkBuffer in
                withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>.self, capacity: 36) { rowsBuffer in
                    withUnsafeTemporaryAllocation(of: F4.self, capacity: 36) { tmpBuffer in
                        let sink = sinkBuffer.baseAddress!, rows = rowsBuffer.baseAddress!, t = tmpBuffer.baseAddress!
                        for c in cs {
                            let plane = dx + c * n
                            if !accumulate { plane.update(repeating: 0, count: n) }
                            if vectorLevel > 0,
                                ck_winograd_grad_input_plane(
                                    vectorLevel, dv + c * chStride, xiStride, g.height, g.width, B, sink, plane)
                            {
                                continue
                            }
                            for i in 0..<tileRows {
                                for j in 0..<tileColumns {
                                    patch(i, j, outside: sink, offset: { plane + $0 }, into: rows)
                                    let src = dv + c * chStride + (i * tileColumns + j) * B
                                    var l = 0
                                    while l < B {
                                        let p = src + l
                                        for s in 0..<6 { // columns: B over r
                                            let u = b(
                                                (
                                                    load4(p + s * xiStride), load4(p + (6 + s) * xiStride),
                                                    load4(p + (12 + s) * xiStride),
                                                    load4(p + (18 + s) * xiStride), load4(p + (24 + s) * xiStride),
                                                    load4(p + (30 + s) * xiStride)
                                                ))
                                            t[s] = u.0; t[6 + s] = u.1; t[12 + s] = u.2; t[18 + s] = u.3;
                                            t[24 + s] = u.4; t[30 + s] = u.5
                                        }
                                        for r in 0..<6 { // rows: B over s, added at (r, s)
                                            let w = b(
                                                (
                                                    t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4],
                                                    t[6 * r + 5]
                                                ))
                                            let q = rows + 6 * r
                                            store4(load4(q[0] + l) + w.0, q[0] + l);
                                            store4(load4(q[1] + l) + w.1, q[1] + l)
                                            store4(load4(q[2] + l) + w.2, q[2] + l);
                                            store4(load4(q[3] + l) + w.3, q[3] + l)
                                            store4(load4(q[4] + l) + w.4, q[4] + l);
                                            store4(load4(q[5] + l) + w.5, q[5] + l)
                                        }
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
}

// MARK: Filters

/// 1/6, 1/12 and 1/24 as Float constants: multiplying by them instead of dividing keeps
/// `divss` (11 cycles, not pipelined) out of the filter transforms.
private let sixth: Float = 1.0 / 6, twelfth: Float = 1.0 / 12, twentyFourth: Float = 1.0 / 24

/// `G·(g₀, g₁, g₂)`: three values to six.
@inline(__always) private func gcol(_ g0: Float, _ g1: Float, _ g2: Float) -> (Float, Float, Float, Float, Float, Float)
{
    let even = g0 + g2, e4 = g0 * twentyFourth + g2 * sixth, o = g1 * twelfth
    return (0.25 * g0, -(even + g1) * sixth, (g1 - even) * sixth, e4 + o, e4 - o, g2)
}

/// `Gᵀ·d`: six values to three, the adjoint of ``gcol``.
@inline(__always) private func gtcol(
    _ d0: Float, _ d1: Float, _ d2: Float, _ d3: Float, _ d4: Float, _ d5: Float
) -> (Float, Float, Float) {
    (
        0.25 * d0 - (d1 + d2) * sixth + (d3 + d4) * twentyFourth,
        (d2 - d1) * sixth + (d3 - d4) * twelfth,
        (d3 + d4 - d1 - d2) * sixth + d5
    )
}

/// `U_ξ = G g Gᵀ` for weights `[Cout, Cin, 3, 3]` → U `[36, Cout, Cin]` (ξ rows
/// ``WinogradGeometry/filterStride(outChannels:inChannels:)`` apart).
/// `vectorLevel` 2 (and a CPU with AVX-512) runs CKernels' body on every 16 pairs, the
/// same bits, and this one on the rest; 0 or 1 this one on all.
func winogradFilterTransform(
    _ w: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into u: UnsafeMutablePointer<Float>,
    vectorLevel: Int32 = 2
) {
    let pairs = outChannels * inChannels,
        stride = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
    Parallel.forEachChunk(pairs, chunk: 512) { ks in
        let done = ck_winograd_filter_transform(
            vectorLevel, w + 9 * ks.lowerBound, ks.count, u + ks.lowerBound, stride)
        for k in (ks.lowerBound + done)..<ks.upperBound {
            let g = w + 9 * k
            // G·g column by column: t[r][col].
            let c0 = gcol(g[0], g[3], g[6]), c1 = gcol(g[1], g[4], g[7]), c2 = gcol(g[2], g[5], g[8])
            @inline(__always) func row(_ r: Int, _ a: Float, _ b: Float, _ c: Float) {
                let v = gcol(a, b, c) // (G·g)·Gᵀ, row r
                u[(6 * r) * stride + k] = v.0; u[(6 * r + 1) * stride + k] = v.1; u[(6 * r + 2) * stride + k] = v.2
                u[(6 * r + 3) * stride + k] = v.3; u[(6 * r + 4) * stride + k] = v.4; u[(6 * r + 5) * stride + k] = v.5
            }
            row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
            row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
        }
    }
}

/// `dg += Gᵀ dU G`: dU `[36, Cout, Cin]` (rows as U's) → the weight gradient
/// `[Cout, Cin, 3, 3]` (the adjoint of ``winogradFilterTransform(_:outChannels:inChannels:into:)``).
/// `vectorLevel` 2 (and a CPU with AVX-512) runs CKernels' body on every 16 pairs, the
/// same bits, and this one on the rest; 0 or 1 this one on all.
func winogradFilterGradient(
    _ du: UnsafePointer<Float>, outChannels: Int, inChannels: Int, into dw: UnsafeMutablePointer<Float>,
    vectorLevel: Int32 = 2
) {
    let pairs = outChannels * inChannels,
        stride = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
    Parallel.forEachChunk(pairs, chunk: 512) { ks in
        let done = ck_winograd_filter_gradient(
            vectorLevel, du + ks.lowerBound, stride, ks.count, dw + 9 * ks.lowerBound)
        for k in (ks.lowerBound + done)..<ks.upperBound {
            @inline(__always) func row(_ r: Int) -> (Float, Float, Float) { // dU·G, row r
                let d = du + 6 * r * stride + k
                return gtcol(d[0], d[stride], d[2 * stride], d[3 * stride], d[4 * stride], d[5 * stride])
            }
            let t0 = row(0), t1 = row(1), t2 = row(2), t3 = row(3), t4 = row(4), t5 = row(5)
            // Gᵀ·(dU·G) column by column.
            let c0 = gtcol(t0.0, t1.0, t2.0, t3.0, t4.0, t5.0)
            let c1 = gtcol(t0.1, t1.1, t2.1, t3.1, t4.1, t5.1)
            let c2 = gtcol(t0.2, t1.2, t2.2, t3.2, t4.2, t5.2)
            let g = dw + 9 * k
            g[0] += c0.0; g[3] += c0.1; g[6] += c0.2
            g[1] += c1.0; g[4] += c1.1; g[7] += c1.2
            g[2] += c2.0; g[5] += c2.1; g[8] += c2.2
        }
    }
}
