import Datasets
import Diffusion
import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct DataDistanceTests {
    /// For one Gaussian N(μ, s² I), D(x; σ) − x = −σ²/(s² + σ²)·(x − μ) exactly, so the
    /// correction is (σ²/(s² + σ²))²·‖x − μ‖²/d.
    @Test func singleGaussianCorrectionIsAnalytic() throws {
        let mu = [0.3, -1.0, 2.0], s = 0.4, sigma = 0.25
        let g = try GaussianMixture.gaussian(mean: mu, std: s)
        let x = RNG(seed: 4).normalBatch(count: 100, dims: 3).map { 2 * $0 }
        let dd = try dataDistance(x, teacher: g, sigma: sigma)
        let shrink = sigma * sigma / (s * s + sigma * sigma)
        for i in 0..<x.count {
            let r2 = zip(x.row(i), mu).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            #expect(abs(dd.correction[i] - shrink * shrink * r2 / 3) < 1e-12)
        }
        #expect(dd.nearest == nil)
    }

    /// Samples of the exact mixture sit at the data's own distance: on ring8 (modes 0.77
    /// apart, std s = 0.05) at σ = 0.1 the posterior picks the nearest mode, so
    /// E‖D(x; σ) − x‖²/d = (σ²/(s² + σ²))²·s² = 0.0016 for data; two independent sample sets
    /// and the embedded ring in 32 dims agree with it to 5 standard errors, and points
    /// pushed 0.3 off the ring sit far above it.
    @Test func mixtureSamplesSitAtTheDataDistance() throws {
        let s = 0.05, sigma = 0.1, exact = pow(sigma * sigma / (s * s + sigma * sigma), 2) * s * s
        let ring = try Toy.ring()
        let embedded = try Toy.embed(ring, dims: 32, seed: 3).mixture
        for (m, seed) in [(ring, UInt64(1)), (ring, 2), (embedded, 5)] {
            let x = m.sample(count: 20000, rng: RNG(seed: seed))
            let c = try dataDistance(x, teacher: m, sigma: sigma).correction
            let (mean, se) = meanAndStandardError(c)
            #expect(abs(mean - exact) < 5 * se + 1e-6, "\(m.name): \(mean) vs \(exact) ± \(se)")
        }
        let off = ring.sample(count: 2000, rng: RNG(seed: 1)).map { $0 * 1.3 }
        #expect(try dataDistance(off, teacher: ring, sigma: sigma).meanCorrection > 10 * exact)
    }

    /// Nearest-neighbour distances against a brute-force double loop, in 3 dims (direct
    /// sums) and 20 dims (the dgemm path), to 1e-9 relative.
    @Test(arguments: [3, 20]) func nearestAgreesWithBruteForce(dims d: Int) throws {
        let x = RNG(seed: 7).normalBatch(count: 37, dims: d), y = RNG(seed: 8).normalBatch(count: 301, dims: d)
        let fast = try nearestNeighbourDistances(x, in: y)
        for i in 0..<x.count {
            let brute = (0..<y.count).map { squaredDistance(x.row(i), y.row($0)) }.min()!
            #expect(abs(fast[i] - brute) <= 1e-9 * brute)
        }
        let g = try GaussianMixture.gaussian(mean: [Double](repeating: 0, count: d), std: 1)
        let dd = try dataDistance(x, teacher: g, sigma: 0.1, training: y)
        #expect(dd.nearest.map { zip($0, fast).allSatisfy { abs($0 * Double(d) - $1) <= 1e-12 * $1 } } == true)
    }

    @Test func badInputIsAnError() throws {
        let g = try GaussianMixture.gaussian(mean: [0, 0], std: 1)
        #expect(throws: MetricError.self) { try dataDistance(Batch(count: 3, dims: 3), teacher: g, sigma: 0.1) }
        #expect(throws: MetricError.self) { try dataDistance(Batch(count: 3, dims: 2), teacher: g, sigma: 0) }
        #expect(throws: MetricError.self) {
            try nearestNeighbourDistances(Batch(count: 3, dims: 2), in: Batch(count: 3, dims: 4))
        }
    }
}
