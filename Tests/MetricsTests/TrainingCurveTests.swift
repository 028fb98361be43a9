import Datasets
import Diffusion
import Distillation
import Foundation
import Tensors
import Testing

@testable import Metrics

@Suite struct TrainingCurveTests {
    /// A Direct CM student on ring8 with snapshots at 50 and 200 of 400 iterations: the
    /// curve has one point per snapshot plus the final weights, each value equals the
    /// metric recomputed from that snapshot's own samples, and training lowers the ODE
    /// error (by 28% from 50 to 400 iterations in this run; the test asks for 10%).
    @Test func measuresEverySnapshotAndTheFinalStudent() throws {
        let ring = try Toy.ring()
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 18))
        var c = DistillationConfig()
        c.objective = .direct; c.iterations = 400; c.batchSize = 256; c.width = 64; c.depth = 2
        c.snapshots = [50, 200]; c.seed = 1
        let student = try distill(teacher: ring, solver: solver, data: { ring.sample(count: $0, rng: $1) }, config: c)
        let z = RNG(seed: 7).normalBatch(count: 1000, dims: 2).map { $0 * 80 }
        let reference = try #require(solver.solve(ring, z, callback: nil))
        let curve = try trainingCurve(
            of: student, noise: z, steps: 1,
            measures: [
                ("ode_error", { x throws(MetricError) in try odeError(student: x, teacher: reference).mean }),
                (
                    "distance",
                    { x throws(MetricError) in try dataDistance(x, teacher: ring, sigma: 0.1).meanCorrection }
                ),
            ])
        #expect(curve.iterations == [50, 200, 400])
        let ode = try #require(curve.values(of: "ode_error"))
        for (p, s) in (student.snapshots + [student]).enumerated() {
            let x = try s.sample(z, steps: 1)
            let direct = x.meanSquaredDistance(to: reference) / 2
            #expect(abs(ode[p] - direct) <= 1e-12 * direct)
        }
        #expect(ode[2] < 0.9 * ode[0], "\(ode)")
    }
}
