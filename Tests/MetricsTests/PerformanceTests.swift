import Datasets
import Diffusion
import Foundation
import Tensors
import Testing

@testable import Metrics

/// Timing on two 10,000-point 2-D sets, the study's evaluation size. Opt-in (it is only
/// meaningful in release): `CMLAB_PERF=1 swift test -c release -Xswiftc -enable-testing
/// --filter PerformanceTests`. Prints each metric's time; expects each default-capped one under 10 s
/// (a few seconds on 2 idle cores; the uncapped O(n²) runs are only printed).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_PERF"] != nil))
struct PerformanceTests {
    @Test func tenThousandPointSets() throws {
        let ring = try Toy.ring(), grid = try Toy.gridmix()
        let x = ring.sample(count: 10_000, rng: RNG(seed: 1)), y = grid.sample(count: 10_000, rng: RNG(seed: 2))
        func time(_ name: String, limit: Double = 10, _ body: () throws -> Any) rethrows {
            let t0 = Date()
            let v = try body()
            let dt = Date().timeIntervalSince(t0)
            print("perf \(name): \(String(format: "%.3f", dt)) s → \(v)")
            #expect(dt < limit, "\(name) took \(dt) s")
        }
        try time("ode_error") { try odeError(student: x, teacher: y).mean }
        try time("swd (128 dirs)") { try slicedWasserstein(x, y) }
        try time("mmd2 (cap 4000)") { try mmd2(x, y) }
        try time("mmd2 (all 10k)", limit: .infinity) { try mmd2(x, y, maxPoints: .max) }
        try time("energy (cap 4000)") { try energyDistance(x, y) }
        try time("energy (all 10k)", limit: .infinity) { try energyDistance(x, y, maxPoints: .max) }
        try time("nll") { try negativeLogLikelihood(y, under: ring).meanInSupport }
        try time("coverage") { try modeCoverage(x, of: ring).modesCovered }
        try time("precision/recall (k 5)") { try precisionRecall(real: x, generated: y) }
        try time("fd") { try frechetDistance(x, y) }
        let fx = RNG(seed: 3).normalBatch(count: 10_000, dims: 128),
            fy = RNG(seed: 4).normalBatch(count: 10_000, dims: 128)
        try time("fd (128-dim features)") { try frechetDistance(fx, fy) }
        try time("precision/recall (128-dim, cap 4000)") {
            try precisionRecall(real: fx, generated: fy, maxPoints: 4000)
        }
    }
}
