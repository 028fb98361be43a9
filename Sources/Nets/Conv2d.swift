import Tensors

/// A 2-D convolution with stride 1 and "same" zero padding (`kernel/2`), kernel 1 or 3,
/// weights `[out, in, k, k]` and bias `[out]` in a ``ParameterStore`` (PyTorch's layout).
///
/// Activations are channel-major, `[C, B, H, W]` ("CBHW"): channel `c` of the whole
/// batch is one contiguous row of `N = B·H·W` values. A convolution is then a single
/// large product over the batch,
///
///     y[Cout, N] = W[Cout, Cin·k²] · col[Cin·k², N] + b,
///
/// where `col` (im2col) holds, in row `ci·k² + tap`, channel `ci` shifted by the tap's
/// offset. Channel concatenation is free in this layout (rows stack), which is what a
/// U-Net's skip connections need. A 1 × 1 kernel multiplies the input directly.
///
/// Backward: `dW += dY·colᵀ`, `db += Σ_N dY`, `dcol = Wᵀ·dY`, then col2im adds each
/// tap's rows back at their shifted positions.
public struct Conv2d: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let weightOffset: Int
    public let biasOffset: Int

    /// Rows of the im2col matrix, `Cin·k²` (the product's inner dimension).
    public var colRows: Int { inChannels * kernel * kernel }

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

    public static func layout(_ name: String, inChannels: Int, outChannels: Int, kernel: Int) -> [(name: String, shape: [Int])] {
        [(name + ".weight", [outChannels, inChannels, kernel, kernel]), (name + ".bias", [outChannels])]
    }

    /// Weights `N(0, gain²/fan_in)` by flat index from `rng` (gain 0: zero weights), zero bias.
    public func initialize(_ store: ParameterStore, rng: RNG, gain: Double = 1) {
        let scale = gain / Double(colRows).squareRoot()
        let w = store.values + weightOffset
        for i in 0..<(outChannels * colRows) { w[i] = Float(rng.normal(at: UInt64(i)) * scale) }
        (store.values + biasOffset).update(repeating: 0, count: outChannels)
    }

    /// `y = conv(x) + b`: x `[Cin, B, H, W]` → y `[Cout, B, H, W]`. For k = 3, `col`
    /// `[Cin·9, N]` receives im2col(x) (kept by training for the weight gradient).
    func forward(_ x: UnsafePointer<Float>, _ g: ImageGeometry, col: UnsafeMutablePointer<Float>?,
                 _ store: ParameterStore, into y: UnsafeMutablePointer<Float>) {
        let n = g.count
        var source = x
        if kernel == 3 {
            guard let col else { preconditionFailure("3×3 convolution needs an im2col buffer") }
            im2col3(x, channels: inChannels, g, into: col)
            source = UnsafePointer(col)
        }
        sgemm(m: outChannels, n: n, k: colRows, store.values + weightOffset, lda: colRows, source, ldb: n, y, ldc: n)
        addChannelBias(y, channels: outChannels, n: n, bias: store.values + biasOffset)
    }

    /// Accumulates `dW`, `db` from dY `[Cout, N]` and the forward's input (`col` for k = 3,
    /// `x` for k = 1); when `gradInput` is given, writes (or with `accumulate` adds)
    /// dX `[Cin, N]` there, using `dcol` `[Cin·9, N]` as scratch for k = 3.
    func backward(gradOutput dy: UnsafePointer<Float>, input: UnsafePointer<Float>, _ g: ImageGeometry,
                  _ store: ParameterStore, dcol: UnsafeMutablePointer<Float>?,
                  gradInput dx: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        let n = g.count, k = colRows
        sgemm(transB: true, m: outChannels, n: k, k: n, dy, lda: n, input, ldb: n,
              beta: 1, store.grads + weightOffset, ldc: k)                               // dW += dY·colᵀ
        addRowSums(dy, rows: outChannels, n: n, into: store.grads + biasOffset)          // db += Σ_N dY
        guard let dx else { return }
        if kernel == 1 {
            sgemm(transA: true, m: k, n: n, k: outChannels, store.values + weightOffset, lda: k, dy, ldb: n,
                  beta: accumulate ? 1 : 0, dx, ldc: n)                                   // dX (+)= Wᵀ·dY
        } else {
            guard let dcol else { preconditionFailure("3×3 convolution backward needs a dcol buffer") }
            sgemm(transA: true, m: k, n: n, k: outChannels, store.values + weightOffset, lda: k, dy, ldb: n,
                  dcol, ldc: n)                                                           // dcol = Wᵀ·dY
            col2im3(dcol, channels: inChannels, g, into: dx, accumulate: accumulate)
        }
    }
}

/// Batch and spatial extents of a CBHW activation.
struct ImageGeometry: Equatable {
    let batch: Int
    let height: Int
    let width: Int
    var plane: Int { height * width }
    /// Values per channel row, `N = B·H·W`.
    var count: Int { batch * height * width }
    var half: ImageGeometry { ImageGeometry(batch: batch, height: height / 2, width: width / 2) }
}

/// im2col for a 3 × 3 kernel, padding 1: row `ci·9 + tap` of `col` `[C·9, N]` is channel
/// `ci` of x `[C, B, H, W]` read at offset `(dy, dx) = (tap/3 − 1, tap%3 − 1)`, zero outside.
///
/// Per image plane the shift is one contiguous copy by `dy·W + dx`; the column that
/// wraps to the neighbouring row is then zeroed.
func im2col3(_ x: UnsafePointer<Float>, channels: Int, _ g: ImageGeometry, into col: UnsafeMutablePointer<Float>) {
    let n = g.count, hw = g.plane, w = g.width, h = g.height
    Parallel.forEachChunk(channels * 9, chunk: max(1, 16384 / max(1, n))) { rows in
        for r in rows {
            let ci = r / 9, tap = r % 9, dy = tap / 3 - 1, dx = tap % 3 - 1
            let offset = dy * w + dx
            let lo = max(0, -offset), hi = min(hw, hw - offset)           // p with 0 ≤ p + offset < hw
            for b in 0..<g.batch {
                let src = x + ci * n + b * hw, dst = col + r * n + b * hw
                if lo > 0 { dst.update(repeating: 0, count: lo) }
                (dst + lo).update(from: src + lo + offset, count: hi - lo)
                if hi < hw { (dst + hi).update(repeating: 0, count: hw - hi) }
                if dx == -1 { for y in 0..<h { dst[y * w] = 0 } }            // x = 0 reads x − 1
                if dx == 1 { for y in 0..<h { dst[y * w + w - 1] = 0 } }     // x = W−1 reads x + 1
            }
        }
    }
}

/// The adjoint of ``im2col3``: `dx[ci] (+)= Σ_tap shift⁻¹(dcol[ci·9 + tap])`. Each
/// channel is owned by one task and taps are added in a fixed order (deterministic).
/// The wrapped column of `dcol` is zeroed first (it is scratch), so each tap is again
/// one contiguous pass.
func col2im3(_ dcol: UnsafeMutablePointer<Float>, channels: Int, _ g: ImageGeometry,
             into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let n = g.count, hw = g.plane, w = g.width, h = g.height
    Parallel.forEachChunk(channels, chunk: max(1, 2048 / max(1, n))) { cs in
        for ci in cs {
            let out = dx + ci * n
            if !accumulate { out.update(repeating: 0, count: n) }
            for tap in 0..<9 {
                let dy = tap / 3 - 1, dxo = tap % 3 - 1
                let offset = dy * w + dxo
                let lo = max(0, -offset), hi = min(hw, hw - offset)
                let row = dcol + (ci * 9 + tap) * n
                for b in 0..<g.batch {
                    let src = row + b * hw, dst = out + b * hw + offset
                    if dxo == -1 { for y in 0..<h { src[y * w] = 0 } }
                    if dxo == 1 { for y in 0..<h { src[y * w + w - 1] = 0 } }
                    var p = lo
                    while p + 8 <= hi { store8(load8(dst + p) + load8(src + p), dst + p); p += 8 }
                    while p < hi { dst[p] += src[p]; p += 1 }
                }
            }
        }
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
