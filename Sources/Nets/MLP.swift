import Foundation
import Tensors

/// The student's network `F_θ(c_in·x, c_noise)`: a multilayer perceptron on
/// `[x, φ(c_noise)]` with `depth` hidden layers of `width` SiLU units and a linear
/// output of `inputDims`. With `residual`, hidden layers 2…depth are residual blocks
/// `h ← h + silu(W h + b)`.
///
/// Every weight and bias lives in one ``ParameterStore`` (names `layers.<i>.weight`,
/// `layers.<i>.bias`, the output layer last), so Adam, the EMA, clipping and checkpoints
/// are loops over one buffer. Activation and gradient buffers are allocated once per
/// batch size and reused, so a training step allocates only its returned tensors.
///
/// Inside a call the batch is split into two halves of rows (from 64 rows), each run
/// through every layer on its own core (OpenBLAS is single-threaded in CMLab): no
/// synchronisation between layers. The second
/// half accumulates its parameter gradients in a buffer of its own, added to the store's
/// in a fixed order, so the same inputs give the same gradients on 1 or 2 cores.
///
/// Not thread-safe: one MLP runs one forward/backward at a time.
public final class MLP: Module {
    /// The architecture, as stored in checkpoints.
    public struct Configuration: Codable, Equatable, Sendable {
        public var inputDims: Int
        public var width: Int
        public var depth: Int
        public var fourierFeatures: Int
        public var residual: Bool
        public var seed: UInt64
        public var minFrequency: Float
        public var maxFrequency: Float

        public init(
            inputDims: Int, width: Int = 256, depth: Int = 4, fourierFeatures: Int = 16,
            residual: Bool = false, seed: UInt64 = 0, minFrequency: Float = 1, maxFrequency: Float = 128
        ) {
            precondition(inputDims >= 1 && width >= 1 && depth >= 1 && fourierFeatures >= 1)
            self.inputDims = inputDims
            self.width = width
            self.depth = depth
            self.fourierFeatures = fourierFeatures
            self.residual = residual
            self.seed = seed
            self.minFrequency = minFrequency
            self.maxFrequency = maxFrequency
        }
    }

    public let configuration: Configuration
    public let fourier: FourierFeatures
    public let store: ParameterStore
    /// `depth` hidden layers, then the output layer.
    public let layers: [Linear]

    public var inputDims: Int { configuration.inputDims }
    public var width: Int { configuration.width }
    public var depth: Int { configuration.depth }
    public var residual: Bool { configuration.residual }
    /// Width of the first layer's input, `inputDims + 2F`.
    public var embeddedWidth: Int { inputDims + fourier.width }

    private var train: TrainingBuffers?
    private var infer: InferenceBuffers?

    /// A network with weights drawn from `seed` (LeCun normal, zero biases): the same
    /// seed gives the same weights, each weight being draw `i` of stream `layer`.
    public convenience init(
        inputDims: Int, width: Int = 256, depth: Int = 4, fourierFeatures: Int = 16,
        residual: Bool = false, seed: UInt64 = 0
    ) {
        self.init(
            Configuration(
                inputDims: inputDims, width: width, depth: depth,
                fourierFeatures: fourierFeatures, residual: residual, seed: seed))
    }

    public init(_ configuration: Configuration, initialize: Bool = true) {
        self.configuration = configuration
        fourier = FourierFeatures(
            count: configuration.fourierFeatures,
            minFrequency: configuration.minFrequency, maxFrequency: configuration.maxFrequency)
        let c = configuration
        let store = ParameterStore(layout: MLP.layout(c))
        self.store = store
        layers = (0...c.depth).map { Linear("layers.\($0)", in: store) }
        if initialize {
            let rng = RNG(seed: c.seed)
            for (l, layer) in layers.enumerated() { layer.initialize(store, rng: rng.stream(UInt64(l))) }
        }
    }

    /// Parameter names and shapes of a configuration, in store order.
    public static func layout(_ c: Configuration) -> [(name: String, shape: [Int])] {
        var layout: [(name: String, shape: [Int])] = []
        for l in 0...c.depth {
            let fanIn = l == 0 ? c.inputDims + 2 * c.fourierFeatures : c.width
            let fanOut = l == c.depth ? c.inputDims : c.width
            layout += Linear.layout("layers.\(l)", inputs: fanIn, outputs: fanOut)
        }
        return layout
    }

    /// A network with the same architecture and a copy of the weights (e.g. the EMA
    /// target θ⁻). Gradients and buffers are not shared.
    public func copy() -> MLP {
        let m = MLP(configuration, initialize: false)
        m.store.copyValues(from: store)
        return m
    }

    // MARK: Forward and backward

    /// `F_θ(x, c_noise)`: x `[B, inputDims]` (already scaled by c_in), c_noise `[B]`
    /// → `[B, inputDims]`, keeping what ``backward(gradOutput:)`` needs.
    public func forward(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        let t = trainingBuffers(batch)
        if batch == 0 { t.forwardDone = true; return Tensor(shape: [0, inputDims]) }
        var y = Tensor(shape: [batch, inputDims])
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    forward(x: xp.baseAddress!, cNoise: cp.baseAddress!, batch: batch, t, output: yp.baseAddress!)
                }
            }
        }
        return y
    }

    /// Backpropagates `dL/dF` `[B, inputDims]` through the last ``forward(x:cNoise:)``,
    /// adding parameter gradients to ``ParameterStore/grads``; returns `dL/dx` `[B, inputDims]`.
    public func backward(gradOutput: Tensor) -> Tensor {
        guard let t = train, t.forwardDone else { preconditionFailure("MLP.backward needs a forward pass first") }
        precondition(
            gradOutput.shape == [t.batch, inputDims],
            "MLP.backward: gradient \(gradOutput.shape), expected \([t.batch, inputDims])")
        if t.batch > 0 { gradOutput.scalars.withUnsafeBufferPointer { backward(gradOutput: $0.baseAddress!, t) } }
        return Tensor(
            shape: [t.batch, inputDims], scalars: Array(UnsafeBufferPointer(start: t.dx.p, count: t.dx.count)))
    }

    /// Like ``backward(gradOutput:)`` but skips `dL/dx` (the distillation loss needs
    /// only parameter gradients), saving one small matrix product.
    public func backwardParameters(gradOutput: Tensor) {
        guard let t = train, t.forwardDone else { preconditionFailure("MLP.backward needs a forward pass first") }
        precondition(
            gradOutput.shape == [t.batch, inputDims],
            "MLP.backward: gradient \(gradOutput.shape), expected \([t.batch, inputDims])")
        if t.batch > 0 {
            gradOutput.scalars.withUnsafeBufferPointer {
                backward(gradOutput: $0.baseAddress!, t, inputGradient: false)
            }
        }
    }

    /// `F_θ(x, c_noise)` without keeping activations: for inference and target networks.
    public func predict(x: Tensor, cNoise: [Float]) -> Tensor {
        let batch = checkInput(x, cNoise)
        if batch == 0 { return Tensor(shape: [0, inputDims]) }
        let t = inferenceBuffers(batch)
        var y = Tensor(shape: [batch, inputDims])
        x.scalars.withUnsafeBufferPointer { xp in
            cNoise.withUnsafeBufferPointer { cp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    predict(x: xp.baseAddress!, cNoise: cp.baseAddress!, batch: batch, t, output: yp.baseAddress!)
                }
            }
        }
        return y
    }

    /// Same as ``predict(x:cNoise:)``.
    public func callAsFunction(_ x: Tensor, cNoise: [Float]) -> Tensor { predict(x: x, cNoise: cNoise) }

    private func checkInput(_ x: Tensor, _ cNoise: [Float]) -> Int {
        precondition(x.rank == 2 && x.shape[1] == inputDims, "MLP expects x of shape [B, \(inputDims)], got \(x.shape)")
        precondition(cNoise.count == x.shape[0], "MLP: \(cNoise.count) c_noise values for a batch of \(x.shape[0])")
        return x.shape[0]
    }

    /// The row ranges a batch is split into (see the type's discussion); they depend on
    /// the batch size alone.
    @_spi(Benchmark) public static func halves(_ batch: Int) -> [Range<Int>] {
        batch >= 64 ? [0..<(batch / 2), (batch / 2)..<batch] : [0..<batch]
    }

    /// Runs `body(part, rows)` for the halves of `batch`, one per core.
    private func onHalves(_ batch: Int, _ body: (Int, Range<Int>) -> Void) {
        let parts = Self.halves(batch)
        Parallel.forEachChunk(parts.count, chunk: 1) { ps in for p in ps { body(p, parts[p]) } }
    }

    /// `x0 = [x, φ(c_noise)]` `[B, D0]` for `rows`.
    private func embed(
        _ x: UnsafePointer<Float>, _ cNoise: UnsafePointer<Float>, rows: Range<Int>,
        into x0: UnsafeMutablePointer<Float>
    ) {
        let d = inputDims, d0 = embeddedWidth
        for r in rows { (x0 + r * d0).update(from: x + r * d, count: d) }
        fourier.encode(cNoise, rows: rows, into: x0, ld: d0, column: d)
    }

    private func forward(
        x: UnsafePointer<Float>, cNoise: UnsafePointer<Float>, batch: Int,
        _ t: TrainingBuffers, output: UnsafeMutablePointer<Float>
    ) {
        let w = width, d0 = embeddedWidth, dims = inputDims, store = self.store
        onHalves(batch) { _, rows in
            let r0 = rows.lowerBound, count = rows.count
            embed(x, cNoise, rows: rows, into: t.x0.p)
            var input: UnsafeMutablePointer<Float> = t.x0.p, ld = d0
            for l in 0..<depth {
                let layer = layers[l]
                let z = t.z.p, s = t.s[l].p, h = t.h[l].p
                let res = residual && l > 0
                let u = res ? t.u[l].p : nil
                let skip: UnsafePointer<Float>? = res ? UnsafePointer(input) : nil
                layer.multiply(input + r0 * ld, batch: count, store, into: z + r0 * w) // z = h·Wᵀ   [B, W]
                // s ← σ(z+b), h ← (skip +) silu(z+b). No buffer is written in place: the
                // vectoriser's overlap check would fall back to scalar code.
                biasSiLUForward(
                    z: z, bias: store.values + layer.biasOffset, rows: rows, columns: w,
                    sigmoidOut: s, siluOut: u, out: h, skip: skip)
                input = h
                ld = w
            }
            let last = layers[depth]
            last.multiply(input + r0 * w, batch: count, store, into: output + r0 * dims) // [B, dims]
            last.addBias(output + r0 * dims, batch: count, store)
        }
        t.forwardDone = true
    }

    private func backward(gradOutput g: UnsafePointer<Float>, _ t: TrainingBuffers, inputGradient: Bool = true) {
        let batch = t.batch, w = width, d0 = embeddedWidth, dims = inputDims, store = self.store
        let parts = Self.halves(batch)
        onHalves(batch) { part, rows in
            // The first half adds to the store's gradients, the second overwrites its own.
            let grads = part == 0 ? store.grads : t.shadow.p, beta: Float = part == 0 ? 1 : 0
            let r0 = rows.lowerBound, count = rows.count
            let last = layers[depth]
            last.accumulateWeightGradient(
                gradOutput: g + r0 * dims, input: t.h[depth - 1].p + r0 * w, batch: count, store,
                gradients: grads, beta: beta)
            last.accumulateBiasGradient(
                gradOutput: g + r0 * dims, batch: count, store, gradients: grads, overwrite: part != 0)
            let gh = t.g.p // dL/dh_l [B, W]
            last.inputGradient(gradOutput: g + r0 * dims, batch: count, store, into: gh + r0 * w)
            let sums = t.sums.p + part * w
            for l in stride(from: depth - 1, through: 0, by: -1) {
                let layer = layers[l]
                let res = residual && l > 0
                let dz = t.dz.p // dL/dz [B, W]
                let s = t.s[l].p, u = res ? t.u[l].p : t.h[l].p
                sums.update(repeating: 0, count: w)
                siluBackward(g: gh, sigmoid: s, output: u, rows: rows, columns: w, into: dz, columnSums: sums)
                let db = grads + layer.biasOffset
                if part == 0 { for j in 0..<w { db[j] += sums[j] } } else { db.update(from: sums, count: w) }
                let input = l == 0 ? t.x0.p + r0 * d0 : t.h[l - 1].p + r0 * w
                layer.accumulateWeightGradient(
                    gradOutput: dz + r0 * w, input: input, batch: count, store,
                    gradients: grads, beta: beta)
                if l == 0 {
                    if inputGradient {
                        layer.inputGradient(
                            gradOutput: dz + r0 * w, batch: count, store, columns: dims, into: t.dx.p + r0 * dims)
                    }
                } else {
                    // dL/dh_{l−1} = dz·W, plus dL/dh_l through the skip of a residual block.
                    layer.inputGradient(
                        gradOutput: dz + r0 * w, batch: count, store, beta: res ? 1 : 0, into: gh + r0 * w)
                }
            }
        }
        if parts.count == 2 { addVectors(t.shadow.p, into: store.grads, count: store.count) } // first half + second
    }

    private func predict(
        x: UnsafePointer<Float>, cNoise: UnsafePointer<Float>, batch: Int,
        _ t: InferenceBuffers, output: UnsafeMutablePointer<Float>
    ) {
        let w = width, d0 = embeddedWidth, dims = inputDims, store = self.store
        onHalves(batch) { _, rows in
            let r0 = rows.lowerBound, count = rows.count
            embed(x, cNoise, rows: rows, into: t.x0.p)
            var input: UnsafeMutablePointer<Float> = t.x0.p, ld = d0
            var dest = t.a.p, spare = t.b.p
            for l in 0..<depth {
                let layer = layers[l]
                let skip: UnsafePointer<Float>? = residual && l > 0 ? UnsafePointer(input) : nil
                layer.multiply(input + r0 * ld, batch: count, store, into: t.z.p + r0 * w)
                biasSiLUForward(
                    z: t.z.p, bias: store.values + layer.biasOffset, rows: rows, columns: w,
                    sigmoidOut: nil, siluOut: nil, out: dest, skip: skip)
                input = dest
                ld = w
                swap(&dest, &spare)
            }
            let last = layers[depth]
            last.multiply(input + r0 * w, batch: count, store, into: output + r0 * dims)
            last.addBias(output + r0 * dims, batch: count, store)
        }
    }

    // MARK: Buffers

    private func trainingBuffers(_ batch: Int) -> TrainingBuffers {
        if let t = train, t.batch == batch { t.forwardDone = false; return t }
        let t = TrainingBuffers(
            batch: batch, configuration: configuration, embeddedWidth: embeddedWidth,
            parameters: store.count)
        train = t
        return t
    }

    /// Inference buffers hold at least `batch` rows: a solve that evaluates a shrinking or
    /// growing set of rows (Direct CM's staggered targets) reuses the largest.
    private func inferenceBuffers(_ batch: Int) -> InferenceBuffers {
        if let t = infer, t.batch >= batch { return t }
        let t = InferenceBuffers(batch: batch, width: width, embeddedWidth: embeddedWidth)
        infer = t
        return t
    }
}

/// What a training forward keeps, and the backward's scratch, for one batch size.
final class TrainingBuffers {
    let batch: Int
    let x0: Buffer // [B, D0]  the embedded input
    let s: [Buffer] // [B, W]   σ(z) per hidden layer
    let h: [Buffer] // [B, W]   hidden outputs
    let u: [Buffer] // [B, W]   silu(z) of residual blocks (empty otherwise)
    let z: Buffer // [B, W]   pre-activation scratch
    let g, dz: Buffer // [B, W]   dL/dh and dL/dz scratch
    let sums: Buffer // [2, W]   bias-gradient sums of each half
    let shadow: Buffer // the second half's parameter gradients (the store's layout)
    let dx: Buffer // [B, dims]
    var forwardDone = false

    init(batch: Int, configuration c: MLP.Configuration, embeddedWidth: Int, parameters: Int) {
        self.batch = batch
        let n = batch * c.width
        x0 = Buffer(batch * embeddedWidth)
        s = (0..<c.depth).map { _ in Buffer(n) }
        h = (0..<c.depth).map { _ in Buffer(n) }
        u = (0..<c.depth).map { l in Buffer(c.residual && l > 0 ? n : 0) }
        z = Buffer(n)
        g = Buffer(n)
        dz = Buffer(n)
        sums = Buffer(2 * c.width)
        shadow = Buffer(MLP.halves(batch).count > 1 ? parameters : 0)
        dx = Buffer(batch * c.inputDims)
    }
}

/// A pre-activation scratch and two ping-pong activation buffers for a forward
/// without caching.
final class InferenceBuffers {
    let batch: Int
    let x0, z, a, b: Buffer

    init(batch: Int, width: Int, embeddedWidth: Int) {
        self.batch = batch
        x0 = Buffer(batch * embeddedWidth)
        z = Buffer(batch * width)
        a = Buffer(batch * width)
        b = Buffer(batch * width)
    }
}
