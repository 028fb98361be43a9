import Tensors

/// A residual block conditioned on the noise embedding (as in DDPM/ADM U-Nets, with
/// ADM's scale–shift norm):
///
///     h₁ = silu(GN₁(x)),  a = conv₁(h₁),  (scale, shift) = Linear(e),
///     h₂ = silu(GN₂(a)·(1 + scale) + shift),  y = conv₂(h₂) + skip(x),
///
/// with `skip` the identity when `Cin = Cout`, else a 1 × 1 convolution. Activations are
/// CHWB `[C, H, W, B]`; `e` is `[B, E]`.
@_spi(Benchmark) public struct ResBlock {
    let inChannels: Int
    let outChannels: Int
    let norm1: GroupNormSiLU
    @_spi(Benchmark) public let conv1: Conv2d
    @_spi(Benchmark) public let film: Linear
    let norm2: GroupNormSiLU
    @_spi(Benchmark) public let conv2: Conv2d
    @_spi(Benchmark) public let skip: Conv2d?

    static func layout(
        _ name: String, inChannels: Int, outChannels: Int, embedDims: Int
    ) -> [(name: String, shape: [Int])] {
        var l = GroupNormSiLU.layout(name + ".norm1", channels: inChannels)
        l += Conv2d.layout(name + ".conv1", inChannels: inChannels, outChannels: outChannels, kernel: 3)
        l += Linear.layout(name + ".film", inputs: embedDims, outputs: 2 * outChannels)
        l += GroupNormSiLU.layout(name + ".norm2", channels: outChannels)
        l += Conv2d.layout(name + ".conv2", inChannels: outChannels, outChannels: outChannels, kernel: 3)
        if inChannels != outChannels {
            l += Conv2d.layout(name + ".skip", inChannels: inChannels, outChannels: outChannels, kernel: 1)
        }
        return l
    }

    init(_ name: String, in store: ParameterStore) {
        norm1 = GroupNormSiLU(
            name + ".norm1", in: store,
            groups: GroupNormSiLU.defaultGroups(store.entry(name + ".norm1.weight")!.shape[0]))
        conv1 = Conv2d(name + ".conv1", in: store)
        film = Linear(name + ".film", in: store)
        norm2 = GroupNormSiLU(name + ".norm2", in: store, groups: GroupNormSiLU.defaultGroups(conv1.outChannels))
        conv2 = Conv2d(name + ".conv2", in: store)
        skip = store.entry(name + ".skip.weight") != nil ? Conv2d(name + ".skip", in: store) : nil
        inChannels = conv1.inChannels
        outChannels = conv1.outChannels
    }

    /// Standard initialisation; `conv₂` starts at zero so the block starts as its skip path.
    func initialize(_ store: ParameterStore, rng: RNG) {
        norm1.initialize(store)
        norm2.initialize(store)
        conv1.initialize(store, rng: rng.stream(1))
        film.initialize(store, rng: rng.stream(2))
        conv2.initialize(store, rng: rng.stream(3), gain: 0)
        skip?.initialize(store, rng: rng.stream(4))
    }

    /// What one block keeps (training) or uses as scratch (inference) at one geometry.
    final class Buffers {
        let h1: Buffer // [Cin, N]
        let a, h2: Buffer // [Cout, N]
        let film, dfilm: Buffer // [B, 2·Cout] (scale, shift) and their gradient
        let mean1, rstd1, mean2, rstd2: Buffer // [B·G]
        let gh2, ga: Buffer // [Cout, N] backward scratch
        let gh1: Buffer // [Cin, N]
        let training: Bool

        init(_ block: ResBlock, _ g: ImageGeometry, training: Bool) {
            let n = g.count, ci = block.inChannels, co = block.outChannels
            self.training = training
            let keep = training ? 1 : 0
            h1 = Buffer(ci * n)
            a = Buffer(co * n); h2 = Buffer(keep * co * n)
            film = Buffer(g.batch * 2 * co); dfilm = Buffer(keep * g.batch * 2 * co)
            mean1 = Buffer(g.batch * block.norm1.groups); rstd1 = Buffer(g.batch * block.norm1.groups)
            mean2 = Buffer(g.batch * block.norm2.groups); rstd2 = Buffer(g.batch * block.norm2.groups)
            gh2 = Buffer(keep * co * n); ga = Buffer(keep * co * n); gh1 = Buffer(keep * ci * n)
        }
    }

    /// Scratch floats a forward or backward needs at geometry `g`.
    func scratchCount(_ g: ImageGeometry) -> Int { max(conv1.scratchCount(g), conv2.scratchCount(g)) }

    /// x `[Cin, N]`, e `[B, E]` → y `[Cout, N]`, with ``scratchCount(_:)`` floats of `scratch`
    /// and the network's prepared weights in `filters` (Winograd filters, FiLM's `Wᵀ`).
    func forward(
        _ x: UnsafePointer<Float>, embedding e: UnsafePointer<Float>, _ g: ImageGeometry, _ buf: Buffers,
        _ store: ParameterStore, scratch: UnsafeMutablePointer<Float>, filters: WinogradFilters,
        clock: PhaseClock? = nil, into y: UnsafeMutablePointer<Float>
    ) {
        let t = buf.training
        norm1.forward(
            x, g, film: nil, store, mean: buf.mean1.p, rstd: buf.rstd1.p, into: buf.h1.p)
        clock?.mark(UNet.Phase.norm)
        conv1.forward(
            buf.h1.p, g, kept: nil, scratch: scratch, store, filters: filters, into: buf.a.p)
        clock?.mark(UNet.Phase.conv3)
        guard let wt = filters.transposed(film) else { preconditionFailure("FiLM's weights are not prepared") }
        film.multiplySmallBatch(e, batch: g.batch, transposed: wt, into: buf.film.p) // [B, 2·Cout]
        film.addBias(buf.film.p, batch: g.batch, store)
        clock?.mark(UNet.Phase.film)
        let h2 = t ? buf.h2.p : buf.a.p
        norm2.forward(
            buf.a.p, g, film: buf.film.p, store, mean: buf.mean2.p, rstd: buf.rstd2.p, into: h2)
        clock?.mark(UNet.Phase.norm)
        guard let skip else { // y = conv₂(h₂) + x, x added as conv₂ stores y
            conv2.forward(h2, g, kept: nil, scratch: scratch, store, filters: filters, residual: x, into: y)
            clock?.mark(UNet.Phase.conv3)
            return
        }
        // y = conv₂(h₂) + (b₂ + b_skip), then y += W_skip·x: the two biases added once,
        // in conv₂'s output, instead of in a pass of their own.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: outChannels) { b in
            let b2 = store.values + conv2.biasOffset, bs = store.values + skip.biasOffset
            for c in 0..<outChannels { b[c] = b2[c] + bs[c] }
            conv2.forward(
                h2, g, kept: nil, scratch: scratch, store, filters: filters, bias: UnsafePointer(b.baseAddress!),
                into: y)
        }
        clock?.mark(UNet.Phase.conv3)
        productOverColumns(
            m: outChannels, n: g.count, k: inChannels, store.values + skip.weightOffset, lda: inChannels, x, beta: 1, y)
        clock?.mark(UNet.Phase.conv1)
    }

    /// Backward through the last training forward (given its `filters`): dy `[Cout, N]` → dx `[Cin, N]`
    /// (overwritten); `de` `[B, E]` accumulates the embedding gradient.
    func backward(
        gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, embedding e: UnsafePointer<Float>,
        _ g: ImageGeometry, _ buf: Buffers, _ store: ParameterStore, scratch: UnsafeMutablePointer<Float>,
        filters: WinogradFilters, partial: UnsafeMutablePointer<Float>,
        gradEmbedding de: UnsafeMutablePointer<Float>, clock: PhaseClock? = nil,
        gradInput dx: UnsafeMutablePointer<Float>
    ) {
        precondition(buf.training, "ResBlock.backward needs training buffers")
        if let skip {
            // db₂ and db_skip both get Σ dy: summed once, added to each.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: outChannels) { sums in
                let s = sums.baseAddress!
                s.update(repeating: 0, count: outChannels)
                addRowSums(dy, rows: outChannels, n: g.count, into: s)
                let b2 = store.grads + conv2.biasOffset, bs = store.grads + skip.biasOffset
                for c in 0..<outChannels { b2[c] += s[c]; bs[c] += s[c] }
            }
            skip.backward(gradOutput: dy, input: x, g, store, scratch: scratch, gradInput: dx, biasGradient: false)
        } else {
            dx.update(from: dy, count: outChannels * g.count)
        }
        clock?.mark(UNet.Phase.conv1)
        conv2.backward(
            gradOutput: dy, input: buf.h2.p, g, store, scratch: scratch, filters: filters, gradInput: buf.gh2.p,
            biasGradient: skip == nil)
        clock?.mark(UNet.Phase.conv3)
        norm2.backward(
            gradOutput: buf.gh2.p, g, film: buf.film.p, input: buf.a.p, mean: buf.mean2.p, rstd: buf.rstd2.p, store,
            dfilm: buf.dfilm.p, partial: partial, gradInput: buf.ga.p, accumulate: false)
        clock?.mark(UNet.Phase.norm)
        conv1.backward(
            gradOutput: buf.ga.p, input: buf.h1.p, g, store, scratch: scratch, filters: filters, gradInput: buf.gh1.p)
        clock?.mark(UNet.Phase.conv3)
        norm1.backward(
            gradOutput: buf.gh1.p, g, film: nil, input: x, mean: buf.mean1.p, rstd: buf.rstd1.p, store, dfilm: nil,
            partial: partial, gradInput: dx, accumulate: true)
        clock?.mark(UNet.Phase.norm)
        film.accumulateWeightGradientSmallBatch(gradOutput: buf.dfilm.p, input: e, batch: g.batch, store)
        film.accumulateBiasGradient(gradOutput: buf.dfilm.p, batch: g.batch, store)
        film.inputGradientSmallBatch(gradOutput: buf.dfilm.p, batch: g.batch, store, accumulate: true, into: de)
        clock?.mark(UNet.Phase.film)
    }
}
