import Datasets
import Foundation
import Tensors
import Testing

@testable import Diffusion

@Suite struct TeacherTests {
    /// Tweedie: D(x; σ) = x + σ²·∇log p_σ(x). The gradient comes from central finite
    /// differences of the exact log-density (step 1e-5: truncation O(h²) ≈ 1e-10,
    /// round-off ≈ 1e-16/h ≈ 1e-11 relative), compared to 1e-6 absolute.
    @Test(arguments: [0.01, 0.1, 0.7, 3.0])
    func denoiserIsTweedie(sigma: Double) throws {
        for mix in [GaussianMixture.ring8(), GaussianMixture.grid25()] {
            let x = RNG(seed: 3).normalBatch(count: 20, dims: 2).map { $0 * 0.8 }
            let D = mix.denoise(x, sigma: sigma)
            let h = 1e-5
            for i in 0..<x.count {
                for j in 0..<2 {
                    var xp = x.rows(i..<(i + 1)), xm = xp
                    xp.values[j] += h; xm.values[j] -= h
                    let g = (mix.logDensity(xp, sigma: sigma)[0] - mix.logDensity(xm, sigma: sigma)[0]) / (2 * h)
                    let expect = x.values[i * 2 + j] + sigma * sigma * g
                    #expect(abs(D.values[i * 2 + j] - expect) < 1e-6 * max(1, abs(expect)))
                }
            }
        }
    }

    /// The log-density of a single Gaussian against its closed form, and far-away points stay finite.
    @Test func logDensityAndFarPoints() throws {
        let g = try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5)
        let x = Batch(count: 1, dims: 2, values: [1, 1])
        let v = 0.25 + 0.04
        let r2 = 0.49 + 1.44
        #expect(abs(g.logDensity(x, sigma: 0.2)[0] - (-log(2 * Double.pi * v) - r2 / (2 * v))) < 1e-12)
        let far = Batch(count: 1, dims: 2, values: [100, -100])
        let D = GaussianMixture.ring8().denoise(far, sigma: 0.002)
        #expect(D.values.allSatisfy { $0.isFinite })
        // Far in the direction of mode 7 (angle −45°): the posterior weight is one-hot on
        // that mode, so D = μ₇ + s²/(s² + σ²)·(x − μ₇) exactly.
        let m7 = [cos(-Double.pi / 4), sin(-Double.pi / 4)], shrink = 0.0025 / (0.0025 + 0.002 * 0.002)
        for j in 0..<2 { #expect(abs(D.values[j] - (m7[j] + shrink * (far.values[j] - m7[j]))) < 1e-9) }
    }

    /// The mixture's row loop has an AVX2 body for points in the plane (four rows per
    /// register, libmvec's exp, ≤ 4 ulp) and a portable one (libm's exp): on mixtures of
    /// 1, 8 and 25 components, with one σ for the batch (broadcast constants) and one σ
    /// per row (gathered), they agree to 1e-13 relative, a few ulps of exp carried through
    /// a softmax and a weighted mean of O(1) terms. (A 3-D mixture runs the portable
    /// body either way; it checks the general path's dispatch.)
    @Test func vectorAndPortableBodiesAgree() throws {
        let tilted = try GaussianMixture(
            weights: [1, 2, 3], means: Batch(count: 3, dims: 3, values: [0, 0, 1, 1, -1, 0, 0.5, 0.5, -0.5]),
            stds: [0.1, 0.3, 0.05])
        for mix in [
            GaussianMixture.ring8(), GaussianMixture.grid25(),
            try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5), tilted,
        ] {
            let x = RNG(seed: 8).normalBatch(count: 23, dims: mix.dims).map { $0 * 1.5 }
            let perRow = (0..<23).map { 0.002 * pow(40_000, Double($0 % 9) / 8) } // 0.002 … 80
            for sigma in [[Double](repeating: 0.3, count: 23), perRow] {
                let v = mix.denoise(x, sigma: sigma, vectorKernel: true),
                    p = mix.denoise(x, sigma: sigma, vectorKernel: false)
                for (a, b) in zip(v.values, p.values) { #expect(abs(a - b) <= 1e-13 * max(1, abs(b)), "\(mix.name)") }
            }
        }
    }

    /// A row's value does not depend on where it sits in the batch (the vector body pads
    /// the last group of four with copies): each row of 7 equals the row denoised alone.
    @Test func rowsDoNotDependOnTheirBatch() {
        let mix = GaussianMixture.ring8()
        let x = RNG(seed: 9).normalBatch(count: 7, dims: 2)
        let sigma = (0..<7).map { 0.05 * Double($0 + 1) }
        let all = mix.denoise(x, sigma: sigma)
        for i in 0..<7 {
            #expect(
                Array(all.values[(2 * i)..<(2 * i + 2)]) == mix.denoise(x.rows(i..<(i + 1)), sigma: [sigma[i]]).values)
        }
    }

    /// At tiny σ the optimal empirical denoiser returns the nearest data point.
    @Test func empiricalDenoiserReturnsNearestAtTinySigma() throws {
        let data = RNG(seed: 5).normalBatch(count: 50, dims: 3)
        let D = try EmpiricalDenoiser(data: data)
        let x = RNG(seed: 6).normalBatch(count: 30, dims: 3)
        let out = D.denoise(x, sigma: 1e-4)
        for i in 0..<x.count {
            let nearest = (0..<data.count).min { a, b in
                zip(x.row(i), data.row(a)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                    < zip(x.row(i), data.row(b)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            }!
            for j in 0..<3 { #expect(abs(out.values[i * 3 + j] - data.values[nearest * 3 + j]) < 1e-9) }
        }
        // At large σ every weight tends to 1/M: D → the data mean.
        let big = D.denoise(x, sigma: 1e4)
        for j in 0..<3 {
            let mean = (0..<50).map { data.values[$0 * 3 + j] }.reduce(0, +) / 50
            #expect(abs(big.values[j] - mean) < 1e-4)
        }
    }

    /// The mixture's sampler: fraction per mode and spread match the mixture (n = 40,000;
    /// a mode's share has s.e. √(p(1−p)/n) ≈ 0.0017, tolerance 0.01).
    @Test func mixtureSamplesHaveTheRightModes() {
        let mix = GaussianMixture.ring8()
        let s = mix.sample(count: 40_000, rng: RNG(seed: 9))
        var counts = [Int](repeating: 0, count: 8)
        for i in 0..<s.count {
            let a = atan2(s.values[2 * i + 1], s.values[2 * i])
            counts[(Int((a / (2 * Double.pi / 8)).rounded()) + 8) % 8] += 1
        }
        #expect(counts.allSatisfy { abs(Double($0) / 40_000 - 0.125) < 0.01 })
        #expect(mix.sample(count: 5, rng: RNG(seed: 9)).values == s.rows(0..<5).values)
    }
}

/// One σ per row (a CM step's rows sit at their own σ_n) gives each row what a call at
/// that row's σ alone gives: the per-σ constants are looked up, not mixed up.
@Suite struct PerRowSigmaTests {
    @Test func perRowSigmaEqualsOneSigmaAtATime() {
        let mix = GaussianMixture.grid25()
        let x = RNG(seed: 5).normalBatch(count: 60, dims: 2)
        let grid = [0.002, 0.05, 0.3, 1.7, 80]
        let sigma = (0..<60).map { grid[($0 * 7) % grid.count] }
        let D = mix.denoise(x, sigma: sigma)
        for i in 0..<60 {
            let one = mix.denoise(x.rows(i..<(i + 1)), sigma: sigma[i])
            #expect(one.values == Array(D.values[(2 * i)..<(2 * i + 2)]))
        }
    }
}
