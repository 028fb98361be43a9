import Diffusion
import Tensors

/// How far a set of samples lies off the data, measured two ways (per element, as
/// ``ODEError``: squared distances divided by `d`).
///
/// - `correction[i] = ‖D(x_i; σ) − x_i‖²/d`: how far the teacher's denoiser at a small σ
///   moves the sample. When σ is above the data's own thickness and below the size of its
///   features, `D(·; σ)` acts as a projection onto the data, so this is the squared
///   distance to the data (for the exact toy teachers it is exact; for images it uses the
///   learned teacher). Samples of the data distribution itself sit at the data's own
///   value, the floor to compare with.
/// - `nearest[i] = min_j ‖x_i − y_j‖²/d` over a finite training set `y`: the brute-force
///   nearest-neighbour distance, which needs no teacher but only sees the samples drawn.
public struct DataDistance: Sendable, Equatable {
    /// σ at which the denoiser was applied.
    public let sigma: Double
    /// `‖D(x_i; σ) − x_i‖²/d` per sample.
    public let correction: [Double]
    /// `min_j ‖x_i − y_j‖²/d` per sample, when a training set was given.
    public let nearest: [Double]?

    public var meanCorrection: Double { correction.reduce(0, +) / Double(correction.count) }
    public var meanNearest: Double? { nearest.map { $0.reduce(0, +) / Double($0.count) } }
}

/// The distance of `samples` from the data through `teacher` at `sigma`, and, when
/// `training` is given, to the nearest training point (see ``DataDistance``).
public func dataDistance(
    _ samples: Batch, teacher: Denoiser, sigma: Double,
    training: Batch? = nil
) throws(MetricError) -> DataDistance {
    try check(samples, "samples", in: "data_distance")
    guard samples.dims == teacher.dims else {
        throw MetricError("data_distance: samples have \(samples.dims) dims but the teacher \(teacher.dims)")
    }
    guard sigma.isFinite && sigma > 0 else { throw MetricError("data_distance: sigma = \(sigma) must be positive") }
    let d = Double(samples.dims)
    let D = teacher.denoise(samples, sigma: sigma)
    let correction = (0..<samples.count).map { i in
        zip(D.row(i), samples.row(i)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / d
    }
    guard let training else { return DataDistance(sigma: sigma, correction: correction, nearest: nil) }
    let nearest = try nearestNeighbourDistances(samples, in: training).map { $0 / d }
    return DataDistance(sigma: sigma, correction: correction, nearest: nearest)
}

/// `min_j ‖x_i − y_j‖²` for every row of `x` (squared Euclidean, not divided by `d`), by
/// blocks of pairwise distances (``PairwiseDistances``).
public func nearestNeighbourDistances(_ x: Batch, in y: Batch) throws(MetricError) -> [Double] {
    try checkPair(x, "samples", y, "training set", in: "nearest distance")
    var out = [Double](repeating: .infinity, count: x.count)
    PairwiseDistances(x: x, y: y).forEachBlock { rows, d2 in
        for (r, i) in rows.enumerated() {
            var best = Double.infinity
            for j in 0..<y.count where d2[r * y.count + j] < best { best = d2[r * y.count + j] }
            out[i] = best
        }
    }
    return out
}
