import Datasets
import Diffusion
import Foundation
import Metrics
import Nets
import Script
import Tensors

/// Images: `fashion_mnist`, `classifier`, `exists`.
func registerImages(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "fashion_mnist",
        doc: """
            Fashion-MNIST from Debian's dataset-fashion-mnist package, scaled to [−1, 1]: split "train" (60,000) or \
            "test" (10,000); size 28, 14 (2×2 average pooling) or 16; an optional list of classes (0 T-shirt … 9 \
            ankle boot) and a seeded random subset of count images. A finite, labelled data set: exact() gives its \
            memorising empirical denoiser, learned() a U-Net teacher.
            """,
        parameters: [
            .optional("split", .string("train")), .optional("size", .number(14)), .optional("classes"),
            .optional("count"), .optional("seed", .number(0)),
        ]
    ) { a in try fashionMNIST(a) }
    r.register(
        name: "classifier",
        doc: """
            Trains a small conv classifier (two conv blocks, a 128-d penultimate layer) on labelled images, for \
            Fréchet distance and precision/recall in its feature space; with test: a labelled held-out set, reports \
            its accuracy.
            """,
        parameters: [
            .required("data"), .optional("test"), .optional("epochs", .number(4)),
            .optional("seed", .number(0)),
        ]
    ) { a in try classifier(a, ctx) }
    r.register(
        name: "exists",
        doc: """
            Whether a file exists (e.g. to reuse a saved teacher instead of training it again).
            """, parameters: [.required("path")]
    ) { a in
        let url = try ctx.resolveReadPath(try a.string("path"))
        return .bool(FileManager.default.fileExists(atPath: url.path))
    }
}

private func fashionMNIST(_ a: Arguments) throws -> Value {
    let split: FashionMNIST.Split = try a.choice("split", ["train", "test"]) == "train" ? .train : .test
    let resolution: FashionMNIST.Resolution
    do { resolution = try FashionMNIST.Resolution(side: try a.positiveInt("size")) } catch let e as DatasetError {
        throw a.error(e.message, at: "size")
    }
    let classes: [Int]? =
        a.isGiven("classes")
        ? try a.numbers("classes").map { c -> Int in
            guard c == c.rounded(), (0...9).contains(c) else {
                throw a.error("classes are whole numbers 0 … 9, got \(formatShort(c))", at: "classes")
            }
            return Int(c)
        } : nil
    let limit: Int? = a.isGiven("count") ? try a.positiveInt("count") : nil
    let set = try FashionMNIST.load(split, resolution: resolution, classes: classes, limit: limit, seed: try a.seed())
    let name = "fashion\(set.side)" + (split == .test ? "-test" : "")
    let images = Batch(count: set.count, dims: set.dims, values: set.images.scalars.map(Double.init))
    return .object(DataObject(.finite(images, name: name), labels: set.labels, imageSide: set.side))
}

private func classifier(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let d = try a.object("data", as: DataObject.self, described: "labelled images (fashion_mnist())")
    guard let labels = d.labels, let side = d.imageSide, case .finite(let b, _) = d.source else {
        throw a.error("classifier needs labelled images (fashion_mnist())", at: "data")
    }
    var c = ClassifierTrainingConfig()
    c.epochs = try a.count("epochs", limit: Sizes.maxEpochs); c.seed = try a.seed()
    let (clf, outcome, _) = trainClassifier(
        images: b.tensor, labels: labels, height: side, width: side, config: c,
        cancel: ctx.cancel
    ) { p in
        ctx.progress("classifier", Double(p.iteration) / Double(p.iterations), "loss \(formatShort(p.loss))")
    }
    if outcome != .completed { a.interpreter.output("note: classifier: \(outcome.message)") }
    var accuracy: Double? = nil
    if a.isGiven("test") {
        let t = try a.object("test", as: DataObject.self, described: "labelled images")
        guard let tl = t.labels, case .finite(let tb, _) = t.source, tb.dims == b.dims else {
            throw a.error("test must be labelled images of the same size", at: "test")
        }
        accuracy = clf.accuracy(images: tb.tensor, labels: tl)
    }
    return .object(ClassifierObject(clf, testAccuracy: accuracy))
}

/// The feature map of a `features:` argument (a classifier), or nil when not given.
func featureMap(_ a: Arguments, _ name: String = "features") throws -> ((Batch) -> Batch)? {
    guard a.isGiven(name) else { return nil }
    let c = try a.object(name, as: ClassifierObject.self, described: "a classifier (classifier(data))")
    return { c.features($0) }
}

/// `nearest`: the closest rows of a data set (memorisation checks).
func registerNearest(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "nearest",
        doc: """
            For every row of x, the nearest row (Euclidean) of a finite data set, as a tensor of the same shape: \
            beside the samples it shows what a model may have memorised.
            """, parameters: [.required("x"), .required("data")]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "a finite data set (e.g. fashion_mnist())")
        guard case .finite(let y, _) = d.source else { throw a.error("nearest needs a finite data set", at: "data") }
        let x = try a.points("x", dims: y.dims)
        try a.interpreter.charge(elements: x.count * y.count, at: a.callSpan)
        return nearestRows(x, in: y).value
    }
}

/// For every row of x the nearest row of y: ‖x − y‖² = ‖x‖² − 2x·y + ‖y‖², the cross
/// term by dgemm in blocks of 256 rows (‖x‖² is the same for every candidate).
private func nearestRows(_ x: Batch, in y: Batch) -> Batch {
    let yNorm = (0..<y.count).map { i in y.row(i).reduce(0) { $0 + $1 * $1 } }
    var out = Batch(count: x.count, dims: x.dims)
    var start = 0
    while start < x.count {
        let b = min(256, x.count - start)
        var cross = [Double](repeating: 0, count: b * y.count)
        x.values.withUnsafeBufferPointer { xp in
            y.values.withUnsafeBufferPointer { yp in
                cross.withUnsafeMutableBufferPointer { c in
                    guard let xBase = xp.baseAddress, let yBase = yp.baseAddress, let cBase = c.baseAddress else {
                        return
                    }
                    dgemm(
                        transB: true, m: b, n: y.count, k: x.dims, xBase + start * x.dims, lda: x.dims,
                        yBase, ldb: y.dims, cBase, ldc: y.count)
                }
            }
        }
        for r in 0..<b {
            var best = 0, bestD = Double.infinity
            for j in 0..<y.count {
                let dist = yNorm[j] - 2 * cross[r * y.count + j]
                if dist < bestD { bestD = dist; best = j }
            }
            for k in 0..<x.dims { out.values[(start + r) * x.dims + k] = y.values[best * y.dims + k] }
        }
        start += b
    }
    return out
}
