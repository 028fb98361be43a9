import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct SlicedWassersteinTests {
    @Test func zeroForIdenticalSets() throws {
        let x = RNG(seed: 1).normalBatch(count: 500, dims: 3)
        #expect(try slicedWasserstein(x, x) == 0)
    }

    /// Unequal sizes, by hand: F⁻¹ of {0, 1} and G⁻¹ of {0, ½, 1} differ by ½ on
    /// u ∈ [1/3, 2/3), so W₂² = (1/3)·(1/4) = 1/12. In 1-D every direction is ±1 (1e-14).
    @Test func unequalSizesHandComputed() throws {
        let sw = try slicedWasserstein(batch([[0], [1]]), batch([[0], [0.5], [1]]), directions: 7)
        #expect(abs(sw - (1.0 / 12).squareRoot()) < 1e-14)
    }

    /// The quantile merge against an independent route: replicate each of the n points
    /// m times and each of the m points n times; the two sets then have n·m points each and
    /// W₂² is the mean squared difference of the sorted lists (1e-12 relative).
    @Test(arguments: [(3, 4), (7, 5), (1, 9), (40, 40), (33, 50)])
    func quantileMergeMatchesReplication(n: Int, m: Int) {
        let a = (0..<n).map { RNG(seed: 2).normal(at: UInt64($0)) }.sorted()
        let b = (0..<m).map { 0.3 + 2 * RNG(seed: 3).normal(at: UInt64($0)) }.sorted()
        let ra = a.flatMap { [Double](repeating: $0, count: m) }, rb = b.flatMap { [Double](repeating: $0, count: n) }
        let expect = zip(ra, rb).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(n * m)
        #expect(abs(wasserstein2Squared1D(sorted: a, sorted: b) - expect) < 1e-12 * expect)
    }

    /// Coupled 2-D Gaussians x_i = μ₁ + s₁z_i, y_i = μ₂ + s₂z_i (same z_i, s₁, s₂ > 0): along every
    /// direction the sorted pairing is the pairing by i, so W₂²(θ) = mean_i (θ·Δμ + Δs·θ·z_i)².
    /// Recomputed here over the same directions (1e-12 relative).
    @Test func coupledGaussiansMatchDirectFormula() throws {
        let z = RNG(seed: 4).normalBatch(count: 2000, dims: 2)
        let m1 = [0.5, -1.0], m2 = [-0.2, 0.3], s1 = 1.2, s2 = 0.4
        let x = Batch(
            count: z.count, dims: 2, values: z.values.enumerated().map { m1[$0.offset % 2] + s1 * $0.element })
        let y = Batch(
            count: z.count, dims: 2, values: z.values.enumerated().map { m2[$0.offset % 2] + s2 * $0.element })
        let L = 50
        let theta = slicingDirections(count: L, dims: 2, seed: 9)
        var total = 0.0
        for l in 0..<L {
            let t = Array(theta.row(l))
            #expect(abs(t[0] * t[0] + t[1] * t[1] - 1) < 1e-15)
            let tm = t[0] * (m1[0] - m2[0]) + t[1] * (m1[1] - m2[1])
            var s = 0.0
            for i in 0..<z.count {
                let e = tm + (s1 - s2) * (t[0] * z.values[2 * i] + t[1] * z.values[2 * i + 1])
                s += e * e
            }
            total += s / Double(z.count)
        }
        let expect = (total / Double(L)).squareRoot()
        #expect(abs(try slicedWasserstein(x, y, directions: L, seed: 9) - expect) < 1e-12 * expect)
    }

    /// Independent samples of isotropic Gaussians against the closed form. Along a unit θ
    /// the projections are N(θ·μ₁, s₁²) and N(θ·μ₂, s₂²), so `W₂²(θ) = (θ·Δμ)² + (s₁ − s₂)²`
    /// exactly; the population SW₂² for the drawn directions is the mean of that over them.
    /// The sampling error comes from the sample means and spreads, which shift W₂² by
    /// ≈ 2(θ·Δμ)·(error of θ·(x̄ − ȳ)) + 2Δs·(error of ŝ₁ − ŝ₂): 1-D (SW₂ = W₂ = √(Δμ² + Δs²)),
    /// n = 100,000: sd ≈ 0.45% of SW₂; 2-D, n = 5000, averaged over directions: ≈ 0.4%.
    /// Tolerance 2% (≥ 4.5 sd) for both. (Over 40 other seeds the largest errors were 1.3%, 0.6%.)
    @Test func gaussiansMatchClosedForm() throws {
        func gaussian(_ mean: [Double], _ s: Double, seed: UInt64, n: Int = 5000) -> Batch {
            let z = RNG(seed: seed).normalBatch(count: n, dims: mean.count)
            return Batch(
                count: n, dims: mean.count,
                values: z.values.enumerated().map { mean[$0.offset % mean.count] + s * $0.element })
        }
        let w1 = try slicedWasserstein(
            gaussian([0.3], 1.0, seed: 1, n: 100_000), gaussian([-0.2], 0.5, seed: 2, n: 100_000))
        let exact1 = (0.25 + 0.25).squareRoot()
        #expect(abs(w1 - exact1) < 0.02 * exact1, "1-D: \(w1) vs \(exact1)")
        let L = 64, dm = [1.5, -1.5], ds = 0.3
        let theta = slicingDirections(count: L, dims: 2, seed: 5)
        let exact2 =
            ((0..<L).reduce(0.0) { s, l in
                let t = theta.row(l), p = t[t.startIndex] * dm[0] + t[t.startIndex + 1] * dm[1]
                return s + p * p + ds * ds
            } / Double(L)).squareRoot()
        let w2 = try slicedWasserstein(
            gaussian([1, -1], 0.5, seed: 3), gaussian([-0.5, 0.5], 0.2, seed: 4), directions: L, seed: 5)
        #expect(abs(w2 - exact2) < 0.02 * exact2, "2-D: \(w2) vs \(exact2)")
    }

    /// Directions are uniform on the circle: over 20,000 of them, mean (θ·v)² → ‖v‖²/d, so
    /// SW₂² → W₂²/d for isotropic Gaussians. Standard error ≈ 0.35‖v‖²/√L ≈ 0.25%; tolerance 1.5%.
    @Test func directionsAreUniform() {
        let L = 20_000, theta = slicingDirections(count: L, dims: 2, seed: 0)
        let v = [1.5, -1.5], norm2 = 4.5
        let mean =
            (0..<L).reduce(0.0) { s, l in
                let t = theta.row(l), p = t[t.startIndex] * v[0] + t[t.startIndex + 1] * v[1]
                return s + p * p
            } / Double(L)
        #expect(abs(mean - norm2 / 2) < 0.015 * norm2 / 2, "\(mean)")
    }

    /// Duplicating every point leaves the empirical measure, hence SW₂ = 0 (1e-12).
    @Test func duplicatedSetIsTheSameMeasure() throws {
        let x = RNG(seed: 5).normalBatch(count: 100, dims: 2)
        let twice = Batch(count: 200, dims: 2, values: x.values + x.values)
        #expect(try slicedWasserstein(x, twice) < 1e-12)
    }

    @Test func rejectsBadInputs() {
        #expect(throws: MetricError.self) { try slicedWasserstein(batch([[0, 0]]), batch([[0]])) }
        #expect(throws: MetricError.self) { try slicedWasserstein(Batch(count: 0, dims: 2), batch([[0, 0]])) }
        #expect(throws: MetricError.self) { try slicedWasserstein(batch([[0, 0]]), batch([[0, 0]]), directions: 0) }
    }
}
