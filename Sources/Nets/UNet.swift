import Foundation
import Tensors

/// A small U-Net for images, `F_θ(x, c_noise)`, with two resolution levels:
///
///     x [Ci, H, W] ─ conv_in ─ RB₁(C) ───────────────── s₁ ──────────────┐
///                                │ avg-pool 2×                              │ concat
///                              RB₂(C→2C) ─ s₂ ─ RB₃(2C) ─┐ concat            │
///                                  └───────────────────── RB₄(4C→2C) ─ up 2× ─ RB₅(3C→C)
///                                                                              │
///                                                   GN ─ SiLU ─ conv_out ─ y [Ci, H, W]
///
/// Every residual block (``ResBlock``) takes the noise embedding `e = MLP(φ(c_noise))` as
/// a FiLM scale and shift after its second group norm. Convolutions are 3 × 3 (padding 1),
/// group norms have 8 groups, the activation is SiLU. At the defaults (1 × 14 × 14,
/// C = 32, E = 256) it has 0.52 M parameters.
///
/// Inputs and outputs are flattened images, `[B, Ci·H·W]` (NCHW per row), so the U-Net
/// and the ``MLP`` are interchangeable behind ``ConditionalNetwork``. Internally the
/// activations are CHWB `[C, H, W, B]` (``ImageGeometry``), the batch padded to a
/// multiple of 16: 3 × 3 convolutions are Winograd F(4×4, 3×3) products over the whole
/// batch (`Winograd.swift`: 4 × 4 output tiles from 6 × 6 input tiles), and the other
/// kernels run four images per SSE register (group norm sixteen). Each layer spreads
/// its own work over the cores (OpenBLAS is single-threaded in CMLab). All parameters live in one ``ParameterStore``; activation
/// buffers are allocated once per batch size. Not thread-safe.
public final class UNet: Module {
    public struct Configuration: Codable, Equatable, Sendable {
        public var channels: Int
        public var height: Int
        public var width: Int
        public var baseWidth: Int
        public var embedDims: Int
        public var fourierFeatures: Int
        public var seed: UInt64
        public var minFrequency: Float
        public var maxFrequency: Float

        public init(
            channels: Int = 1, height: Int = 14, width: Int = 14, baseWidth: Int = 32, embedDims: Int = 256,
            fourierFeatures: Int = 32, seed: UInt64 = 0, minFrequency: Float = 1, maxFrequency: Float = 128
        ) {
            self.channels = channels
            self.height = height
            self.width = width
            self.baseWidth = baseWidth
            self.embedDims = embedDims
            self.fourierFeatures = fourierFeatures
            self.seed = seed
            self.minFrequency = minFrequency
            self.maxFrequency = maxFrequency
        }

        /// Why the configuration cannot be built, or nil.
        public var problem: String? {
            if channels < 1 || channels > 64 { return "channels = \(channels) must be in 1…64" }
            if height < 2 || width < 2 || height % 2 != 0 || width % 2 != 0 || height * width > 1 << 16 {
                return "image size \(height)×\(width) must be even on both sides (two resolution levels)"
            }
            if baseWidth < 1 || baseWidth > 1024 { return "base width \(baseWidth) must be in 1…1024" }
            if embedDims < 1 || embedDims > 8192 || fourierFeatures < 1 || fourierFeatures > 1024 {
                return "embedding sizes \(embedDims), \(fourierFeatures) out of range"
            }
            return nil
        }
    }

    public let configuration: Configuration
    public let store: ParameterStore
    public let fourier: FourierFeatures
    @_spi(Benchmark) public let convIn: Conv2d
    @_spi(Benchmark) public let embedding: NoiseEmbedding
    /// RB₁ … RB₅ in the order of the diagram.
    @_spi(Benchmark) public let blocks: [ResBlock]
    let normOut: GroupNormSiLU
    @_spi(Benchmark) public let convOut: Conv2d

    private var train: UNetWorkspace?
    /// Inference workspaces by batch size: the full chunk and the last remainder.
    private var infer: [Int: UNetWorkspace] = [:]

    /// Values per image, `Ci·H·W`.
    public var inputDims: Int { configuration.channels * configuration.height * configuration.width }
    /// Parameters (without the store's alignment padding).
    public var parameterCount: Int { store.entries.reduce(0) { $0 + $1.count } }

    public convenience init(
        channels: Int = 1, height: Int = 14, width: Int = 14, baseWidth: Int = 32,
        embedDims: Int = 256, fourierFeatures: Int = 32, seed: UInt64 = 0
    ) {
        self.init(
            Configuration(
                channels: channels, height: height, width: width, baseWidth: baseWidth,
                embedDims: embedDims, fourierFeatures: fourierFeatures, seed: seed))
    }

    /// Builds the network; weights are drawn from `configuration.seed` when `initialize`.
    public init(_ configuration: Configuration, initialize: Bool = true) {
        if let p = configuration.problem { preconditionFailure("UNet: \(p)") }
        self.configuration = configuration
        let c = configuration, C = c.baseWidth, E = c.embedDims
        fourier = FourierFeatures(count: c.fourierFeatures, minFrequency: c.minFrequency, maxFrequency: c.maxFrequency)
        let widths = Self.blockWidths(C)
        var layout = Conv2d.layout("conv_in", inChannels: c.channels, outChannels: C, kernel: 3)
        layout += NoiseEmbedding.layout("embed", fourierWidth: fourier.width, dims: E)
        for (i, w) in widths.enumerated() {
            layout += ResBlock.layout("blocks.\(i)", inChannels: w.0, outChannels: w.1, embedDims: E)
        }
        layout += GroupNormSiLU.layout("norm_out", channels: C)
        layout += Conv2d.layout("conv_out", inChannels: C, outChannels: c.channels, kernel: 3)
        let store = ParameterStore(layout: layout)
        self.store = store
        convIn = Conv2d("conv_in", in: store)
        embedding = NoiseEmbedding("embed", fourier: fourier, in: store)
        blocks = widths.indices.map { ResBlock("blocks.\($0)", in: store) }
        normOut = GroupNormSiLU("norm_out", in: store, groups: GroupNormSiLU.defaultGroups(C))
        convOut = Conv2d("conv_out", in: store)
        if initialize {
            let rng = RNG(seed: c.seed)
            convIn.initialize(store, rng: rng.stream(100))
            embedding.initialize(store, rng: rng.stream(101))
            for (i, b) in blocks.enumerated() { b.initialize(store, rng: rng.stream(UInt64(i))) }
            normOut.initialize(store)
            convOut.initialize(store, rng: rng.stream(102), gain: 0)
        }
    }

    /// (in, out) channels of RB₁ … RB₅.
    static func blockWidths(_ C: Int) -> [(Int, Int)] {
        [(C, C), (C, 2 * C), (2 * C, 2 * C), (4 * C, 2 * C), (3 * C, C)]
    }

    /// Same architecture and a copy of the weights (gradients and buffers not shared).
    public func copy() -> UNet {
        let u = UNet(configuration, initialize: false)
        u.store.copyValues(from: store)
        return u
    }

    // MARK: Tensor interface

    /// `F_θ(x, c_noise)`: x `[B, Ci·H·W]` (already scaled by c_in), c_noise `[B]` →
    /// `[B, Ci·H·W]`, keeping what ``backward(gradOutput:)`` needs.
    public func forward(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        let ws = workspace(batch, training: true)
        var y = Tensor(shape: [batch, inputDims])
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    run(xp.baseAddress!, cp.baseAddress!, ws, output: yp.baseAddress!)
                }
            }
        }
        ws.forwardDone = true
        return y
    }

    /// Backpropagates `dL/dF` `[B, Ci·H·W]` through the last ``forward(x:cNoise:)``, adding
    /// parameter gradients to the store; returns `dL/dx` `[B, Ci·H·W]`.
    public func backward(gradOutput: Tensor) -> Tensor {
        guard let ws = train, ws.forwardDone else { preconditionFailure("UNet.backward needs a forward pass first") }
        precondition(
            gradOutput.shape == [ws.batch, inputDims],
            "UNet.backward: gradient \(gradOutput.shape), expected \([ws.batch, inputDims])")
        var dx = Tensor(shape: [ws.batch, inputDims])
        gradOutput.scalars.withUnsafeBufferPointer { gp in
            dx.scalars.withUnsafeMutableBufferPointer { dp in
                backpropagate(gp.baseAddress!, ws, gradInput: dp.baseAddress!)
            }
        }
        return dx
    }

    /// Like ``backward(gradOutput:)`` without `dL/dx` (what a denoising or consistency
    /// loss needs): the first convolution skips its input gradient.
    public func backwardParameters(gradOutput: Tensor) {
        guard let ws = train, ws.forwardDone else { preconditionFailure("UNet.backward needs a forward pass first") }
        precondition(
            gradOutput.shape == [ws.batch, inputDims],
            "UNet.backward: gradient \(gradOutput.shape), expected \([ws.batch, inputDims])")
        gradOutput.scalars.withUnsafeBufferPointer { gp in
            backpropagate(gp.baseAddress!, ws, gradInput: nil)
        }
    }

    /// `F_θ(x, c_noise)` without keeping activations (inference, target networks), in
    /// chunks of at most 128 images so memory stays bounded. Rows are independent, so the
    /// result does not depend on the chunking.
    public func predict(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        let d = inputDims
        var y = Tensor(shape: [batch, d])
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    var start = 0
                    while start < batch {
                        let n = min(Self.predictChunk, batch - start)
                        let ws = workspace(n, training: false)
                        run(
                            xp.baseAddress! + start * d, cp.baseAddress! + start, ws,
                            output: yp.baseAddress! + start * d)
                        start += n
                    }
                }
            }
        }
        return y
    }

    static let predictChunk = 128

    public func callAsFunction(_ x: Tensor, cNoise: [Float]) -> Tensor { predict(x: x, cNoise: cNoise) }

    private func checkInput(_ x: Tensor, _ cNoise: [Float]) -> Int {
        precondition(
            x.rank == 2 && x.shape[1] == inputDims, "UNet expects x of shape [B, \(inputDims)], got \(x.shape)")
        precondition(cNoise.count == x.shape[0], "UNet: \(cNoise.count) c_noise values for a batch of \(x.shape[0])")
        return x.shape[0]
    }

    private func workspace(_ batch: Int, training: Bool) -> UNetWorkspace {
        if training {
            if let w = train, w.batch == batch { w.forwardDone = false; return w }
            let w = UNetWorkspace(self, batch: batch, training: true)
            train = w
            return w
        }
        if let w = infer[batch] { return w }
        if infer.count >= 2 { infer = infer.filter { $0.key == Self.predictChunk } }
        let w = UNetWorkspace(self, batch: batch, training: false)
        infer[batch] = w
        return w
    }

    /// Drops the activation buffers (they are rebuilt on the next call).
    public func releaseBuffers() { train = nil; infer = [:] }

    // MARK: Passes on raw buffers

    func run(
        _ x: UnsafePointer<Float>, _ cNoise: UnsafePointer<Float>, _ ws: UNetWorkspace,
        output: UnsafeMutablePointer<Float>
    ) {
        let C = configuration.baseWidth, ci = configuration.channels
        let g = ws.g, h = ws.h, B = ws.batch, L = ws.lanes, t = ws.training, store = self.store
        let scratch = ws.scratch.p
        let s1 = ws.cat1.p + 2 * C * g.count, s2 = ws.cat2.p + 2 * C * h.count
        toCHWB(x, batch: B, padded: L, channels: ci, plane: g.plane, into: ws.xin.p) // [Ci, H, W, Bp]
        ws.noise.p.update(from: cNoise, count: B)
        (ws.noise.p + B).update(repeating: 0, count: L - B)
        embedding.forward(ws.noise.p, batch: L, ws.emb, store) // e [Bp, E]
        let e = UnsafePointer(ws.emb.e.p)
        convIn.forward(ws.xin.p, g, kept: t ? ws.keptIn.p : nil, scratch: scratch, store, into: ws.h0.p) // [C, N]
        blocks[0].forward(ws.h0.p, embedding: e, g, ws.blocks[0], store, scratch: scratch, into: s1)
        Resample.avgPool2(s1, g, channels: C, into: ws.p.p) // [C, N/4]
        blocks[1].forward(ws.p.p, embedding: e, h, ws.blocks[1], store, scratch: scratch, into: s2)
        blocks[2].forward(s2, embedding: e, h, ws.blocks[2], store, scratch: scratch, into: ws.cat2.p)
        blocks[3].forward(ws.cat2.p, embedding: e, h, ws.blocks[3], store, scratch: scratch, into: ws.d2.p)
        Resample.upsampleNearest2(ws.d2.p, h, channels: 2 * C, into: ws.cat1.p)
        blocks[4].forward(ws.cat1.p, embedding: e, g, ws.blocks[4], store, scratch: scratch, into: ws.d1.p)
        normOut.forward(
            ws.d1.p, g, film: nil, store, xhat: t ? ws.xhatOut.p : nil, sigmoid: t ? ws.sigOut.p : nil,
            rstd: ws.rstdOut.p, into: ws.hOut.p)
        convOut.forward(ws.hOut.p, g, kept: t ? ws.keptOut.p : nil, scratch: scratch, store, into: ws.y.p) // [Ci, N]
        fromCHWB(ws.y.p, batch: B, padded: L, channels: ci, plane: g.plane, into: output)
    }

    func backpropagate(_ dOut: UnsafePointer<Float>, _ ws: UNetWorkspace, gradInput: UnsafeMutablePointer<Float>?) {
        let C = configuration.baseWidth, ci = configuration.channels
        let g = ws.g, h = ws.h, B = ws.batch, L = ws.lanes, store = self.store
        let scratch = ws.scratch.p, partial = ws.partial.p, de = ws.emb.de.p
        let e = UnsafePointer(ws.emb.e.p)
        let s2 = ws.cat2.p + 2 * C * h.count
        de.update(repeating: 0, count: L * embedding.dims)
        toCHWB(dOut, batch: B, padded: L, channels: ci, plane: g.plane, into: ws.dy.p) // padded images get dL/dF = 0
        convOut.backward(gradOutput: ws.dy.p, kept: ws.keptOut.p, g, store, scratch: scratch, gradInput: ws.dhOut.p)
        normOut.backward(
            gradOutput: ws.dhOut.p, g, film: nil, xhat: ws.xhatOut.p, sigmoid: ws.sigOut.p, output: ws.hOut.p,
            rstd: ws.rstdOut.p, store, dfilm: nil, partial: partial, gradInput: ws.dd1.p, accumulate: false)
        blocks[4].backward(
            gradOutput: ws.dd1.p, input: ws.cat1.p, embedding: e, g, ws.blocks[4], store, scratch: scratch,
            partial: partial, gradEmbedding: de, gradInput: ws.dcat1.p)
        Resample.upsampleNearest2Backward(ws.dcat1.p, h, channels: 2 * C, into: ws.dd2.p)
        blocks[3].backward(
            gradOutput: ws.dd2.p, input: ws.cat2.p, embedding: e, h, ws.blocks[3], store, scratch: scratch,
            partial: partial, gradEmbedding: de, gradInput: ws.dcat2.p)
        blocks[2].backward(
            gradOutput: ws.dcat2.p, input: s2, embedding: e, h, ws.blocks[2], store, scratch: scratch,
            partial: partial, gradEmbedding: de, gradInput: ws.ds2.p)
        addVectors(ws.dcat2.p + 2 * C * h.count, into: ws.ds2.p, count: 2 * C * h.count) // s₂ also feeds the concat
        blocks[1].backward(
            gradOutput: ws.ds2.p, input: ws.p.p, embedding: e, h, ws.blocks[1], store, scratch: scratch,
            partial: partial, gradEmbedding: de, gradInput: ws.dp.p)
        ws.ds1.p.update(from: ws.dcat1.p + 2 * C * g.count, count: C * g.count) // s₁ feeds the concat …
        Resample.avgPool2Backward(ws.dp.p, g, channels: C, into: ws.ds1.p, accumulate: true)
        blocks[0].backward(
            gradOutput: ws.ds1.p, input: ws.h0.p, embedding: e, g, ws.blocks[0], store, scratch: scratch,
            partial: partial, gradEmbedding: de, gradInput: ws.dh0.p)
        convIn.backward(
            gradOutput: ws.dh0.p, kept: ws.keptIn.p, g, store, scratch: scratch,
            gradInput: gradInput == nil ? nil : ws.dxin.p)
        embedding.backward(batch: L, ws.emb, store)
        if let gradInput { fromCHWB(ws.dxin.p, batch: B, padded: L, channels: ci, plane: g.plane, into: gradInput) }
    }
}

/// `y += x` over `count` values.
func addVectors(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    Parallel.forEachChunk(n / 8, chunk: 4096) { r in
        for i in r { store8(load8(y + 8 * i) + load8(x + 8 * i), y + 8 * i) }
    }
    for i in (n & ~7)..<n { y[i] += x[i] }
}
