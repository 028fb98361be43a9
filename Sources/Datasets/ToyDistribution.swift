import Tensors

/// A toy distribution in a few dimensions (mostly 2-D): something to sample from,
/// with an exact density where one exists and its modes where it is a mixture.
///
/// Sampling is counter-based: row `i` of `sample(count:rng:)` depends only on the
/// generator's `(seed, stream)` and `i`, so `sample(count: 5, rng: r)` equals the
/// first 5 rows of `sample(count: 1000, rng: r)`.
public protocol ToyDistribution: Sendable {
    /// A short name, e.g. "ring8", "moons".
    var name: String { get }
    /// Dimension of one sample.
    var dims: Int { get }
    /// `count` samples, `[count, dims]`.
    func sample(count: Int, rng: RNG) -> Batch
    /// `log p(x)` per row, with `-inf` outside the support; `nil` when the
    /// distribution has no exact density (moons, spirals: noise around a curve).
    func exactLogDensity(_ x: Batch) -> [Double]?
    /// Component means `[K, dims]` of a mixture, for mode coverage; `nil` otherwise.
    var modes: Batch? { get }
    /// Per-mode standard deviations, one per row of `modes`; `nil` when `modes` is.
    var modeStds: [Double]? { get }
}

extension ToyDistribution {
    public func exactLogDensity(_ x: Batch) -> [Double]? { nil }
    public var modes: Batch? { nil }
    public var modeStds: [Double]? { nil }
    /// The common mode standard deviation when all modes share one, else `nil`.
    public var modeStd: Double? {
        guard let s = modeStds, let first = s.first, s.allSatisfy({ $0 == first }) else { return nil }
        return first
    }
}
