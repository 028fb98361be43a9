import Diffusion
import Foundation
import Tensors
import Testing

@testable import Metrics

@Suite struct ErrorProfileTests {
    /// A "student" that is the exact consistency function of one Gaussian has, along an
    /// RK4 trajectory of that Gaussian, an error profile at the level of RK4's global
    /// error (≈5e-5 from σ_max at N = 40, so squared < 1e-8) and a gap as small; the
    /// identity map has error ‖x_n − x_final‖²/d, which the test recomputes directly.
    @Test func exactFunctionHasNoErrorAndIdentityHasTheDistanceToTheEnd() throws {
        let g = try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5)
        final class Exact: Denoiser {
            let g: GaussianMixture
            init(_ g: GaussianMixture) { self.g = g }
            var dims: Int { 2 }; var name: String { "f*" }
            func denoise(_ x: Batch, sigma: [Double]) -> Batch {
                var out = x
                for i in 0..<x.count {
                    out.values.replaceSubrange(
                        (2 * i)..<(2 * i + 2),
                        with: g.singleGaussianFlow(x.rows(i..<(i + 1)), from: sigma[i], to: 0.002).values)
                }
                return out
            }
        }
        final class Identity: Denoiser {
            var dims: Int { 2 }; var name: String { "id" }
            func denoise(_ x: Batch, sigma: [Double]) -> Batch { x }
        }
        let grid = try SigmaGrid.karras(n: 40)
        let z = RNG(seed: 1).normalBatch(count: 200, dims: 2).map { $0 * 80 }
        let t = solveTrajectory(g, GridSolver(.rk4, grid: grid), z)!
        let p = try errorProfile(of: Exact(g), along: t)
        #expect(p.error.count == 40 && p.gap.count == 39)
        #expect(p.error.allSatisfy { $0 < 1e-8 } && p.gap.allSatisfy { $0 < 1e-8 })
        let q = try errorProfile(of: Identity(), along: t)
        for n in [0, 20, 39] {
            #expect(abs(q.error[n] - t.states[n].meanSquaredDistance(to: t.final) / 2) < 1e-12 * max(1, q.error[n]))
        }
        #expect(q.error.last == 0)
    }

    /// The identity map's per-sample error is ‖x_n − x_final‖²/d, recomputed here directly;
    /// its quantiles follow NumPy's linear rule (200 samples: the median is the mean of
    /// order statistics 99 and 100, the 10% quantile 0.1·s[19] + 0.9·s[20]) and group means
    /// recombine, weighted by size, into the overall mean.
    @Test func quantilesAndGroupMeansOfThePerSampleError() throws {
        final class Identity: Denoiser {
            var dims: Int { 2 }; var name: String { "id" }
            func denoise(_ x: Batch, sigma: [Double]) -> Batch { x }
        }
        let g = try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5)
        let z = RNG(seed: 2).normalBatch(count: 200, dims: 2).map { $0 * 80 }
        let t = solveTrajectory(g, GridSolver(.heun, grid: try SigmaGrid.karras(n: 12)), z)!
        let p = try errorProfile(of: Identity(), along: t)
        let n = 5
        let direct = (0..<200).map { i in
            zip(t.states[n].row(i), t.final.row(i)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 2
        }
        #expect(p.perSample[n] == direct)
        let s = direct.sorted()
        let q = p.quantiles([0.1, 0.5, 0.9])
        #expect(abs(q[1][n] - (s[99] + s[100]) / 2) <= 1e-12 * s[100])
        #expect(abs(q[0][n] - (0.1 * s[19] + 0.9 * s[20])) <= 1e-12 * s[20])
        #expect(q[0][n] <= q[1][n] && q[1][n] <= q[2][n])
        let even = (0..<200).filter { $0 % 2 == 0 }, odd = (0..<200).filter { $0 % 2 == 1 }
        let recombined = (p.meanError(among: even)[n] * 100 + p.meanError(among: odd)[n] * 100) / 200
        #expect(abs(recombined - p.error[n]) <= 1e-12 * p.error[n])
        #expect(p.quantiles([0.5], among: [7])[0][n] == direct[7])
        #expect(p.quantiles([0.5], among: [])[0][n].isNaN)
    }
}
