import Datasets
import Diffusion
import Tensors
import Testing

@testable import Metrics

@Suite struct SampleQualityTests {
    /// The record holds exactly what the individual metrics return with the same seed.
    @Test func agreesWithIndividualMetrics() throws {
        let ring = try Toy.ring()
        let reference = ring.sample(count: 400, rng: RNG(seed: 1)),
            samples = ring.sample(count: 300, rng: RNG(seed: 2)).map { $0 * 1.05 }
        let q = try sampleQuality(samples, reference: reference, distribution: ring, seed: 3)
        #expect(q.swd == (try slicedWasserstein(samples, reference, seed: 3)))
        #expect(q.mmd2 == (try mmd2(samples, reference, seed: 3)))
        #expect(q.energy == (try energyDistance(samples, reference, seed: 3)))
        #expect(q.fd == (try frechetDistance(samples, reference)))
        #expect(q.precisionRecall == (try precisionRecall(real: reference, generated: samples, seed: 3)))
        #expect(q.nll == (try negativeLogLikelihood(samples, under: ring)))
        #expect(q.coverage == (try modeCoverage(samples, of: ring)))
        #expect(
            q.columns.map(\.name) == ["swd", "mmd2", "energy", "fd", "precision", "recall", "nll", "inliers", "modes"])
        let moons = try Toy.moons()
        let m = try sampleQuality(
            moons.sample(count: 50, rng: RNG(seed: 1)), reference: moons.sample(count: 50, rng: RNG(seed: 2)),
            distribution: moons)
        #expect(m.nll == nil && m.coverage == nil && m.columns.count == 6)
    }
}
