import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

/// MMD² and energy distance against brute-force double loops written here.
@Suite struct KernelDistanceTests {
    static func bruteMMD2(_ x: Batch, _ y: Batch, _ h: [Double], _ estimator: Estimator) -> Double {
        func k(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
            let r2 = squaredDistance(a, b)
            return h.reduce(0) { $0 + exp(-r2 / (2 * $1 * $1)) }
        }
        func within(_ s: Batch) -> Double {
            var t = 0.0
            for i in 0..<s.count {
                for j in 0..<s.count where estimator == .biased || i != j { t += k(s.row(i), s.row(j)) }
            }
            let n = Double(s.count)
            return t / (estimator == .biased ? n * n : n * (n - 1))
        }
        var cross = 0.0
        for i in 0..<x.count { for j in 0..<y.count { cross += k(x.row(i), y.row(j)) } }
        return within(x) + within(y) - 2 * cross / Double(x.count * y.count)
    }

    static func bruteEnergy(_ x: Batch, _ y: Batch, _ estimator: Estimator) -> Double {
        func within(_ s: Batch) -> Double {
            var t = 0.0
            for i in 0..<s.count { for j in 0..<s.count { t += squaredDistance(s.row(i), s.row(j)).squareRoot() } }
            let n = Double(s.count)
            return t / (estimator == .biased ? n * n : n * (n - 1))
        }
        var cross = 0.0
        for i in 0..<x.count { for j in 0..<y.count { cross += squaredDistance(x.row(i), y.row(j)).squareRoot() } }
        return 2 * cross / Double(x.count * y.count) - within(x) - within(y)
    }

    /// Tiny 3-D sets (direct distances) and 150 × 140 20-D sets (dgemm distances, two
    /// row blocks), both estimators; 1e-10 relative to the kernel sums' size.
    @Test(arguments: [(7, 9, 3), (150, 140, 20)], Estimator.allCases)
    func mmdMatchesBruteForce(size: (Int, Int, Int), estimator: Estimator) throws {
        let (n, m, d) = size
        let x = RNG(seed: 1).normalBatch(count: n, dims: d).map { $0 * 0.3 }
        let y = RNG(seed: 2).normalBatch(count: m, dims: d).map { $0 * 0.3 + 0.1 }
        let h = [0.1, 0.5, 1, 3]
        let got = try mmd2(x, y, bandwidths: h, estimator: estimator)
        let expect = Self.bruteMMD2(x, y, h, estimator)
        #expect(abs(got - expect) < 1e-10 * Double(h.count), "\(got) vs \(expect)")
    }

    @Test(arguments: [(7, 9, 3), (150, 140, 20)], Estimator.allCases)
    func energyMatchesBruteForce(size: (Int, Int, Int), estimator: Estimator) throws {
        let (n, m, d) = size
        let x = RNG(seed: 3).normalBatch(count: n, dims: d)
        let y = RNG(seed: 4).normalBatch(count: m, dims: d).map { $0 * 1.5 }
        let got = try energyDistance(x, y, estimator: estimator)
        let expect = Self.bruteEnergy(x, y, estimator)
        #expect(abs(got - expect) < 1e-10 * max(1, abs(expect)), "\(got) vs \(expect)")
    }

    /// Two point masses (5 copies of a, 7 of b): within-set distances vanish, so the energy
    /// distance is 2‖a − b‖ under both estimators (1e-12). In 1-D, 2|a − b|.
    @Test(arguments: Estimator.allCases)
    func energyOfPointMasses(estimator: Estimator) throws {
        let a = batch([[Double]](repeating: [1, 2], count: 5)), b = batch([[Double]](repeating: [4, 6], count: 7))
        #expect(abs(try energyDistance(a, b, estimator: estimator) - 10) < 1e-12)
        let a1 = batch([[-0.5], [-0.5]]), b1 = batch([[2], [2], [2]])
        #expect(abs(try energyDistance(a1, b1, estimator: estimator) - 5) < 1e-12)
    }

    /// In 1-D the V-statistic energy distance equals Cramér's `2∫(F_n − G_m)² dx` for the
    /// empirical CDFs — integrated here exactly over the merged sorted points (1e-10 relative).
    @Test func energyIsCramerDistanceIn1D() throws {
        let a = (0..<50).map { RNG(seed: 6).normal(at: UInt64($0)) }
        let b = (0..<70).map { 0.4 + 0.7 * RNG(seed: 7).normal(at: UInt64($0)) }
        let points = (a + b).sorted()
        var integral = 0.0
        for t in 0..<(points.count - 1) {
            let u = points[t]
            let F = Double(a.filter { $0 <= u }.count) / 50, G = Double(b.filter { $0 <= u }.count) / 70
            integral += (F - G) * (F - G) * (points[t + 1] - u)
        }
        let e = try energyDistance(batch(a.map { [$0] }), batch(b.map { [$0] }), estimator: .biased)
        #expect(abs(e - 2 * integral) < 1e-10 * e, "\(e) vs \(2 * integral)")
    }

    /// The biased MMD² of a set with itself is 0 (all three means coincide, 1e-12); the
    /// unbiased one of two samples of one distribution is near 0 compared with two
    /// different distributions.
    @Test func mmdSeparatesDistributions() throws {
        let x = RNG(seed: 8).normalBatch(count: 300, dims: 2)
        #expect(abs(try mmd2(x, x, estimator: .biased)) < 1e-12)
        let ring = GaussianMixtureFixtures.ring8Samples(800, seed: 1),
            ring2 = GaussianMixtureFixtures.ring8Samples(800, seed: 2)
        let grid = GaussianMixtureFixtures.grid25Samples(800, seed: 3)
        let same = try mmd2(ring, ring2), different = try mmd2(ring, grid)
        #expect(abs(same) < 0.02 * different, "same \(same), different \(different)")
        let eSame = try energyDistance(ring, ring2), eDifferent = try energyDistance(ring, grid)
        #expect(abs(eSame) < 0.05 * eDifferent, "energy same \(eSame), different \(eDifferent)")
    }

    /// The cap subsamples deterministically: the same seed gives the same value, and the
    /// subset holds distinct rows in their original order.
    @Test func subsampleCapIsSeeded() throws {
        let x = RNG(seed: 9).normalBatch(count: 900, dims: 2), y = RNG(seed: 10).normalBatch(count: 700, dims: 2)
        #expect(try mmd2(x, y, maxPoints: 200, seed: 3) == (try mmd2(x, y, maxPoints: 200, seed: 3)))
        #expect(
            try energyDistance(x, y, maxPoints: 200, seed: 3) != (try energyDistance(x, y, maxPoints: 200, seed: 4)))
        let s = subsample(x, cap: 200, rng: RNG(seed: 1))
        let firsts = (0..<200).map { s.values[2 * $0] }
        let index = firsts.map { v in (0..<900).first { x.values[2 * $0] == v }! }
        #expect(index == index.sorted() && Set(index).count == 200)
        #expect(subsample(x, cap: 900, rng: RNG(seed: 1)) == x)
    }

    @Test func rejectsBadInputs() {
        #expect(throws: MetricError.self) { try mmd2(batch([[0, 0]]), batch([[0, 0], [1, 1]])) } // unbiased needs 2
        #expect(throws: MetricError.self) { try mmd2(batch([[0, 0], [1, 1]]), batch([[0], [1]])) }
        #expect(throws: MetricError.self) { try mmd2(batch([[0], [1]]), batch([[0], [1]]), bandwidths: [0]) }
        #expect(throws: MetricError.self) { try energyDistance(batch([[0], [.infinity]]), batch([[0], [1]])) }
        #expect(throws: MetricError.self) { try energyDistance(Batch(count: 0, dims: 1), batch([[0], [1]])) }
    }
}
