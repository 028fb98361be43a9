import Foundation
import Tensors

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 grey-scale 28 × 28 images of
/// garments in 10 classes, 60,000 for training and 10,000 for testing, as shipped by
/// Debian's `dataset-fashion-mnist` package (gzipped IDX files).
///
/// Pixels are scaled from {0 … 255} to [−1, 1] (`p/127.5 − 1`; the background is −1).
/// Images are rows of `images` `[n, H·W]` (one channel, row-major), ready to be the
/// flattened inputs of an image denoiser.
public struct FashionMNIST: Sendable {
    public enum Split: String, Sendable, CaseIterable { case train, test }

    /// The resolution images are served at.
    public enum Resolution: String, Sendable, CaseIterable {
        /// The original 28 × 28.
        case full = "28"
        /// 14 × 14 by 2 × 2 average pooling.
        case pooled14 = "14"
        /// 16 × 16: the 28 × 28 image is padded with 2 background pixels on every side
        /// to 32 × 32, then 2 × 2 average-pooled (no interpolation, so the garment is
        /// exactly the 14 × 14 pooled one framed by one background pixel).
        case padded16 = "16"

        public var side: Int {
            switch self {
            case .full: 28;
            case .pooled14: 14;
            case .padded16: 16
            }
        }

        public init(side: Int) throws(DatasetError) {
            guard let r = Resolution.allCases.first(where: { $0.side == side }) else {
                throw DatasetError("resolution \(side) is not available; choose 28, 14 or 16")
            }
            self = r
        }
    }

    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    /// Where the Debian package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// `[n, side·side]` in [−1, 1].
    public let images: Tensor
    /// Class of each image, 0…9.
    public let labels: [Int]
    public let resolution: Resolution
    public let split: Split

    public var count: Int { labels.count }
    public var side: Int { resolution.side }
    /// Values per image, `side²`.
    public var dims: Int { side * side }

    public init(images: Tensor, labels: [Int], resolution: Resolution, split: Split) {
        precondition(
            images.rank == 2 && images.shape[0] == labels.count && images.shape[1] == resolution.side * resolution.side)
        self.images = images
        self.labels = labels
        self.resolution = resolution
        self.split = split
    }

    /// The file names of a split (images, labels), as in the original distribution.
    public static func fileNames(_ split: Split) -> (images: String, labels: String) {
        let stem = split == .train ? "train" : "t10k"
        return ("\(stem)-images-idx3-ubyte.gz", "\(stem)-labels-idx1-ubyte.gz")
    }

    /// Whether the files of `split` exist in `directory` (`.gz` or decompressed).
    public static func isAvailable(_ split: Split = .train, directory: String = defaultDirectory) -> Bool {
        let f = fileNames(split)
        return [f.images, f.labels].allSatisfy { name in
            FileManager.default.fileExists(atPath: directory + "/" + name)
                || FileManager.default.fileExists(atPath: directory + "/" + String(name.dropLast(3)))
        }
    }

    /// Loads a split: checks that the image file is `[n, 28, 28]` and the label file `[n]`
    /// with labels 0…9, then keeps the `classes` asked for (all by default), resamples to
    /// `resolution` and, with `limit`, keeps a seeded random subset of that many images.
    public static func load(
        _ split: Split = .train, resolution: Resolution = .pooled14, classes: [Int]? = nil,
        limit: Int? = nil, seed: UInt64 = 0,
        directory: String = defaultDirectory
    ) throws(DatasetError) -> FashionMNIST {
        let names = fileNames(split)
        func path(_ name: String) -> String {
            let gz = directory + "/" + name
            return FileManager.default.fileExists(atPath: gz) ? gz : String(gz.dropLast(3))
        }
        let imagePath = path(names.images), labelPath = path(names.labels)
        let img = try IDX.read(imagePath)
        let lab = try IDX.read(labelPath)
        guard img.shape.count == 3, img.shape[1] == 28, img.shape[2] == 28 else {
            throw DatasetError(imagePath, "expected images of shape [n, 28, 28], found \(img.shape)")
        }
        guard lab.shape.count == 1, lab.shape[0] == img.shape[0] else {
            throw DatasetError(labelPath, "expected \(img.shape[0]) labels (one per image), found shape \(lab.shape)")
        }
        if let bad = lab.bytes.firstIndex(where: { $0 > 9 }) {
            throw DatasetError(labelPath, "label \(lab.bytes[bad]) at index \(bad) is outside 0…9")
        }
        if let classes, let bad = classes.first(where: { !(0...9).contains($0) }) {
            throw DatasetError(labelPath, "class filter asks for class \(bad); classes are 0…9")
        }
        var keep = Array(0..<img.shape[0])
        if let classes { let set = Set(classes); keep = keep.filter { set.contains(Int(lab.bytes[$0])) } }
        if let limit, limit < keep.count {
            guard limit >= 0 else { throw DatasetError(imagePath, "limit \(limit) must not be negative") }
            keep = seededSubset(keep, count: limit, seed: seed)
        }
        let side = resolution.side, d = side * side
        var out = [Float](repeating: 0, count: keep.count * d)
        img.bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let src = src, dst = dst
                Parallel.forEachChunk(keep.count, chunk: 256) { rows in
                    for (r, i) in zip(rows, rows.map { keep[$0] }) {
                        resample(src.baseAddress! + i * 784, resolution, into: dst.baseAddress! + r * d)
                    }
                }
            }
        }
        return FashionMNIST(
            images: Tensor(shape: [keep.count, d], scalars: out),
            labels: keep.map { Int(lab.bytes[$0]) }, resolution: resolution, split: split)
    }

    /// `count` distinct elements of `items` drawn by a seeded partial Fisher–Yates
    /// shuffle, returned in their original order.
    static func seededSubset(_ items: [Int], count: Int, seed: UInt64) -> [Int] {
        var a = items
        let rng = RNG(seed: seed).stream(0xF5)
        for i in 0..<count {
            let j = i + rng.integer(at: UInt64(i), below: a.count - i)
            a.swapAt(i, j)
        }
        return a[0..<count].sorted()
    }

    /// One 28 × 28 byte image to `resolution`, in [−1, 1].
    static func resample(_ p: UnsafePointer<UInt8>, _ resolution: Resolution, into out: UnsafeMutablePointer<Float>) {
        func v(_ y: Int, _ x: Int) -> Float { Float(p[y * 28 + x]) / 127.5 - 1 }
        switch resolution {
        case .full:
            for i in 0..<784 { out[i] = Float(p[i]) / 127.5 - 1 }
        case .pooled14, .padded16:
            let pad = resolution == .padded16 ? 1 : 0, side = resolution.side
            if pad > 0 { out.update(repeating: -1, count: side * side) }
            for y in 0..<14 {
                for x in 0..<14 {
                    let s = v(2 * y, 2 * x) + v(2 * y, 2 * x + 1) + v(2 * y + 1, 2 * x) + v(2 * y + 1, 2 * x + 1)
                    out[(y + pad) * side + x + pad] = 0.25 * s
                }
            }
        }
    }

    // MARK: Subsets

    /// The images whose class is in `classes`.
    public func filter(classes: [Int]) -> FashionMNIST {
        let set = Set(classes)
        return rows(labels.indices.filter { set.contains(labels[$0]) })
    }

    /// A seeded random subset of `count` images (all of them when `count ≥ self.count`).
    public func subset(count n: Int, seed: UInt64) -> FashionMNIST {
        n >= count ? self : rows(Self.seededSubset(Array(0..<count), count: max(0, n), seed: seed))
    }

    /// The images at `indices`, in that order.
    public func rows(_ indices: [Int]) -> FashionMNIST {
        let d = dims
        var out = [Float](); out.reserveCapacity(indices.count * d)
        for i in indices { out.append(contentsOf: images.scalars[(i * d)..<((i + 1) * d)]) }
        return FashionMNIST(
            images: Tensor(shape: [indices.count, d], scalars: out),
            labels: indices.map { labels[$0] }, resolution: resolution, split: split)
    }

    /// The images as a Double batch `[n, side²]` (for denoisers and metrics).
    public var batch: Batch { Batch(images) }

    /// `count` images drawn uniformly with replacement, image `k` being draw `k` of `rng`:
    /// the data source of denoiser training.
    public func sample(count n: Int, rng: RNG) -> Batch {
        let d = dims
        var values = [Double](repeating: 0, count: n * d)
        for k in 0..<n {
            let i = rng.integer(at: UInt64(k), below: count)
            for j in 0..<d { values[k * d + j] = Double(images.scalars[i * d + j]) }
        }
        return Batch(count: n, dims: d, values: values)
    }
}
