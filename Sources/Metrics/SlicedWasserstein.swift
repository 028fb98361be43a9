import Foundation
import Tensors

/// Sliced Wasserstein-2 distance between two sample sets:
/// `SW₂(X, Y) = sqrt( (1/L)·Σ_ℓ W₂²(θ_ℓ·X, θ_ℓ·Y) )` over `L` random unit directions
/// `θ_ℓ` (normalised standard normals, so uniform on the sphere).
///
/// Each 1-D `W₂²` is exact for the two empirical measures (weights `1/n` and `1/m`):
/// `W₂² = ∫₀¹ (F⁻¹(u) − G⁻¹(u))² du` with step quantile functions, integrated over the
/// merged breakpoints `{i/n} ∪ {j/m}`. For `n = m` this is the mean squared difference of
/// the sorted projections; for `n ≠ m` it is the exact quantile interpolation, not a resampling.
///
/// In 1-D every direction is ±1 and `SW₂ = W₂` is computed once, without drawing directions.
///
/// For isotropic Gaussians `N(μ₁, s₁²I)`, `N(μ₂, s₂²I)` in `d` dims, each direction gives
/// `(θ·Δμ)² + (s₁ − s₂)²`, and averaging over the sphere `SW₂² = ‖Δμ‖²/d + (s₁ − s₂)² = W₂²/d`.
///
/// - Parameters:
///   - directions: number `L` of directions (default 128).
///   - seed: the directions are row `ℓ` of `RNG(seed:).stream(0x5344)` normals; the same
///     seed gives the same directions for every pair of sets, so comparisons share them.
public func slicedWasserstein(
    _ x: Batch, _ y: Batch, directions: Int = 128, seed: UInt64 = 0
) throws(MetricError) -> Double {
    try checkPair(x, "first set", y, "second set", in: "swd")
    try checkPositive(directions, "directions", in: "swd")
    if x.dims == 1 {
        // Both directions of the line give the same W₂: SW₂ = W₂ exactly.
        return wasserstein2Squared1D(sorted: x.values.sorted(), sorted: y.values.sorted()).squareRoot()
    }
    let theta = slicingDirections(count: directions, dims: x.dims, seed: seed)
    var perDirection = [Double](repeating: 0, count: directions)
    perDirection.withUnsafeMutableBufferPointer { w in
        let w = w
        Parallel.forEachChunk(directions, chunk: 4) { ls in
            for l in ls {
                let t = theta.row(l)
                let a = project(x, on: t).sorted(), b = project(y, on: t).sorted()
                w[l] = wasserstein2Squared1D(sorted: a, sorted: b)
            }
        }
    }
    return (perDirection.reduce(0, +) / Double(directions)).squareRoot()
}

/// `count` unit vectors in `dims` dimensions, uniform on the sphere, as used by
/// ``slicedWasserstein(_:_:directions:seed:)``.
public func slicingDirections(count: Int, dims: Int, seed: UInt64) -> Batch {
    var theta = RNG(seed: seed).stream(0x5344).normalBatch(count: count, dims: dims)
    for l in 0..<count {
        let r = theta.row(l)
        var norm = (r.reduce(0) { $0 + $1 * $1 }).squareRoot()
        if norm == 0 { norm = 1; theta.values[l * dims] = 1 } // probability zero; keep a unit vector
        for k in (l * dims)..<((l + 1) * dims) { theta.values[k] /= norm }
    }
    return theta
}

/// Exact `W₂²` between the empirical measures of two *sorted* samples:
/// `Σ (Δu)·(a_i − b_j)²` over the merged quantile breakpoints `i/n`, `j/m`
/// (kept as integers `i·m`, `j·n` over the common denominator `n·m`).
public func wasserstein2Squared1D(sorted a: [Double], sorted b: [Double]) -> Double {
    let n = a.count, m = b.count
    guard n > 0 && m > 0 else { return .nan }
    var i = 0, j = 0, u = 0, s = 0.0
    while i < n && j < m {
        let ai = (i + 1) * m, bj = (j + 1) * n
        let next = min(ai, bj)
        let e = a[i] - b[j]
        s += Double(next - u) * e * e
        u = next
        if ai == next { i += 1 }
        if bj == next { j += 1 }
    }
    return s / (Double(n) * Double(m))
}

/// `x·θ` per row.
private func project(_ x: Batch, on theta: ArraySlice<Double>) -> [Double] {
    let d = x.dims
    let t = Array(theta)
    var out = [Double](repeating: 0, count: x.count)
    x.values.withUnsafeBufferPointer { xv in
        for i in 0..<x.count {
            var s = 0.0
            for k in 0..<d { s += xv[i * d + k] * t[k] }
            out[i] = s
        }
    }
    return out
}
