import Tensors

/// Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019).
///
/// Each set's manifold is the union of closed balls `B(φ, r_k(φ))` around its points,
/// `r_k(φ)` the distance from `φ` to its `k`-th nearest *other* point of the same set.
/// - precision = share of generated samples inside the real manifold (quality),
/// - recall = share of real samples inside the generated manifold (coverage).
/// Identical sets give 1 and 1; far-apart sets give 0 and 0.
public struct PrecisionRecall: Sendable, Equatable {
    public let precision: Double
    public let recall: Double
}

/// Precision and recall of `generated` against `real` with `k` nearest neighbours (default 5).
///
/// O((n + m)²) distances; each set is first subsampled to at most `maxPoints` points
/// (default 10,000; without replacement, seeded by `seed`). Each set needs more than `k` points.
public func precisionRecall(
    real: Batch, generated: Batch, k: Int = 5, maxPoints: Int = 10_000,
    seed: UInt64 = 0
) throws(MetricError) -> PrecisionRecall {
    try checkPositive(k, "k", in: "precision_recall")
    try checkPair(real, "real set", generated, "generated set", in: "precision_recall", minCount: k + 1)
    guard maxPoints > k else {
        throw MetricError("precision_recall: maxPoints = \(maxPoints), need more than k = \(k)")
    }
    let rng = RNG(seed: seed).stream(0x5052)
    let real = subsample(real, cap: maxPoints, rng: rng.stream(1))
    let generated = subsample(generated, cap: maxPoints, rng: rng.stream(2))
    let realRadii = kthNeighbourSquaredDistances(real, k: k)
    let generatedRadii = kthNeighbourSquaredDistances(generated, k: k)
    return PrecisionRecall(
        precision: shareInside(generated, manifold: real, radii2: realRadii),
        recall: shareInside(real, manifold: generated, radii2: generatedRadii))
}

/// `r_k(x_i)²`: squared distance from each row to its `k`-th nearest other row
/// (duplicates count as neighbours at distance 0).
func kthNeighbourSquaredDistances(_ x: Batch, k: Int) -> [Double] {
    let n = x.count
    var out = [Double](repeating: 0, count: n)
    out.withUnsafeMutableBufferPointer { o in
        let o = o
        PairwiseDistances(x: x, y: x).forEachBlock { rows, d2 in
            Parallel.forEachChunk(rows.count, chunk: 8) { rs in
                var best = [Double](repeating: .infinity, count: k) // ascending
                for r in rs {
                    let i = rows.lowerBound + r
                    for t in 0..<k { best[t] = .infinity }
                    for j in 0..<n where j != i {
                        let v = d2[r * n + j]
                        if v < best[k - 1] {
                            // Insertion into the sorted list of the k smallest.
                            var t = k - 1
                            while t > 0 && best[t - 1] > v { best[t] = best[t - 1]; t -= 1 }
                            best[t] = v
                        }
                    }
                    o[i] = best[k - 1]
                }
            }
        }
    }
    return out
}

/// Share of rows of `x` with `‖x_i − φ_j‖² ≤ radii2[j]` for some row `φ_j` of `manifold`.
func shareInside(_ x: Batch, manifold: Batch, radii2: [Double]) -> Double {
    let m = manifold.count
    var inside = 0.0
    PairwiseDistances(x: x, y: manifold).forEachBlock { rows, d2 in
        inside += Parallel.sum(rows.count, chunk: 8) { rs in
            var c = 0.0
            for r in rs {
                for j in 0..<m where d2[r * m + j] <= radii2[j] { c += 1; break }
            }
            return c
        }
    }
    return inside / Double(x.count)
}
