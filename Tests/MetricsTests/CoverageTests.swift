import Datasets
import Diffusion
import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct CoverageTests {
    /// Samples built to hit modes 0, 3 and 5 of ring8 (100, 100, 50 points, each within one
    /// std), one point near mode 6 (0.4% < 1%: held but not covered), and 9 points at the
    /// origin (20 stds from every mode). Everything is counted exactly.
    @Test func constructedSamplesHitChosenModes() throws {
        let ring = GaussianMixture.ring8()
        var rows: [[Double]] = []
        let jitter = RNG(seed: 2)
        func around(_ k: Int, _ count: Int) {
            for i in 0..<count {
                let a = 2 * Double.pi * Double(k) / 8
                let u = jitter.uniform(at: UInt64(rows.count)) * 2 * Double.pi, r = 0.05 * Double(i % 10) / 10
                rows.append([cos(a) + r * cos(u), sin(a) + r * sin(u)])
            }
        }
        around(0, 100); around(3, 100); around(5, 50); around(6, 1)
        rows += [[Double]](repeating: [0, 0], count: 9)
        let c = try modeCoverage(batch(rows), of: ring)
        #expect(c.counts == [100, 0, 0, 100, 0, 50, 1, 0])
        #expect(c.modesCovered == 3 && c.modes == 8)
        #expect(c.inlierShare == 251.0 / 260)
        #expect(c.assignment[0] == 0 && c.assignment[259] == nil)
    }

    /// A point between two modes goes to the nearer one in units of each mode's std.
    @Test func assignmentUsesStdUnits() throws {
        let modes = batch([[0, 0], [1, 0]])
        let c = try modeCoverage(batch([[0.4, 0]]), modes: modes, stds: [0.1, 0.5]) // 4 stds vs 1.2 stds
        #expect(c.counts == [0, 1])
    }

    /// Exact ring8 samples: inlier share P(χ²₂ ≤ 9) = 1 − e^{−4.5} = 0.98889; with n = 20,000
    /// its standard error is 0.00074, tolerance 0.004; every mode covered.
    @Test func exactSamplesCoverEverything() throws {
        let ring = try Toy.ring()
        let c = try modeCoverage(ring.sample(count: 20_000, rng: RNG(seed: 3)), of: ring)
        #expect(abs(c.inlierShare - (1 - exp(-4.5))) < 0.004, "\(c.inlierShare)")
        #expect(c.modesCovered == 8)
        #expect(c.counts.allSatisfy { abs(Double($0) / 20_000 - 0.125 * (1 - exp(-4.5))) < 0.01 })
    }

    @Test func rejectsBadInputs() throws {
        #expect(throws: MetricError.self) { try modeCoverage(batch([[0, 0]]), of: try Toy.moons()) }
        #expect(throws: MetricError.self) { try modeCoverage(batch([[0, 0]]), modes: batch([[0, 0]]), stds: [0]) }
        #expect(throws: MetricError.self) { try modeCoverage(batch([[0]]), of: GaussianMixture.ring8()) }
    }
}
