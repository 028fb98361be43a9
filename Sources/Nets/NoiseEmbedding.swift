import Tensors

/// The noise embedding of the U-Net: Fourier features of `c_noise` followed by a
/// two-layer SiLU MLP,
///
///     e = silu(W₂·silu(W₁·φ(c_noise) + b₁) + b₂)      // [B, E]
///
/// shared by every residual block (each projects it to its own FiLM scale and shift).
@_spi(Benchmark) public struct NoiseEmbedding {
    let fourier: FourierFeatures
    @_spi(Benchmark) public let first: Linear
    @_spi(Benchmark) public let second: Linear
    var dims: Int { second.outputs }

    static func layout(_ name: String, fourierWidth: Int, dims: Int) -> [(name: String, shape: [Int])] {
        Linear.layout(name + ".0", inputs: fourierWidth, outputs: dims)
            + Linear.layout(name + ".1", inputs: dims, outputs: dims)
    }

    init(_ name: String, fourier: FourierFeatures, in store: ParameterStore) {
        self.fourier = fourier
        first = Linear(name + ".0", in: store)
        second = Linear(name + ".1", in: store)
    }

    func initialize(_ store: ParameterStore, rng: RNG) {
        first.initialize(store, rng: rng.stream(0))
        second.initialize(store, rng: rng.stream(1))
    }

    final class Buffers {
        let phi: Buffer // [B, 2F]
        let s1, h1: Buffer // [B, E] sigmoid and output of the first layer
        let s2, e: Buffer // [B, E] sigmoid and output of the second layer
        let de, dh: Buffer // [B, E] gradients
        init(batch: Int, fourierWidth: Int, dims: Int) {
            phi = Buffer(batch * fourierWidth)
            s1 = Buffer(batch * dims); h1 = Buffer(batch * dims)
            s2 = Buffer(batch * dims); e = Buffer(batch * dims)
            de = Buffer(batch * dims); dh = Buffer(batch * dims)
        }
    }

    /// c_noise `[B]` → `buf.e` `[B, E]`, keeping what the backward needs; the products
    /// read the transposed weights in `filters` (one slice's images at a time).
    func forward(
        _ cNoise: UnsafePointer<Float>, batch: Int, _ buf: Buffers, _ store: ParameterStore, filters: WinogradFilters
    ) {
        let w = fourier.width, d = dims
        guard let w1 = filters.transposed(first), let w2 = filters.transposed(second) else {
            preconditionFailure("the noise embedding's transposed weights are not prepared")
        }
        fourier.encode(cNoise, rows: 0..<batch, into: buf.phi.p, ld: w, column: 0)
        first.multiplySmallBatch(buf.phi.p, batch: batch, transposed: w1, into: buf.s1.p)
        biasSiLUForward(
            z: buf.s1.p, bias: store.values + first.biasOffset, rows: 0..<batch, columns: d,
            sigmoidOut: buf.s1.p, siluOut: nil, out: buf.h1.p, skip: nil)
        second.multiplySmallBatch(buf.h1.p, batch: batch, transposed: w2, into: buf.s2.p)
        biasSiLUForward(
            z: buf.s2.p, bias: store.values + second.biasOffset, rows: 0..<batch, columns: d,
            sigmoidOut: buf.s2.p, siluOut: nil, out: buf.e.p, skip: nil)
    }

    /// Backward from `buf.de` `[B, E]` (the sum of the blocks' contributions) to the weights.
    func backward(batch: Int, _ buf: Buffers, _ store: ParameterStore) {
        let d = dims
        siluBackward(
            g: buf.de.p, sigmoid: buf.s2.p, output: buf.e.p, rows: 0..<batch, columns: d,
            into: buf.de.p, columnSums: store.grads + second.biasOffset)
        second.accumulateWeightGradientSmallBatch(gradOutput: buf.de.p, input: buf.h1.p, batch: batch, store)
        second.inputGradientSmallBatch(gradOutput: buf.de.p, batch: batch, store, into: buf.dh.p)
        siluBackward(
            g: buf.dh.p, sigmoid: buf.s1.p, output: buf.h1.p, rows: 0..<batch, columns: d,
            into: buf.dh.p, columnSums: store.grads + first.biasOffset)
        first.accumulateWeightGradientSmallBatch(gradOutput: buf.dh.p, input: buf.phi.p, batch: batch, store)
    }
}
