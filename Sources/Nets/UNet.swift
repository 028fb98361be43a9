import Foundation
import Tensors

/// A small U-Net for images, `F_θ(x, c_noise)`, with two resolution levels (the default,
/// ``Configuration/levels`` 2):
///
///     x [Ci, H, W] ─ conv_in ─ RB₁(C) ───────────────── s₁ ──────────────┐
///                                │ avg-pool 2×                              │ concat
///                              RB₂(C→2C) ─ s₂ ─ RB₃(2C) ─┐ concat            │
///                                  └───────────────────── RB₄(4C→2C) ─ up 2× ─ RB₅(3C→C)
///                                                                              │
///                                                   GN ─ SiLU ─ conv_out ─ y [Ci, H, W]
///
/// or three (levels 3; H and W divisible by 4), which widens the innermost view, e.g.
/// 7 × 7 at 28 × 28 where two levels stop at 14 × 14:
///
///     x [Ci, H, W] ─ conv_in ─ RB₁(C) ─────────────────────── s₁ ────────────────────────────────┐
///                                │ avg-pool 2×                                                   │ concat
///                              RB₂(C→2C) ───────────── s₂ ──────────────────┐ concat             │
///                                │ avg-pool 2×                              │                    │
///                              RB₃(2C) ─ s₃ ─ RB₄(2C) ─┐ concat             │                    │
///                                  └────────────────── RB₅(4C→2C) ─ up 2× ─ RB₆(4C→2C) ─ up 2× ─ RB₇(3C→C)
///                                                                                                │
///                                                                         GN ─ SiLU ─ conv_out ─ y [Ci, H, W]
///
/// In general (L levels, level k at H/2ᵏ with Cₖ channels, C₀ = C and 2C below): one
/// down block per level, RB₁ … RB_L, each below the first on the level above's skip
/// pooled; the middle block RB_{L+1} at the innermost level; then one up block per level
/// from the innermost out, RB_{L+2} … RB_{2L+1}, each on the concat of what comes from
/// below (2C channels: the middle block's output, or the level below upsampled) and its
/// level's skip.
///
/// Every residual block (``ResBlock``) takes the noise embedding `e = MLP(φ(c_noise))` as
/// a FiLM scale and shift after its second group norm. Convolutions are 3 × 3 (padding 1),
/// group norms have 8 groups, the activation is SiLU. At the defaults (1 × 14 × 14,
/// C = 32, E = 256) it has 0.52 M parameters; with three levels 0.78 M (the count does
/// not depend on the image size).
///
/// Inputs and outputs are flattened images, `[B, Ci·H·W]` (NCHW per row), so the U-Net
/// and the ``MLP`` are interchangeable behind ``ConditionalNetwork``. Internally the
/// activations are CHWB `[C, H, W, B]` (``ImageGeometry``), the batch padded to a
/// multiple of 16: 3 × 3 convolutions are Winograd F(4×4, 3×3) products over the whole
/// batch (`Winograd.swift`: 4 × 4 output tiles from 6 × 6 input tiles), and the other
/// kernels run four images per SSE register (group norm sixteen). A batch runs in
/// slices of ``sliceImages`` images, each slice a whole pass on one core (OpenBLAS is
/// single-threaded in CMLab). All parameters live in one ``ParameterStore``; activation
/// buffers are allocated once per batch size. Not thread-safe.
public final class UNet: Module {
    public struct Configuration: Codable, Equatable, Sendable {
        public var channels: Int
        public var height: Int
        public var width: Int
        public var baseWidth: Int
        /// Resolution levels, 2 (H, H/2) or 3 (H, H/2, H/4).
        public var levels: Int
        public var embedDims: Int
        public var fourierFeatures: Int
        public var seed: UInt64
        public var minFrequency: Float
        public var maxFrequency: Float

        public init(
            channels: Int = 1, height: Int = 14, width: Int = 14, baseWidth: Int = 32, levels: Int = 2,
            embedDims: Int = 256, fourierFeatures: Int = 32, seed: UInt64 = 0, minFrequency: Float = 1,
            maxFrequency: Float = 128
        ) {
            self.channels = channels
            self.height = height
            self.width = width
            self.baseWidth = baseWidth
            self.levels = levels
            self.embedDims = embedDims
            self.fourierFeatures = fourierFeatures
            self.seed = seed
            self.minFrequency = minFrequency
            self.maxFrequency = maxFrequency
        }

        /// Decodes a configuration; one without `levels` (written before there was a
        /// choice) has two.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            channels = try c.decode(Int.self, forKey: .channels)
            height = try c.decode(Int.self, forKey: .height)
            width = try c.decode(Int.self, forKey: .width)
            baseWidth = try c.decode(Int.self, forKey: .baseWidth)
            levels = try c.decodeIfPresent(Int.self, forKey: .levels) ?? 2
            embedDims = try c.decode(Int.self, forKey: .embedDims)
            fourierFeatures = try c.decode(Int.self, forKey: .fourierFeatures)
            seed = try c.decode(UInt64.self, forKey: .seed)
            minFrequency = try c.decode(Float.self, forKey: .minFrequency)
            maxFrequency = try c.decode(Float.self, forKey: .maxFrequency)
        }

        /// Why the configuration cannot be built, or nil.
        public var problem: String? {
            if channels < 1 || channels > 64 { return "channels = \(channels) must be in 1…64" }
            if levels != 2 && levels != 3 { return "levels = \(levels) must be 2 or 3" }
            if height < 2 || width < 2 || height % 2 != 0 || width % 2 != 0 || height > 1 << 16 || width > 1 << 16
                || height * width > 1 << 16
            {
                return "image size \(height)×\(width) must be even on both sides (two resolution levels)"
            }
            if levels == 3 && (height % 4 != 0 || width % 4 != 0) {
                return "image size \(height)×\(width) must be divisible by 4 on both sides (three resolution levels)"
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
    /// RB₁ … RB₅ (two levels) or RB₁ … RB₇ (three) in the order of the diagram.
    @_spi(Benchmark) public let blocks: [ResBlock]
    let normOut: GroupNormSiLU
    @_spi(Benchmark) public let convOut: Conv2d

    /// One slice of a training batch: its activations, and its gradients (nil: the store's).
    struct TrainingSlice {
        let workspace: UNetWorkspace
        /// Zero at the start of every backward: allocated zeroed, and zeroed again by the
        /// sum that reads it at the end of each backward.
        let gradients: ParameterStore?
    }
    private var train: [TrainingSlice] = []
    private var trainBatch = 0
    private var forwardDone = false
    /// Idle inference workspaces by lane count (16 or a slice's multiple of 16), at most
    /// one per core and size: ``predict(x:cNoise:)`` takes one per pass and returns it.
    private var infer: [Int: [UNetWorkspace]] = [:]
    private let inferLock = NSLock()
    /// The filters of the 3 × 3 convolutions, transformed once per forward or prediction.
    private let filters: WinogradFilters
    /// Charged with each kind of layer's time (``UNet/Phase``) by the passes when set:
    /// `cmlab bench`'s breakdown of a step on one core. While it is set the slices run one
    /// after the other on the calling thread, so that every mark comes from it, in order
    /// (the benchmark also sets `Parallel.threads` to 1, for the layers inside a slice).
    @_spi(Benchmark) public var phaseClock: PhaseClock?

    /// Runs `body` over the slices of `batch` images, spread over the cores; one after
    /// the other on this thread while a ``phaseClock`` is set, whose marks must come
    /// from one thread in order (whatever `Parallel.threads` says at the time).
    private func forEachSlice(_ batch: Int, _ S: Int, _ body: (Range<Int>) -> Void) {
        guard phaseClock != nil else { return Parallel.forEachChunk(batch, chunk: S, body) }
        for start in stride(from: 0, to: batch, by: S) { body(start..<min(batch, start + S)) }
    }

    /// The kinds of work a pass charges to ``phaseClock``.
    @_spi(Benchmark) public enum Phase {
        public static let filters = "filters prepared (3 × 3 transforms, linear Wᵀ)"
        public static let conv3 = "3 × 3 convolutions"
        public static let norm = "group norm with FiLM and SiLU"
        public static let conv1 = "1 × 1 skip convolutions and residual adds"
        public static let film = "FiLM projections"
        public static let embedding = "noise embedding"
        public static let resample = "pooling, upsampling and skips"
        public static let layout = "layout (CHWB, padding)"
        public static let sum = "slices' gradients added"
        public static let all = [filters, layout, embedding, conv3, norm, conv1, film, resample, sum]
    }

    /// Values per image, `Ci·H·W`.
    public var inputDims: Int { configuration.channels * configuration.height * configuration.width }
    /// Parameters (without the store's alignment padding).
    public var parameterCount: Int { store.entries.reduce(0) { $0 + $1.count } }

    public convenience init(
        channels: Int = 1, height: Int = 14, width: Int = 14, baseWidth: Int = 32, levels: Int = 2,
        embedDims: Int = 256, fourierFeatures: Int = 32, seed: UInt64 = 0
    ) {
        self.init(
            Configuration(
                channels: channels, height: height, width: width, baseWidth: baseWidth, levels: levels,
                embedDims: embedDims, fourierFeatures: fourierFeatures, seed: seed))
    }

    /// Builds the network; weights are drawn from `configuration.seed` when `initialize`.
    public init(_ configuration: Configuration, initialize: Bool = true) {
        if let p = configuration.problem { preconditionFailure("UNet: \(p)") }
        self.configuration = configuration
        let c = configuration, C = c.baseWidth, E = c.embedDims
        fourier = FourierFeatures(count: c.fourierFeatures, minFrequency: c.minFrequency, maxFrequency: c.maxFrequency)
        let widths = Self.blockWidths(C, levels: c.levels)
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
        blockLevels = Self.blockLevels(c.levels)
        filters = WinogradFilters(
            [convIn] + blocks.flatMap { [$0.conv1, $0.conv2] } + [convOut],
            linears: [embedding.first, embedding.second] + blocks.map(\.film))
        if initialize {
            let rng = RNG(seed: c.seed)
            convIn.initialize(store, rng: rng.stream(100))
            embedding.initialize(store, rng: rng.stream(101))
            for (i, b) in blocks.enumerated() { b.initialize(store, rng: rng.stream(UInt64(i))) }
            normOut.initialize(store)
            convOut.initialize(store, rng: rng.stream(102), gain: 0)
        }
    }

    /// Channels at each resolution level: `C`, then `2C` at every level below.
    static func levelWidths(_ C: Int, levels: Int) -> [Int] { (0..<levels).map { $0 == 0 ? C : 2 * C } }

    /// The resolution level of each block (0 at H × W, k at H/2ᵏ): the down blocks, the
    /// middle block, the up blocks; [0, 1, 1, 1, 0] for two levels.
    static func blockLevels(_ levels: Int) -> [Int] { Array(0..<levels) + [levels - 1] + (0..<levels).reversed() }

    /// The resolution level of each of ``blocks``.
    @_spi(Benchmark) public let blockLevels: [Int]

    /// (in, out) channels of each block: RB₁ … RB₅ for two levels, RB₁ … RB₇ for three.
    static func blockWidths(_ C: Int, levels: Int) -> [(Int, Int)] {
        let w = levelWidths(C, levels: levels), inner = w[levels - 1]
        let down = [(C, C)] + (1..<levels).map { (w[$0 - 1], w[$0]) }
        // The up block of the innermost level takes the middle block's output and s_L; each
        // one above it the level below upsampled and its own level's skip.
        let up = [(2 * inner, inner)] + (0..<(levels - 1)).reversed().map { (w[$0 + 1] + w[$0], w[$0]) }
        return down + [(inner, inner)] + up
    }

    /// Same architecture and a copy of the weights (gradients and buffers not shared).
    public func copy() -> UNet {
        let u = UNet(configuration, initialize: false)
        u.store.copyValues(from: store)
        return u
    }

    // MARK: Tensor interface
    //
    // A batch runs as slices of ``sliceImages`` images, each a whole pass of the network
    // on one core in a workspace of its own (the layers inside a pass run on that core
    // alone), the cores taking slices in turn. A slice's transformed tiles fit in a
    // core's L2 cache where a whole batch's spill to L3, and the cores never wait for
    // each other between layers. In training each slice keeps its activations until the
    // backward, which gives every slice after the first a gradient buffer of its own;
    // the slices' gradients are then added in slice order. The 3 × 3 convolutions keep
    // nothing of their own: the backward transforms each one's input again, so that its
    // transformed input `V` and output gradient `dM` meet in the core's caches for the
    // weight gradient `dU_ξ = dM_ξ·V_ξᵀ` (docs/speed.md). Slices depend on the image
    // size only, never on the thread count, so the numbers do not either.

    /// Images per slice: 16 at 14 × 14 and 28 × 28 (one 16-lane register), more for
    /// smaller images, so a 32-channel layer's transformed tiles stay under ≈ 1 MB.
    /// Measured on one core at 14 × 14: a prediction of 128 images takes 41–43 ms in
    /// slices of 16 or 32, 46 in slices of 64, 52 in one pass; a training step on both
    /// cores is the same in slices of 16 and 32 (docs/speed.md).
    public var sliceImages: Int {
        let lanes = ImageGeometry.lanes
        return max(lanes, 3136 / (configuration.height * configuration.width) / lanes * lanes)
    }

    /// `F_θ(x, c_noise)`: x `[B, Ci·H·W]` (already scaled by c_in), c_noise `[B]` →
    /// `[B, Ci·H·W]`, keeping what ``backward(gradOutput:)`` needs.
    public func forward(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        let slices = trainingSlices(batch), S = sliceImages, d = inputDims, filters = self.filters
        phaseClock?.start()
        filters.prepare(store)
        phaseClock?.mark(Phase.filters)
        var y = Tensor(shape: [batch, d])
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    let xp = xp.baseAddress!, cp = cp.baseAddress!, yp = yp.baseAddress!
                    forEachSlice(batch, S) { rows in
                        run(
                            xp + rows.lowerBound * d, cp + rows.lowerBound, slices[rows.lowerBound / S].workspace,
                            filters: filters, output: yp + rows.lowerBound * d)
                    }
                }
            }
        }
        forwardDone = true
        return y
    }

    /// Backpropagates `dL/dF` `[B, Ci·H·W]` through the last ``forward(x:cNoise:)``, adding
    /// parameter gradients to the store; returns `dL/dx` `[B, Ci·H·W]`.
    public func backward(gradOutput: Tensor) -> Tensor {
        var dx = Tensor(shape: gradOutput.shape)
        dx.scalars.withUnsafeMutableBufferPointer { dp in backpropagate(gradOutput, gradInput: dp.baseAddress!) }
        return dx
    }

    /// Like ``backward(gradOutput:)`` without `dL/dx` (what a denoising or consistency
    /// loss needs): the first convolution skips its input gradient.
    public func backwardParameters(gradOutput: Tensor) { backpropagate(gradOutput, gradInput: nil) }

    private func backpropagate(_ gradOutput: Tensor, gradInput: UnsafeMutablePointer<Float>?) {
        guard forwardDone, !train.isEmpty else { preconditionFailure("UNet.backward needs a forward pass first") }
        let batch = trainBatch
        precondition(
            gradOutput.shape == [batch, inputDims],
            "UNet.backward: gradient \(gradOutput.shape), expected \([batch, inputDims])")
        let slices = train, S = sliceImages, d = inputDims, store = self.store, filters = self.filters
        phaseClock?.start()
        gradOutput.scalars.withUnsafeBufferPointer { gp in
            let gp = gp.baseAddress!
            forEachSlice(batch, S) { rows in
                let slice = slices[rows.lowerBound / S]
                backpropagate(
                    gp + rows.lowerBound * d, slice.workspace, store: slice.gradients ?? store, filters: filters,
                    gradInput: gradInput.map { $0 + rows.lowerBound * d })
            }
        }
        // The first slice added its gradient to the store's; the others follow in order,
        // each zeroed as it is read (for the next backward).
        let views = slices.dropFirst().compactMap(\.gradients).map(\.grads)
        if !views.isEmpty {
            // Sixteen parameters at a time (the same sums, each in slice order); the
            // store's count is padded to a multiple of 16 (ParameterStore's alignment).
            let g = store.grads, n = store.count, zero = L16(repeating: 0)
            Parallel.forEachChunk((n + 15) / 16, chunk: 1 << 10) { r in
                for block in r {
                    let i = 16 * block
                    guard i + 16 <= n else {
                        for j in i..<n {
                            var s = g[j]
                            for v in views { s += v[j]; v[j] = 0 }
                            g[j] = s
                        }
                        continue
                    }
                    var s = load16(g + i)
                    for v in views {
                        s += load16(v + i)
                        store16(zero, v + i)
                    }
                    store16(s, g + i)
                }
            }
        }
        phaseClock?.mark(Phase.sum)
    }

    /// `F_θ(x, c_noise)` without keeping activations (inference, target networks), slice
    /// by slice over the cores (the filters transformed once per call). Memory stays
    /// bounded by the slice size. Rows are independent and every product sums in the
    /// same order at any batch size, so the result does not depend on the slicing.
    public func predict(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        let d = inputDims, S = sliceImages, filters = self.filters
        var y = Tensor(shape: [batch, d])
        phaseClock?.start()
        filters.prepareForInference(store)
        phaseClock?.mark(Phase.filters)
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    let xp = xp.baseAddress!, cp = cp.baseAddress!, yp = yp.baseAddress!
                    forEachSlice(batch, S) { rows in
                        let ws = takeInferenceWorkspace(lanes: ImageGeometry.padded(rows.count))
                        defer { returnInferenceWorkspace(ws) }
                        run(
                            xp + rows.lowerBound * d, cp + rows.lowerBound, ws, count: rows.count,
                            filters: filters, output: yp + rows.lowerBound * d)
                    }
                }
            }
        }
        return y
    }

    public func callAsFunction(_ x: Tensor, cNoise: [Float]) -> Tensor { predict(x: x, cNoise: cNoise) }

    private func checkInput(_ x: Tensor, _ cNoise: [Float]) -> Int {
        precondition(
            x.rank == 2 && x.shape[1] == inputDims, "UNet expects x of shape [B, \(inputDims)], got \(x.shape)")
        precondition(cNoise.count == x.shape[0], "UNet: \(cNoise.count) c_noise values for a batch of \(x.shape[0])")
        return x.shape[0]
    }

    /// The training slices of a batch of `batch` images (those of the last batch when
    /// it had this size): a workspace each, and a gradient store of its own for every
    /// slice after the first.
    private func trainingSlices(_ batch: Int) -> [TrainingSlice] {
        forwardDone = false
        if trainBatch == batch, !train.isEmpty { return train }
        let S = sliceImages, starts = Array(stride(from: 0, to: batch, by: S))
        train = [] // free the old batch's before allocating the new
        train = starts.enumerated().map { k, start in
            TrainingSlice(
                workspace: UNetWorkspace(self, batch: min(S, batch - start), training: true),
                gradients: k == 0 ? nil : ParameterStore(gradientsFor: store))
        }
        trainBatch = batch
        return train
    }

    /// An idle inference workspace of `lanes` images (a multiple of 16), for one core's pass.
    private func takeInferenceWorkspace(lanes: Int) -> UNetWorkspace {
        if let w = inferLock.withLock({ infer[lanes]?.popLast() }) { return w }
        return UNetWorkspace(self, batch: lanes)
    }

    private func returnInferenceWorkspace(_ w: UNetWorkspace) {
        inferLock.withLock { infer[w.batch, default: []].append(w) }
    }

    /// Drops the activation buffers (they are rebuilt on the next call).
    public func releaseBuffers() {
        train = []
        inferLock.withLock { infer = [:] }
    }

    // MARK: Passes on raw buffers

    /// The forward over `count` images (`ws.batch` when nil; the rest of the lanes are
    /// zero), reading the transformed filters and transposed linear weights in `filters`.
    func run(
        _ x: UnsafePointer<Float>, _ cNoise: UnsafePointer<Float>, _ ws: UNetWorkspace, count: Int? = nil,
        filters: WinogradFilters, output: UnsafeMutablePointer<Float>
    ) {
        let C = configuration.baseWidth, ci = configuration.channels, levels = configuration.levels
        let g = ws.g, B = count ?? ws.batch, L = ws.lanes, store = self.store
        precondition(B <= L, "UNet.run: \(B) images in a workspace of \(L) lanes")
        let scratch = ws.scratch.p, w = Self.levelWidths(C, levels: levels), e = UnsafePointer(ws.emb.e.p)
        let clock = phaseClock
        /// The skip sₖ₊₁ of level k: the down block's output, in place after the concat's first 2C channels.
        func skip(_ k: Int) -> UnsafeMutablePointer<Float> { ws.cat[k].p + 2 * C * ws.levels[k].count }
        func block(_ i: Int, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
            blocks[i].forward(
                x, embedding: e, ws.levels[blockLevels[i]], ws.blocks[i], store, scratch: scratch, filters: filters,
                clock: clock, into: y)
        }
        toCHWB(x, batch: B, padded: L, channels: ci, plane: g.plane, into: ws.xin.p) // [Ci, H, W, Bp]
        ws.noise.p.update(from: cNoise, count: B)
        (ws.noise.p + B).update(repeating: 0, count: L - B)
        clock?.mark(Phase.layout)
        embedding.forward(ws.noise.p, batch: L, ws.emb, store, filters: filters) // e [Bp, E]
        clock?.mark(Phase.embedding)
        convIn.forward(
            ws.xin.p, g, kept: nil, scratch: scratch, store, filters: filters, into: ws.down[0].p) // [C, N]
        clock?.mark(Phase.conv3)
        for k in 0..<levels { // down: RB₁ … RB_L
            if k > 0 {
                Resample.avgPool2(skip(k - 1), ws.levels[k - 1], channels: w[k - 1], into: ws.down[k].p)
                clock?.mark(Phase.resample)
            }
            block(k, ws.down[k].p, into: skip(k))
        }
        block(levels, skip(levels - 1), into: ws.cat[levels - 1].p) // the middle block
        for k in (0..<levels).reversed() { // up: RB_{L+2} … RB_{2L+1}
            if k < levels - 1 {
                Resample.upsampleNearest2(ws.up[k + 1].p, ws.levels[k + 1], channels: 2 * C, into: ws.cat[k].p)
                clock?.mark(Phase.resample)
            }
            block(2 * levels - k, ws.cat[k].p, into: ws.up[k].p)
        }
        normOut.forward(
            ws.up[0].p, g, film: nil, store, mean: ws.meanOut.p, rstd: ws.rstdOut.p, into: ws.hOut.p)
        clock?.mark(Phase.norm)
        convOut.forward(
            ws.hOut.p, g, kept: nil, scratch: scratch, store, filters: filters, into: ws.y.p) // [Ci, N]
        clock?.mark(Phase.conv3)
        fromCHWB(ws.y.p, batch: B, padded: L, channels: ci, plane: g.plane, into: output)
        clock?.mark(Phase.layout)
    }

    /// The backward of one slice through `ws`, adding parameter gradients to `store`'s
    /// (`self.store` or a gradient view of it); `filters`: those of the forward.
    func backpropagate(
        _ dOut: UnsafePointer<Float>, _ ws: UNetWorkspace, store: ParameterStore, filters: WinogradFilters,
        gradInput: UnsafeMutablePointer<Float>?
    ) {
        let C = configuration.baseWidth, ci = configuration.channels, levels = configuration.levels
        let g = ws.g, B = ws.batch, L = ws.lanes
        let scratch = ws.scratch.p, partial = ws.partial.p, de = ws.emb.de.p
        let e = UnsafePointer(ws.emb.e.p), w = Self.levelWidths(C, levels: levels), clock = phaseClock
        func block(
            _ i: Int, _ dy: UnsafePointer<Float>, input: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
        ) {
            blocks[i].backward(
                gradOutput: dy, input: input, embedding: e, ws.levels[blockLevels[i]], ws.blocks[i], store,
                scratch: scratch, filters: filters, partial: partial, gradEmbedding: de, clock: clock, gradInput: dx)
        }
        de.update(repeating: 0, count: L * embedding.dims)
        toCHWB(dOut, batch: B, padded: L, channels: ci, plane: g.plane, into: ws.dy.p) // padded images get dL/dF = 0
        clock?.mark(Phase.layout)
        convOut.backward(
            gradOutput: ws.dy.p, input: ws.hOut.p, g, store, scratch: scratch, filters: filters, gradInput: ws.dhOut.p)
        clock?.mark(Phase.conv3)
        normOut.backward(
            gradOutput: ws.dhOut.p, g, film: nil, input: ws.up[0].p, mean: ws.meanOut.p, rstd: ws.rstdOut.p, store,
            dfilm: nil, partial: partial, gradInput: ws.dUp[0].p, accumulate: false)
        clock?.mark(Phase.norm)
        for k in 0..<levels { // up blocks, from the outermost in
            block(2 * levels - k, ws.dUp[k].p, input: ws.cat[k].p, into: ws.dCat[k].p)
            if k < levels - 1 {
                Resample.upsampleNearest2Backward(
                    ws.dCat[k].p, ws.levels[k + 1], channels: 2 * C, into: ws.dUp[k + 1].p)
                clock?.mark(Phase.resample)
            }
        }
        // The middle block; s_L also feeds the innermost concat.
        let n = ws.levels[levels - 1].count
        block(levels, ws.dCat[levels - 1].p, input: ws.cat[levels - 1].p + 2 * C * n, into: ws.dSkip[levels - 1].p)
        addVectors(ws.dCat[levels - 1].p + 2 * C * n, into: ws.dSkip[levels - 1].p, count: 2 * C * n)
        clock?.mark(Phase.resample)
        for k in (0..<levels).reversed() { // down blocks, from the innermost out
            if k < levels - 1 { // sₖ₊₁ feeds the concat and the pooling into level k + 1
                let n = ws.levels[k].count
                ws.dSkip[k].p.update(from: ws.dCat[k].p + 2 * C * n, count: w[k] * n)
                Resample.avgPool2Backward(
                    ws.dDown[k + 1].p, ws.levels[k], channels: w[k], into: ws.dSkip[k].p, accumulate: true)
                clock?.mark(Phase.resample)
            }
            block(k, ws.dSkip[k].p, input: ws.down[k].p, into: ws.dDown[k].p)
        }
        convIn.backward(
            gradOutput: ws.dDown[0].p, input: ws.xin.p, g, store, scratch: scratch, filters: filters,
            gradInput: gradInput == nil ? nil : ws.dxin.p)
        clock?.mark(Phase.conv3)
        embedding.backward(batch: L, ws.emb, store)
        clock?.mark(Phase.embedding)
        if let gradInput { fromCHWB(ws.dxin.p, batch: B, padded: L, channels: ci, plane: g.plane, into: gradInput) }
        clock?.mark(Phase.layout)
    }
}

/// `y += x` over `count` values.
func addVectors(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
    Parallel.forEachChunk(n / 8, chunk: 4096) { r in
        for i in r { store8(load8(y + 8 * i) + load8(x + 8 * i), y + 8 * i) }
    }
    for i in (n & ~7)..<n { y[i] += x[i] }
}
