import Diffusion
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct ODEErrorTests {
    /// Hand-computed: rows differ by (1, 0) and (0, 2), so per-sample errors are
    /// 1/2 and 4/2 and the mean over all four elements is 5/4 (exact in Double).
    @Test func handComputed() throws {
        let e = try odeError(student: batch([[0, 0], [1, 1]]), teacher: batch([[1, 0], [1, 3]]))
        #expect(e.perSample == [0.5, 2])
        #expect(e.mean == 1.25)
    }

    /// The mean equals NumPy's `((s − t)**2).mean()` written as one flat loop, and
    /// `Batch.meanSquaredDistance / dims` (1e-14 relative).
    @Test func meanIsMeanOverElements() throws {
        let s = RNG(seed: 1).normalBatch(count: 300, dims: 3), t = RNG(seed: 2).normalBatch(count: 300, dims: 3)
        let e = try odeError(student: s, teacher: t)
        var flat = 0.0
        for k in 0..<s.values.count { flat += (s.values[k] - t.values[k]) * (s.values[k] - t.values[k]) }
        flat /= Double(s.values.count)
        #expect(abs(e.mean - flat) < 1e-14 * flat)
        #expect(abs(e.mean - s.meanSquaredDistance(to: t) / 3) < 1e-14 * flat)
        #expect(e.perSample.count == 300)
    }

    /// The exact single-Gaussian flow against itself has zero error.
    @Test func exactFlowHasZeroError() throws {
        let g = try GaussianMixture.gaussian(mean: [0.5, -0.5], std: 0.3)
        let z = RNG(seed: 3).normalBatch(count: 50, dims: 2).map { $0 * 80 }
        let x = g.singleGaussianFlow(z, from: 80, to: 0.002)
        #expect(try odeError(student: x, teacher: x).mean == 0)
    }

    @Test func rejectsMismatchedInputs() {
        #expect(throws: MetricError.self) {
            try odeError(student: batch([[0, 0]]), teacher: batch([[0, 0], [1, 1]]))
        }
        #expect(throws: MetricError.self) { try odeError(student: batch([[0, 0]]), teacher: batch([[0, 0, 0]])) }
        #expect(throws: MetricError.self) {
            try odeError(student: Batch(count: 0, dims: 2), teacher: Batch(count: 0, dims: 2))
        }
        #expect(throws: MetricError.self) { try odeError(student: batch([[.nan, 0]]), teacher: batch([[0, 0]])) }
    }
}
