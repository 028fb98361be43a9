import Foundation
import Tensors

/// A small convolutional classifier for one-channel images, the feature extractor of
/// the Fréchet distance on images:
///
///     x [1, H, W] ─ conv 3×3 (32) ─ GN ─ SiLU ─ avg-pool 2× ─ conv 3×3 (64) ─ GN ─ SiLU
///       ─ flatten [64·H/2·W/2] ─ Linear (128) ─ SiLU ═ features [128] ─ Linear ─ logits [classes]
///
/// trained with softmax cross-entropy. ``features(_:)`` returns the 128-d penultimate
/// activations. Layout and kernels are the U-Net's (CHWB, Winograd convolutions).
public final class Classifier: Module {
    public struct Configuration: Codable, Equatable, Sendable {
        public var height: Int
        public var width: Int
        public var classes: Int
        public var featureDims: Int
        public var seed: UInt64
        public init(height: Int = 14, width: Int = 14, classes: Int = 10, featureDims: Int = 128, seed: UInt64 = 0) {
            precondition(
                height >= 2 && width >= 2 && height % 2 == 0 && width % 2 == 0 && classes >= 2 && featureDims >= 1)
            self.height = height; self.width = width; self.classes = classes; self.featureDims = featureDims;
            self.seed = seed
        }
    }

    public let configuration: Configuration
    public let store: ParameterStore
    let conv1, conv2: Conv2d
    let norm1, norm2: GroupNormSiLU
    let fc1, fc2: Linear
    static let widths = (32, 64)
    private var train: Workspace?
    private var infer: Workspace?

    public var inputDims: Int { configuration.height * configuration.width }
    public var featureDims: Int { configuration.featureDims }
    var flatDims: Int { Self.widths.1 * inputDims / 4 }

    public init(_ configuration: Configuration, initialize: Bool = true) {
        self.configuration = configuration
        let (c1, c2) = Self.widths
        var layout = Conv2d.layout("conv1", inChannels: 1, outChannels: c1, kernel: 3)
        layout += GroupNormSiLU.layout("norm1", channels: c1)
        layout += Conv2d.layout("conv2", inChannels: c1, outChannels: c2, kernel: 3)
        layout += GroupNormSiLU.layout("norm2", channels: c2)
        layout += Linear.layout(
            "fc1", inputs: c2 * configuration.height * configuration.width / 4, outputs: configuration.featureDims)
        layout += Linear.layout("fc2", inputs: configuration.featureDims, outputs: configuration.classes)
        store = ParameterStore(layout: layout)
        conv1 = Conv2d("conv1", in: store); conv2 = Conv2d("conv2", in: store)
        norm1 = GroupNormSiLU("norm1", in: store, groups: 8); norm2 = GroupNormSiLU("norm2", in: store, groups: 8)
        fc1 = Linear("fc1", in: store); fc2 = Linear("fc2", in: store)
        if initialize {
            let rng = RNG(seed: configuration.seed)
            conv1.initialize(store, rng: rng.stream(0)); conv2.initialize(store, rng: rng.stream(1))
            norm1.initialize(store); norm2.initialize(store)
            fc1.initialize(store, rng: rng.stream(2)); fc2.initialize(store, rng: rng.stream(3))
        }
    }

    final class Workspace {
        /// Images of the caller's batch and the padded lane count (rows of every buffer).
        let batch: Int, lanes: Int, training: Bool
        let g: ImageGeometry, h: ImageGeometry
        let x, kept1, a1, h1, p, kept2, a2, h2, flat, s3, f, logits: Buffer
        let mean1, rstd1, mean2, rstd2, partial, scratch: Buffer
        let dlogits, df, dflat, dh2, da2, dp, dh1, da1: Buffer
        var forwardDone = false
        init(_ net: Classifier, batch: Int, training t: Bool) {
            self.batch = batch; training = t
            let L = ImageGeometry.padded(batch)
            lanes = L
            g = ImageGeometry(batch: L, height: net.configuration.height, width: net.configuration.width); h = g.half
            let (c1, c2) = Classifier.widths, n = g.count, q = h.count, k = t ? 1 : 0, F = net.featureDims
            x = Buffer(n); kept1 = Buffer(k * net.conv1.keptCount(g)); a1 = Buffer(c1 * n)
            h1 = Buffer(c1 * n); p = Buffer(c1 * q); kept2 = Buffer(k * net.conv2.keptCount(h)); a2 = Buffer(c2 * q)
            h2 = Buffer(c2 * q); flat = Buffer(c2 * q)
            s3 = Buffer(L * F); f = Buffer(L * F); logits = Buffer(L * net.configuration.classes)
            mean1 = Buffer(L * 8); rstd1 = Buffer(L * 8); mean2 = Buffer(L * 8); rstd2 = Buffer(L * 8)
            partial = Buffer(L * 2 * c2)
            scratch = Buffer(max(net.conv1.scratchCount(g), net.conv2.scratchCount(h)))
            dlogits = Buffer(k * L * net.configuration.classes); df = Buffer(k * L * F); dflat = Buffer(k * c2 * q)
            dh2 = Buffer(k * c2 * q); da2 = Buffer(k * c2 * q); dp = Buffer(k * c1 * q); dh1 = Buffer(k * c1 * n)
            da1 = Buffer(k * c1 * n)
        }
    }

    private func workspace(_ batch: Int, training: Bool) -> Workspace {
        if training, let w = train, w.batch == batch { w.forwardDone = false; return w }
        if !training, let w = infer, w.batch == batch { return w }
        let w = Workspace(self, batch: batch, training: training)
        if training { train = w } else { infer = w }
        return w
    }

    /// Forward of images `[B, H·W]`; fills `ws.f` (features) and `ws.logits`.
    private func run(_ images: UnsafePointer<Float>, _ ws: Workspace) {
        let (c1, c2) = Self.widths, g = ws.g, h = ws.h, B = ws.lanes, t = ws.training, F = featureDims
        toCHWB(images, batch: ws.batch, padded: B, channels: 1, plane: g.plane, into: ws.x.p) // [1, H, W, Bp]
        conv1.forward(ws.x.p, g, kept: t ? ws.kept1.p : nil, scratch: ws.scratch.p, store, into: ws.a1.p) // [32, N]
        norm1.forward(
            ws.a1.p, g, film: nil, store, mean: ws.mean1.p, rstd: ws.rstd1.p,
            into: ws.h1.p)
        Resample.avgPool2(ws.h1.p, g, channels: c1, into: ws.p.p) // [32, N/4]
        conv2.forward(ws.p.p, h, kept: t ? ws.kept2.p : nil, scratch: ws.scratch.p, store, into: ws.a2.p) // [64, N/4]
        norm2.forward(
            ws.a2.p, h, film: nil, store, mean: ws.mean2.p, rstd: ws.rstd2.p,
            into: ws.h2.p)
        fromCHWB(ws.h2.p, batch: B, padded: B, channels: c2, plane: h.plane, into: ws.flat.p) // [Bp, 64·P]
        fc1.multiply(ws.flat.p, batch: B, store, into: ws.s3.p)
        biasSiLUForward(
            z: ws.s3.p, bias: store.values + fc1.biasOffset, rows: 0..<B, columns: F,
            sigmoidOut: ws.s3.p, siluOut: nil, out: ws.f.p, skip: nil) // features [B, F]
        fc2.multiply(ws.f.p, batch: B, store, into: ws.logits.p)
        fc2.addBias(ws.logits.p, batch: B, store)
    }

    /// Softmax cross-entropy of the last training forward against `labels`; backpropagates
    /// the mean loss into the store's gradients and returns (loss, correct predictions).
    private func backward(labels: UnsafePointer<Int32>, _ ws: Workspace) -> (loss: Double, correct: Int) {
        let (c1, c2) = Self.widths, g = ws.g, h = ws.h, B = ws.batch, K = configuration.classes, F = featureDims
        var loss = 0.0, correct = 0
        (ws.dlogits.p + B * K).update(repeating: 0, count: (ws.lanes - B) * K) // padded images add nothing
        for b in 0..<B { // dL/dlogits = (softmax − onehot)/B
            let z = ws.logits.p + b * K, d = ws.dlogits.p + b * K
            var m = z[0], arg = 0
            for k in 1..<K where z[k] > m { m = z[k]; arg = k }
            var s = 0.0
            for k in 0..<K { s += exp(Double(z[k] - m)) }
            let y = Int(labels[b])
            loss += log(s) - Double(z[y] - m)
            if arg == y { correct += 1 }
            for k in 0..<K { d[k] = Float((exp(Double(z[k] - m)) / s - (k == y ? 1 : 0)) / Double(B)) }
        }
        let L = ws.lanes
        fc2.accumulateWeightGradient(gradOutput: ws.dlogits.p, input: ws.f.p, batch: L, store)
        fc2.accumulateBiasGradient(gradOutput: ws.dlogits.p, batch: L, store)
        fc2.inputGradient(gradOutput: ws.dlogits.p, batch: L, store, into: ws.df.p)
        siluBackward(
            g: ws.df.p, sigmoid: ws.s3.p, output: ws.f.p, rows: 0..<L, columns: F, into: ws.df.p,
            columnSums: store.grads + fc1.biasOffset)
        fc1.accumulateWeightGradient(gradOutput: ws.df.p, input: ws.flat.p, batch: L, store)
        fc1.inputGradient(gradOutput: ws.df.p, batch: L, store, into: ws.dflat.p)
        toCHWB(ws.dflat.p, batch: L, padded: L, channels: c2, plane: h.plane, into: ws.dh2.p)
        norm2.backward(
            gradOutput: ws.dh2.p, h, film: nil, input: ws.a2.p, mean: ws.mean2.p, rstd: ws.rstd2.p, store, dfilm: nil,
            partial: ws.partial.p, gradInput: ws.da2.p, accumulate: false)
        conv2.backward(
            gradOutput: ws.da2.p, kept: ws.kept2.p, input: ws.p.p, h, store, scratch: ws.scratch.p, gradInput: ws.dp.p)
        Resample.avgPool2Backward(ws.dp.p, g, channels: c1, into: ws.dh1.p, accumulate: false)
        norm1.backward(
            gradOutput: ws.dh1.p, g, film: nil, input: ws.a1.p, mean: ws.mean1.p, rstd: ws.rstd1.p, store, dfilm: nil,
            partial: ws.partial.p, gradInput: ws.da1.p, accumulate: false)
        conv1.backward(
            gradOutput: ws.da1.p, kept: ws.kept1.p, input: ws.x.p, g, store, scratch: ws.scratch.p, gradInput: nil)
        return (loss / Double(B), correct)
    }

    /// One training step's loss and gradients on images `[B, H·W]` with their labels.
    public func lossAndGradients(images: Tensor, labels: [Int]) -> (loss: Double, accuracy: Double) {
        precondition(images.rank == 2 && images.shape[1] == inputDims && labels.count == images.shape[0])
        precondition(
            labels.allSatisfy { $0 >= 0 && $0 < configuration.classes },
            "labels must lie in 0..<\(configuration.classes)")
        let ws = workspace(labels.count, training: true)
        let l = labels.map(Int32.init)
        images.scalars.withUnsafeBufferPointer { run($0.baseAddress!, ws) }
        let r = l.withUnsafeBufferPointer { backward(labels: $0.baseAddress!, ws) }
        return (r.loss, Double(r.correct) / Double(labels.count))
    }

    /// Runs inference in chunks of 256 and hands each chunk's workspace to `body`.
    private func inferChunks(_ images: Tensor, _ body: (Range<Int>, Workspace) -> Void) {
        precondition(
            images.rank == 2 && images.shape[1] == inputDims,
            "Classifier expects [n, \(inputDims)], got \(images.shape)")
        let n = images.shape[0]
        images.scalars.withUnsafeBufferPointer { xp in
            var start = 0
            while start < n {
                let m = min(256, n - start)
                let ws = workspace(m, training: false)
                run(xp.baseAddress! + start * inputDims, ws)
                body(start..<(start + m), ws)
                start += m
            }
        }
    }

    /// Class scores `[n, classes]` for images `[n, H·W]` in [−1, 1].
    public func logits(_ images: Tensor) -> Tensor {
        let K = configuration.classes
        var out = [Float](repeating: 0, count: images.rows * K)
        inferChunks(images) { r, ws in for i in 0..<(r.count * K) { out[r.lowerBound * K + i] = ws.logits.p[i] } }
        return Tensor(shape: [images.rows, K], scalars: out)
    }

    /// The 128-d penultimate activations of images `[n, H·W]`: Fréchet-distance features.
    public func features(_ images: Batch) -> Batch {
        let F = featureDims
        var out = [Double](repeating: 0, count: images.count * F)
        inferChunks(images.tensor) { r, ws in
            for i in 0..<(r.count * F) { out[r.lowerBound * F + i] = Double(ws.f.p[i]) }
        }
        return Batch(count: images.count, dims: F, values: out)
    }

    /// The arg-max class of each image `[n, H·W]` (ties go to the lower class).
    public func predictedClasses(_ images: Tensor) -> [Int] {
        let z = logits(images), K = configuration.classes
        return (0..<images.rows).map { i in
            var best = 0
            for c in 1..<K where z.scalars[i * K + c] > z.scalars[i * K + best] { best = c }
            return best
        }
    }

    /// Fraction of images whose arg-max class equals the label.
    public func accuracy(images: Tensor, labels: [Int]) -> Double {
        let predicted = predictedClasses(images)
        let correct = zip(predicted, labels).filter { $0 == $1 }.count
        return Double(correct) / Double(max(1, labels.count))
    }
}

/// Settings of classifier training (Adam, shuffled epochs).
public struct ClassifierTrainingConfig: Sendable, Codable, Equatable {
    public var epochs = 4
    public var batchSize = 128
    public var learningRate = 1e-3
    public var weightDecay = 1e-4
    public var seed: UInt64 = 0
    public init() {}
}

/// Trains a ``Classifier`` on images `[n, H·W]` in [−1, 1] with labels, by softmax
/// cross-entropy with AdamW over seeded shuffled epochs (learning rate decayed by
/// cosine to 0), using ``runTraining``.
public func trainClassifier(
    images: Tensor, labels: [Int], height: Int, width: Int, classes: Int = 10,
    config: ClassifierTrainingConfig = ClassifierTrainingConfig(),
    cancel: CancellationToken? = nil,
    progress: ((TrainingProgress) -> Void)? = nil
) -> (classifier: Classifier, outcome: TrainingOutcome, losses: [Double]) {
    let net = Classifier(Classifier.Configuration(height: height, width: width, classes: classes, seed: config.seed))
    let n = labels.count, B = min(config.batchSize, n), d = height * width
    let stepsPerEpoch = n / B, total = config.epochs * stepsPerEpoch
    let adam = Adam.adamW(net.store, learningRate: Float(config.learningRate), weightDecay: Float(config.weightDecay))
    var order: [Int] = []
    var batchImages = [Float](repeating: 0, count: B * d)
    var batchLabels = [Int](repeating: 0, count: B)
    let (outcome, losses) = runTraining(
        iterations: total, store: net.store, cancel: cancel, progressEvery: 100, progress: progress,
        lossAndGradients: { t in
            let epoch = t / stepsPerEpoch, s = t % stepsPerEpoch
            if s == 0 { // a seeded shuffle per epoch
                order = Array(0..<n)
                let rng = RNG(seed: config.seed).stream(UInt64(epoch))
                for i in stride(from: n - 1, to: 0, by: -1) {
                    order.swapAt(i, rng.integer(at: UInt64(i), below: i + 1))
                }
            }
            for k in 0..<B {
                let i = order[s * B + k]
                batchLabels[k] = labels[i]
                for j in 0..<d { batchImages[k * d + j] = images.scalars[i * d + j] }
            }
            return net.lossAndGradients(images: Tensor(shape: [B, d], scalars: batchImages), labels: batchLabels).loss
        },
        update: { t in
            adam.learningRate = Float(config.learningRate * 0.5 * (1 + cos(Double.pi * Double(t) / Double(total))))
            adam.update(net.store)
        })
    return (net, outcome, losses)
}
