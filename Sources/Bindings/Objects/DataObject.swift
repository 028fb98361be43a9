import Datasets
import Diffusion
import Foundation
import Script
import Tensors

/// A data distribution: a toy distribution (with its exact density where it has one)
/// or a finite set of samples.
final class DataObject: MemberTable {
    enum Source {
        case toy(any ToyDistribution)
        case finite(Batch, name: String)
    }
    let source: Source
    /// Class labels of a labelled finite set (Fashion-MNIST), row by row.
    let labels: [Int]?
    /// Side of the square grayscale images a finite set holds (nil for points).
    let imageSide: Int?
    /// The map of a set made by `embed(data, dims:)` (nil otherwise).
    let embedding: Embedding?

    init(_ source: Source, labels: [Int]? = nil, imageSide: Int? = nil, embedding: Embedding? = nil) {
        self.source = source
        self.labels = labels
        self.imageSide = imageSide
        self.embedding = embedding
    }

    var typeName: String { "data" }
    var name: String {
        switch source {
        case .toy(let t): t.name
        case .finite(_, let n): n
        }
    }
    var dims: Int {
        switch source {
        case .toy(let t): t.dims
        case .finite(let b, _): b.dims
        }
    }
    var mixture: GaussianMixture? { if case .toy(let t) = source { return t as? GaussianMixture }; return nil }
    var toy: (any ToyDistribution)? { if case .toy(let t) = source { return t }; return nil }

    var summary: String {
        switch source {
        case .toy(let t):
            let hasDensity = t.exactLogDensity(Batch(count: 1, dims: t.dims)) != nil
            let density = hasDensity ? "exact density" : "no exact density"
            return "data \(t.name) (\(t.dims)-D, \(density))"
        case .finite(let b, let n):
            if let s = imageSide {
                return "data \(n) (\(b.count) images of \(s)×\(s)\(labels == nil ? "" : ", labelled"))"
            }
            return "data \(n) (\(b.count) samples of \(b.dims) dims)"
        }
    }
    var typeDoc: String {
        "A data distribution. `samples(data, n, seed:)` draws from it; `exact(data)` builds its analytic denoiser "
            + "(a Gaussian mixture) or the empirical one (a finite set); `nll` and `coverage` use its exact density "
            + "and modes."
    }

    /// `count` samples; row i depends only on (seed, i). A finite set is sampled with replacement.
    func sample(_ count: Int, rng: RNG) -> Batch {
        switch source {
        case .toy(let t): return t.sample(count: count, rng: rng)
        case .finite(let b, _):
            return b.rows(at: (0..<count).map { rng.integer(at: UInt64($0), below: b.count) })
        }
    }

    var members: [Member] {
        [
            .value("name", "The data set's name.") { .string(self.name) },
            .value("dims", "Dimension of one sample.") { .number(Double(self.dims)) },
            .value("count", "Number of samples of a finite set (none for a distribution).") {
                if case .finite(let b, _) = self.source { return .number(Double(b.count)) }
                return .none
            },
            .value("points", "The samples of a finite set as an [n, dims] tensor (none for a distribution).") {
                if case .finite(let b, _) = self.source { return b.value }
                return .none
            },
            .value("labels", "Class labels of a labelled set as a 1-D tensor (none otherwise).") {
                self.labels.map { vector($0.map(Double.init)) } ?? .none
            },
            .value("modes", "Means of a mixture's components as an [K, dims] tensor (none otherwise).") {
                self.toy?.modes.map { .tensor($0.tensor) } ?? .none
            },
            .method(
                "sample", "Draws n samples as an [n, dims] tensor.",
                [.required("n"), .optional("seed", .number(0))]
            ) { args in
                let n = try args.count("n")
                try args.checkShape([n, self.dims], at: "n", bytesPerElement: 8)
                return self.sample(n, rng: RNG(seed: try args.seed())).value
            },
        ]
    }
}
