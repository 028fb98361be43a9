import Foundation
import Testing
import Tensors
@testable import Nets

/// Speed figures, run only when asked: `CMLAB_BENCH=1 swift test -c release --filter UNetBenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_BENCH"] != nil)) struct UNetBenchmarkTests {
    @Test func unetTrainingStep() {
        let r = NetsBenchmark.unetStep(batch: 128, iterations: 15)
        let square = NetsBenchmark.sgemmGFLOPs(m: 1024, n: 1024, k: 1024, iterations: 20)
        print(r)
        print(String(format: "sgemm 1024³ %.1f GFLOP/s; step FLOPs %.2f GFLOP; step at the 1024³ rate would take %.1f ms",
                     square, r.flopsPerStep * 1e-9, r.flopsPerStep / square * 1e-6))
        #expect(r.msPerStep > 0)
    }
}
