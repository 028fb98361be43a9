import Datasets
import Diffusion
import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct LikelihoodTests {
    /// Samples of N(μ, s²I) in d dims: NLL estimates the entropy (d/2)·log(2πe·s²).
    /// −log p = (d/2)·log(2πs²) + ‖z‖²/2 has variance d/2, so with n = 20,000 the standard
    /// error is √(d/2n) (0.0071 in 2-D, 0.0087 in 3-D); tolerance 5 standard errors.
    /// (Over 40 other seeds the largest 2-D error was 0.42 of the tolerance.)
    @Test(arguments: [([0.3, -1.0], 0.7), ([1.0, 2.0, -0.5], 2.5)])
    func gaussianNLLIsEntropy(mean: [Double], std: Double) throws {
        let n = 20_000, d = Double(mean.count)
        let g = try Toy.gaussian(mean: mean, std: std)
        let nll = try negativeLogLikelihood(g.sample(count: n, rng: RNG(seed: 4)), under: g)
        let entropy = d / 2 * log(2 * Double.pi * exp(1) * std * std)
        #expect(abs(nll.mean - entropy) < 5 * (d / 2 / Double(n)).squareRoot(), "\(nll.mean) vs \(entropy)")
        #expect(nll.outsideSupport == 0 && nll.meanInSupport == nll.mean)
    }

    /// Per-sample values against the closed-form Gaussian log-density (1e-12).
    @Test func perSampleMatchesClosedForm() throws {
        let g = try GaussianMixture.gaussian(mean: [0.5, -0.5], std: 0.4)
        let x = batch([[0.5, -0.5], [1, 1], [-3, 2]])
        let nll = try negativeLogLikelihood(x, under: g)
        for i in 0..<3 {
            let r2 = squaredDistance(x.row(i), [0.5, -0.5][...])
            let expect = log(2 * Double.pi * 0.16) + r2 / (2 * 0.16)
            #expect(abs(nll.perSample[i] - expect) < 1e-12 * max(1, expect))
        }
    }

    /// Checkerboard: −log p = log(B·h²) on black squares (exact), +inf on white ones; the
    /// mean is +inf as soon as one sample is off the support, the in-support mean stays finite.
    @Test func checkerboardSupport() throws {
        let board = try Toy.checkerboard(cells: 4)
        let inside = try negativeLogLikelihood(board.sample(count: 1000, rng: RNG(seed: 1)), under: board)
        #expect(abs(inside.mean - log(8 * 0.25)) < 1e-12)
        let mixed = try negativeLogLikelihood(
            batch([[-0.9, -0.9], [-0.4, -0.9], [0.1, 0.1], [3, 3]]), under: board)
        #expect(mixed.mean == .infinity)
        #expect(abs(mixed.meanInSupport - log(2.0)) < 1e-12)
        #expect(mixed.outsideSupport == 0.5)
    }

    @Test func rejectsBadInputs() throws {
        #expect(throws: MetricError.self) { try negativeLogLikelihood(batch([[0, 0]]), under: try Toy.moons()) }
        #expect(throws: MetricError.self) {
            try negativeLogLikelihood(batch([[0, 0, 0]]), under: GaussianMixture.ring8())
        }
        #expect(throws: MetricError.self) {
            try negativeLogLikelihood(Batch(count: 0, dims: 2), under: GaussianMixture.ring8())
        }
    }
}
