import Foundation
import Testing

@testable import Diffusion

@Suite struct GridTests {
    @Test func karrasEndpointsAndFormula() throws {
        let g = try SigmaGrid.karras(n: 40)
        #expect(g.count == 40 && g.sigmaMax == 80 && g.sigmaMin == 0.002)
        #expect(zip(g.sigmas, g.sigmas.dropFirst()).allSatisfy { $0 > $1 })
        // Middle point from the formula, evaluated independently.
        let i = 17.0
        let ref = pow(pow(80, 1 / 7.0) + i / 39 * (pow(0.002, 1 / 7.0) - pow(80, 1 / 7.0)), 7)
        #expect(abs(g.sigmas[17] - ref) <= 1e-14 * ref)
    }

    @Test func karrasRejectsBadParameters() {
        let cases: [(() throws -> SigmaGrid, String)] = [
            ({ try .karras(n: 1) }, "n = 1"),
            ({ try .karras(n: -3) }, "n = -3"),
            ({ try .karras(n: 10, sigmaMin: 5, sigmaMax: 1) }, "sigma_min = 5.0"),
            ({ try .karras(n: 10, sigmaMin: 0) }, "sigma_min = 0.0"),
            ({ try .karras(n: 10, sigmaMax: .nan) }, "sigma_max = nan"),
            ({ try .karras(n: 10, rho: -1) }, "rho = -1.0"),
            ({ try .vp(n: 1) }, "n = 1"),
            ({ try .vp(n: 2000) }, "n = 2000"),
        ]
        for (make, words) in cases {
            #expect(throws: DiffusionError.self) { _ = try make() }
            do { _ = try make() } catch { #expect("\(error)".contains(words), "\(error)") }
        }
    }

    /// ᾱ_t recomputed as exp(Σ log1p(−β)) — a different route to the same product.
    @Test func vpGridMatchesTheStableDiffusionSchedule() throws {
        let g = try SigmaGrid.vp(n: 10)
        guard case let .vp(t) = g.kind else { Issue.record("kind"); return }
        #expect(t.first == 999 && t.last == 0 && t.count == 10)
        for (k, step) in t.enumerated() {
            var logAlphaBar = 0.0
            for s in 0...step {
                let r = 0.00085.squareRoot() + Double(s) / 999 * (0.012.squareRoot() - 0.00085.squareRoot())
                logAlphaBar += log1p(-r * r)
            }
            let ab = exp(logAlphaBar)
            #expect(abs(g.sigmas[k] - ((1 - ab) / ab).squareRoot()) < 1e-10 * g.sigmas[k])
        }
        // The schedule's known end points: ᾱ_999 ≈ 0.00466 (σ ≈ 14.6), ᾱ_0 = 1 − 0.00085.
        #expect(abs(g.sigmaMax - 14.6146) < 1e-3)
        #expect(abs(g.sigmaMin - (0.00085 / (1 - 0.00085)).squareRoot()) < 1e-12)
    }
}
