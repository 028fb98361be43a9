import Datasets
import Diffusion
import Foundation
import Tensors
import Testing

@testable import Metrics

@Suite struct ErrorSplitTests {
    /// For one Gaussian N(0, s² I), D(x; σ) = a·x with a = s²/(s² + σ²), so along = a²·‖e‖²/d
    /// and across = (1 − a)²·‖e‖²/d exactly.
    @Test func singleGaussianSplitsByTheShrinkage() throws {
        let s = 0.5, sigma = 0.3, a = s * s / (s * s + sigma * sigma)
        let g = try GaussianMixture.gaussian(mean: [0, 0, 0, 0], std: s)
        let ref = RNG(seed: 1).normalBatch(count: 500, dims: 4)
        let x = Batch.axpy(ref, 0.2, RNG(seed: 2).normalBatch(count: 500, dims: 4))
        let e = try errorSplit(samples: x, reference: ref, teacher: g, sigma: sigma)
        let total = x.meanSquaredDistance(to: ref) / 4
        #expect(abs(e.total - total) < 1e-12)
        #expect(abs(e.along - a * a * total) < 1e-12)
        #expect(abs(e.across - (1 - a) * (1 - a) * total) < 1e-12)
    }

    /// On a thin ring (720 modes of std 0.002 on the unit circle: a curve) at σ = 0.05 the
    /// denoiser is the projection onto the circle, so the split agrees with why.cml's
    /// radial/tangential split of small errors (std 0.01) to 3%: the tangential part is kept,
    /// the radial part removed (the curvature keeps ≈ σ² of it).
    @Test func agreesWithTheRadialTangentialSplitOnARing() throws {
        let ring = try Toy.ring(modes: 720, radius: 1, std: 0.002)
        let ref = ring.sample(count: 4000, rng: RNG(seed: 3))
        let x = Batch.axpy(ref, 0.01, RNG(seed: 4).normalBatch(count: 4000, dims: 2))
        var radial = 0.0, tangential = 0.0
        for i in 0..<ref.count {
            let rx = ref.values[2 * i], ry = ref.values[2 * i + 1], r = (rx * rx + ry * ry).squareRoot()
            let dx = x.values[2 * i] - rx, dy = x.values[2 * i + 1] - ry
            let rad = (dx * rx + dy * ry) / r, tan = (dy * rx - dx * ry) / r
            radial += rad * rad; tangential += tan * tan
        }
        radial /= Double(2 * ref.count); tangential /= Double(2 * ref.count)
        let e = try errorSplit(samples: x, reference: ref, teacher: ring, sigma: 0.05)
        #expect(abs(e.along - tangential) < 0.03 * tangential, "along \(e.along) vs tangential \(tangential)")
        #expect(abs(e.across - radial) < 0.03 * radial, "across \(e.across) vs radial \(radial)")
        #expect(abs(e.acrossShare - 0.5) < 0.05)
    }

    @Test func badInputIsAnError() throws {
        let g = try GaussianMixture.gaussian(mean: [0, 0], std: 1)
        let a = Batch(count: 3, dims: 2)
        #expect(throws: MetricError.self) {
            try errorSplit(samples: a, reference: Batch(count: 4, dims: 2), teacher: g, sigma: 0.1)
        }
        #expect(throws: MetricError.self) { try errorSplit(samples: a, reference: a, teacher: g, sigma: -1) }
        #expect(throws: MetricError.self) {
            try errorSplit(
                samples: Batch(count: 3, dims: 3), reference: Batch(count: 3, dims: 3), teacher: g, sigma: 0.1)
        }
    }
}
