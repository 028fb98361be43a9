import Diffusion
import Tensors

/// A low-dimensional isotropic Gaussian mixture placed in a higher-dimensional space:
/// images are a low-dimensional data set in a high-dimensional space, and this toy keeps
/// that shape while its exact teacher still applies.
///
/// With `Q` a seeded random `[d, D]` matrix with orthonormal rows (`Q Qᵀ = I_d`), the
/// component `N(μ_k, s_k² I_d)` becomes `N(Qᵀμ_k, s_k² I_D)`: the means are embedded and
/// every component keeps its std in all `D` directions, so the `D − d` off-plane
/// directions carry small isotropic noise of the components' own std. The result is
/// again an isotropic Gaussian mixture, and for equal stds its exact denoiser splits as
///
///     D_D(x; σ) = Qᵀ D_d(Q x; σ) + s²/(s² + σ²)·(x − QᵀQ x),
///
/// the embedded plane's denoiser plus the shrinkage of the off-plane part (the term
/// ‖x − QᵀQx‖² is the same for every component, so the posterior weights are those of
/// the plane).
public struct Embedding: Sendable {
    /// The embedded mixture in `dims` dimensions.
    public let mixture: GaussianMixture
    /// `Q`, `[d, D]` with orthonormal rows: the plane's basis in the big space.
    public let basis: Batch

    /// Embeds `mixture` (of `d` dims) in `dims ≥ d` dimensions with the orthonormal map
    /// drawn from `seed` (Gaussian rows, Gram–Schmidt in Double).
    public init(_ mixture: GaussianMixture, dims: Int, seed: UInt64) throws(DatasetError) {
        let d = mixture.dims
        guard dims >= d else {
            throw DatasetError("embed: dims = \(dims) is below the data's own \(d) dims")
        }
        guard dims <= 100_000 else { throw DatasetError("embed: dims = \(dims) is too large (at most 100000)") }
        var q = RNG(seed: seed).stream(0xE3BED).normalBatch(count: d, dims: dims)
        for i in 0..<d {
            for j in 0..<i { // remove the earlier rows' components (twice, for accuracy)
                for _ in 0..<2 {
                    var dot = 0.0
                    for k in 0..<dims { dot += q.values[i * dims + k] * q.values[j * dims + k] }
                    for k in 0..<dims { q.values[i * dims + k] -= dot * q.values[j * dims + k] }
                }
            }
            var norm = 0.0
            for k in 0..<dims { norm += q.values[i * dims + k] * q.values[i * dims + k] }
            norm = norm.squareRoot()
            guard norm > 1e-8 else { throw DatasetError("embed: the random basis is degenerate; try another seed") }
            for k in 0..<dims { q.values[i * dims + k] /= norm }
        }
        // Means: μ_k Q, [K, d]·[d, D].
        let K = mixture.components
        var means = Batch(count: K, dims: dims)
        for c in 0..<K {
            for i in 0..<d {
                let m = mixture.means.values[c * d + i]
                for k in 0..<dims { means.values[c * dims + k] += m * q.values[i * dims + k] }
            }
        }
        do {
            self.mixture = try GaussianMixture(
                weights: mixture.weights, means: means, stds: mixture.stds,
                name: "\(mixture.name)-in-\(dims)d")
        } catch { throw DatasetError("embed: \(error.message)") }
        self.basis = q
    }

    /// `Q x` for every row: coordinates in the embedded plane, `[n, d]`.
    public func project(_ x: Batch) -> Batch {
        let d = basis.count, D = basis.dims
        precondition(x.dims == D, "points have \(x.dims) dims, the embedding \(D)")
        var out = Batch(count: x.count, dims: d)
        for r in 0..<x.count {
            for i in 0..<d {
                var s = 0.0
                for k in 0..<D { s += x.values[r * D + k] * basis.values[i * D + k] }
                out.values[r * d + i] = s
            }
        }
        return out
    }

    /// `Qᵀ y` for every row: plane coordinates `[n, d]` placed in the big space, `[n, D]`.
    public func lift(_ y: Batch) -> Batch {
        let d = basis.count, D = basis.dims
        precondition(y.dims == d, "points have \(y.dims) dims, the plane \(d)")
        var out = Batch(count: y.count, dims: D)
        for r in 0..<y.count {
            for i in 0..<d {
                let v = y.values[r * d + i]
                for k in 0..<D { out.values[r * D + k] += v * basis.values[i * D + k] }
            }
        }
        return out
    }
}

extension Toy {
    /// `mixture` embedded in `dims` dimensions by a seeded random orthonormal map, with
    /// isotropic off-plane noise of the components' std (see ``Embedding``).
    public static func embed(_ mixture: GaussianMixture, dims: Int, seed: UInt64 = 0) throws(DatasetError) -> Embedding
    {
        try Embedding(mixture, dims: dims, seed: seed)
    }
}
