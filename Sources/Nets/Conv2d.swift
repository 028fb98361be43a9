import Tensors

/// A 2-D convolution with stride 1 and "same" zero padding (`kernel/2`), kernel 1 or 3,
/// weights `[out, in, k, k]` and bias `[out]` in a ``ParameterStore`` (PyTorch's layout).
///
/// Activations are CHWB, `[C, H, W, B]` (``ImageGeometry``): channel `c` of the whole
/// batch is one contiguous row of `N = H·W·B` values, so channel concatenation is free
/// (rows stack), which is what a U-Net's skip connections need.
///
/// A 1 × 1 kernel is one product over the batch, `y[Cout, N] = W[Cout, Cin]·x[Cin, N] + b`.
/// A 3 × 3 kernel runs Winograd's F(4×4, 3×3) (``WinogradGeometry``): 36 products
/// `M_ξ = U_ξ·V_ξ` between transformed filters and transformed input tiles. Training a
/// whole batch keeps `U` and `V` for the backward; the U-Net's training slices keep
/// nothing and transform their input again in the backward.
///
/// The products of one layer are spread over the cores by the layer itself (the 36 ξ, or
/// halves of the columns; OpenBLAS is single-threaded in CMLab).
public struct Conv2d: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let weightOffset: Int
    public let biasOffset: Int

    /// Fan-in, `Cin·k²`.
    public var fanIn: Int { inChannels * kernel * kernel }

    public init(_ name: String, in store: ParameterStore) {
        guard let w = store.entry(name + ".weight"), let b = store.entry(name + ".bias"),
            w.shape.count == 4, w.shape[2] == w.shape[3], b.shape == [w.shape[0]]
        else { preconditionFailure("no conv layer \(name) in the store") }
        inChannels = w.shape[1]
        outChannels = w.shape[0]
        kernel = w.shape[2]
        precondition(kernel == 1 || kernel == 3, "Conv2d supports kernels 1 and 3, got \(kernel)")
        weightOffset = w.offset
        biasOffset = b.offset
    }

    public static func layout(
        _ name: String, inChannels: Int, outChannels: Int, kernel: Int
    ) -> [(name: String, shape: [Int])] {
        [(name + ".weight", [outChannels, inChannels, kernel, kernel]), (name + ".bias", [outChannels])]
    }

    /// Weights `N(0, gain²/fan_in)` by flat index from `rng` (gain 0: zero weights), zero bias.
    public func initialize(_ store: ParameterStore, rng: RNG, gain: Double = 1) {
        let scale = gain / Double(fanIn).squareRoot()
        let w = store.values + weightOffset
        for i in 0..<(outChannels * fanIn) { w[i] = Float(rng.normal(at: UInt64(i)) * scale) }
        (store.values + biasOffset).update(repeating: 0, count: outChannels)
    }

    /// Floats the training forward keeps for the backward at geometry `g`: for k = 3 the
    /// transformed filters `U` `[36, Cout, Cin]` and input `V` `[Cin, 36, T·B]` (k = 1 keeps
    /// nothing: its input is used).
    func keptCount(_ g: ImageGeometry) -> Int {
        kernel == 3 && !isDirect ? xi * filterStride + inChannels * WinogradGeometry(g).rowStride : 0
    }

    /// Floats of the transformed filters `U` `[36, Cout, Cin]` (k = 3).
    var transformedCount: Int { xi * filterStride }

    /// Positions of the Winograd transform.
    private var xi: Int { WinogradGeometry.positions }
    /// Distance between the transformed filters of consecutive ξ.
    private var filterStride: Int { WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels) }

    /// Floats of scratch a forward or backward needs at geometry `g`: `dU` (or `U`), `dM`
    /// (or `M`), `V` and `dV`, and a chunk of `V_ξᵀ` for the weight gradient's products;
    /// or dU and the blocks of the fused backward, if more.
    func scratchCount(_ g: ImageGeometry) -> Int {
        guard kernel == 3 else { return 0 }
        if isDirect { return directScratchCount(g) }
        let wg = WinogradGeometry(g)
        return xi * filterStride
            + max(
                wg.rowStride * (inChannels + outChannels) + SmallProducts.ntShortScratch(n: inChannels),
                wg.fusedBackwardScratchCount(inChannels: inChannels, outChannels: outChannels))
    }

    /// `y = conv(x) + b`: x `[Cin, H, W, B]` → y `[Cout, H, W, B]` (`bias`, when given, in
    /// place of the layer's `b`: a residual block adds its skip's bias there; `residual`,
    /// `[Cout, H, W, B]`, when given is added after: y = (conv(x) + b) + residual). For k = 3, `kept`
    /// (``keptCount(_:)`` floats, training a whole batch) receives the transformed filters
    /// and input; `scratch` holds ``scratchCount(_:)`` floats.
    ///
    /// `filters`: already transformed filters; when they hold this layer's `U` and
    /// nothing is kept, the forward reads it there instead of transforming the weights
    /// again (inference, and the U-Net's training slices, whose backward transforms its
    /// input again), and runs a few tiles at a time on this core
    /// (``WinogradGeometry/fusedForward(_:inChannels:_:filterStride:outChannels:bias:scratch:into:vectorLevel:)``).
    func forward(
        _ x: UnsafePointer<Float>, _ g: ImageGeometry, kept: UnsafeMutablePointer<Float>?,
        scratch: UnsafeMutablePointer<Float>, _ store: ParameterStore, filters: WinogradFilters? = nil,
        bias biasOverride: UnsafePointer<Float>? = nil, residual: UnsafePointer<Float>? = nil,
        into y: UnsafeMutablePointer<Float>
    ) {
        // A residual (a block's identity skip), where the fused forward does not add it as
        // it stores y, is added after: y = (conv(x) + b) + residual either way.
        var residualLeft = residual
        defer { if let r = residualLeft { addVectors(r, into: y, count: outChannels * g.count) } }
        let n = g.count, w = store.values + weightOffset,
            bias = biasOverride ?? UnsafePointer(store.values + biasOffset)
        guard kernel == 3 else {
            productOverColumns(m: outChannels, n: n, k: inChannels, w, lda: inChannels, x, y)
            addChannelBias(y, channels: outChannels, n: n, bias: bias)
            return
        }
        if isDirect {
            directForward(x, g, store, scratch: scratch, bias: bias, into: y)
            return
        }
        let wg = WinogradGeometry(g), tb = wg.columns, xs = wg.xiStride, rs = wg.rowStride, us = filterStride
        // U (unless prepared) and V go to `kept` (training a whole batch) or the front of
        // the scratch, M after them.
        let prepared = kept == nil ? filters?.transformed(self) : nil
        if let u = prepared,
            wg.fusedForward(
                x, inChannels: inChannels, u, filterStride: us, outChannels: outChannels, bias: bias,
                residual: residual, scratch: scratch, into: y)
        {
            residualLeft = nil
            return
        }
        var free = kept ?? scratch
        let u = prepared ?? UnsafePointer(free)
        if prepared == nil {
            winogradFilterTransform(w, outChannels: outChannels, inChannels: inChannels, into: free)
            free += xi * us
        }
        let v = free
        free += inChannels * rs
        let m = kept == nil ? free : scratch
        wg.inputTransform(x, channels: inChannels, into: v)
        forEachXi { xi in // M_ξ = U_ξ·V_ξ
            smallProduct(
                m: outChannels, n: tb, k: inChannels, u + xi * us, lda: inChannels,
                v + xi * xs, ldb: rs, m + xi * xs, ldc: rs)
        }
        wg.outputTransform(m, channels: outChannels, bias: bias, into: y)
    }

    /// Accumulates `dW`, `db` (unless not `biasGradient`) from dY `[Cout, N]`; when `gradInput` is given, writes (or
    /// with `accumulate` adds) dX `[Cin, N]` there. A 1 × 1 kernel needs the forward's
    /// `input`. A 3 × 3 kernel reads what a whole-batch forward `kept` (`U`, `V`), or,
    /// with nothing kept, the forward's `input` and transformed `filters` (the U-Net's
    /// training slices): it transforms the input again, so that `V` and `dM` meet in the
    /// caches, and forms `dU_ξ = dM_ξ·V_ξᵀ` over the slice's columns, a few tiles at a
    /// time (``WinogradGeometry/fusedBackward(_:_:outChannels:inChannels:_:filterStride:scratch:gradFilters:gradInput:accumulate:vectorLevel:)``).
    func backward(
        gradOutput dy: UnsafePointer<Float>, kept: UnsafePointer<Float>? = nil, input x: UnsafePointer<Float>? = nil,
        _ g: ImageGeometry, _ store: ParameterStore, scratch: UnsafeMutablePointer<Float>,
        filters: WinogradFilters? = nil, gradInput dx: UnsafeMutablePointer<Float>?, accumulate: Bool = false,
        biasGradient: Bool = true
    ) {
        let n = g.count, dw = store.grads + weightOffset
        if biasGradient { addRowSums(dy, rows: outChannels, n: n, into: store.grads + biasOffset) } // db += Σ_N dY
        guard kernel == 3 else {
            guard let x else { preconditionFailure("a 1 × 1 convolution's backward needs its input") }
            weightGradientOverColumns(m: outChannels, k: inChannels, n: n, dy, x, into: dw) // dW += dY·xᵀ
            if let dx { // dX (+)= Wᵀ·dY
                productOverColumns(
                    transA: true, m: inChannels, n: n, k: outChannels, store.values + weightOffset,
                    lda: inChannels, dy,
                    beta: accumulate ? 1 : 0, dx)
            }
            return
        }
        if isDirect {
            guard let x else { preconditionFailure("a direct convolution's backward needs its input") }
            directBackward(gradOutput: dy, input: x, g, store, scratch: scratch, gradInput: dx, accumulate: accumulate)
            return
        }
        let wg = WinogradGeometry(g), tb = wg.columns, xs = wg.xiStride, rs = wg.rowStride, us = filterStride
        // Scratch: dU, dM, then V (transformed again, or kept) overwritten by dV, then V_ξᵀ.
        let du = scratch, dm = du + xi * us, dv = dm + outChannels * rs
        // A slice's backward with prepared filters: a few tiles at a time, dU after dU's
        // room in the scratch.
        if kept == nil, let x, let u = filters?.transformed(self),
            wg.fusedBackward(
                dy, x, outChannels: outChannels, inChannels: inChannels, u, filterStride: us, scratch: dm,
                gradFilters: du, gradInput: dx, accumulate: accumulate)
        {
            winogradFilterGradient(du, outChannels: outChannels, inChannels: inChannels, into: dw)
            return
        }
        wg.gradOutputTransform(dy, channels: outChannels, into: dm) // dM = A dY Aᵀ
        let u: UnsafePointer<Float>
        if let kept {
            u = kept
            let v = kept + xi * us
            forEachXi { xi in // dU_ξ = dM_ξ·V_ξᵀ over the whole batch's columns
                smallProductNT(
                    m: outChannels, n: inChannels, k: tb, dm + xi * xs, lda: rs,
                    v + xi * xs, ldb: rs, du + xi * us, ldc: inChannels)
            }
            winogradFilterGradient(du, outChannels: outChannels, inChannels: inChannels, into: dw)
        } else {
            guard let x, let prepared = filters?.transformed(self) else {
                preconditionFailure("Conv2d.backward needs what the forward kept, or its input and filters")
            }
            u = prepared
            weightGradient(x, dm, wg, scratch: du, into: dw)
        }
        guard let dx else { return }
        forEachXi { xi in // dV_ξ = U_ξᵀ·dM_ξ
            smallProduct(
                transA: true, m: inChannels, n: tb, k: outChannels, u + xi * us, lda: inChannels,
                dm + xi * xs, ldb: rs, dv + xi * xs, ldc: rs)
        }
        wg.gradInputTransform(dv, channels: inChannels, into: dx, accumulate: accumulate)
    }

    /// `dW += Gᵀ·dU·G` with `dU_ξ = dM_ξ·V_ξᵀ` over a slice's columns, `V` the input `x`
    /// transformed again; `scratch` holds dU, dM (given), then V and a chunk of `V_ξᵀ`.
    private func weightGradient(
        _ x: UnsafePointer<Float>, _ dm: UnsafePointer<Float>, _ wg: WinogradGeometry,
        scratch du: UnsafeMutablePointer<Float>, into dw: UnsafeMutablePointer<Float>
    ) {
        let xs = wg.xiStride, rs = wg.rowStride, us = filterStride, v = du + xi * us + outChannels * rs
        wg.inputTransform(x, channels: inChannels, into: v) // V again
        let vt = v + inChannels * rs
        for p in 0..<xi { // dU_ξ = dM_ξ·V_ξᵀ; one scratch for V_ξᵀ, so one ξ at a time
            smallProductNTShort(
                m: outChannels, n: inChannels, k: wg.columns, dm + p * xs, lda: rs, v + p * xs, ldb: rs,
                du + p * us, ldc: inChannels, scratch: vt)
        }
        winogradFilterGradient(du, outChannels: outChannels, inChannels: inChannels, into: dw)
    }

    /// Runs `body(ξ)` for the Winograd positions, spread over the cores.
    private func forEachXi(_ body: (Int) -> Void) {
        Parallel.forEachChunk(xi, chunk: 1) { r in for k in r { body(k) } }
    }
}

/// `C[m, n] = op(A)·B[k, n] (+ beta·C)` with B and C row-major of row stride `n`, split
/// into column halves over the cores (from 2,048 columns); ``smallProduct`` for beta 0
/// or 1.
func productOverColumns(
    transA: Bool = false, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>, beta: Float = 0, _ c: UnsafeMutablePointer<Float>
) {
    let parts = n >= 2048 ? 2 : 1
    let width = (n + parts - 1) / parts
    Parallel.forEachChunk(parts, chunk: 1) { r in
        for part in r {
            let lo = part * width, cols = min(n, lo + width) - lo
            if beta == 0 || beta == 1 {
                smallProduct(
                    transA: transA, m: m, n: cols, k: k, a, lda: lda, b + lo, ldb: n, accumulate: beta == 1, c + lo,
                    ldc: n)
            } else {
                sgemm(transA: transA, m: m, n: cols, k: k, a, lda: lda, b + lo, ldb: n, beta: beta, c + lo, ldc: n)
            }
        }
    }
}

/// `dW[m, k] += dY[m, n]·X[k, n]ᵀ` (a 1 × 1 convolution's weight gradient), the sum over
/// `n` split in two halves over the cores (from 2,048 columns); the halves are added in
/// a fixed order.
func weightGradientOverColumns(
    m: Int, k: Int, n: Int, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
    into dw: UnsafeMutablePointer<Float>
) {
    guard n >= 2048 else {
        smallProductNT(m: m, n: k, k: n, dy, lda: n, x, ldb: n, accumulate: true, dw, ldc: k)
        return
    }
    let half = n / 2
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * m * k) { parts in
        let p = parts.baseAddress!
        Parallel.forEachChunk(2, chunk: 1) { r in
            for part in r {
                let lo = part * half, cols = part == 0 ? half : n - half
                smallProductNT(m: m, n: k, k: cols, dy + lo, lda: n, x + lo, ldb: n, p + part * m * k, ldc: k)
            }
        }
        for i in 0..<(m * k) { dw[i] += p[i] + p[m * k + i] }
    }
}

/// `y[c, :] += bias[c]` for y `[C, N]`.
func addChannelBias(_ y: UnsafeMutablePointer<Float>, channels: Int, n: Int, bias: UnsafePointer<Float>) {
    Parallel.forEachChunk(channels, chunk: max(1, 16384 / max(1, n))) { cs in
        for c in cs {
            let b = F8(repeating: bias[c]), row = y + c * n
            var i = 0
            while i + 8 <= n { store8(load8(row + i) + b, row + i); i += 8 }
            while i < n { row[i] += bias[c]; i += 1 }
        }
    }
}

/// `sums[r] += Σ_j x[r, j]` for x `[rows, N]`, each row summed in a fixed order.
func addRowSums(_ x: UnsafePointer<Float>, rows: Int, n: Int, into sums: UnsafeMutablePointer<Float>) {
    Parallel.forEachChunk(rows, chunk: max(1, 16384 / max(1, n))) { rs in
        for r in rs {
            let row = x + r * n
            var acc = F8(repeating: 0)
            var i = 0
            while i + 8 <= n { acc = acc + load8(row + i); i += 8 }
            var s = acc.sum()
            while i < n { s += row[i]; i += 1 }
            sums[r] += s
        }
    }
}
