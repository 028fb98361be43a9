import Foundation
import Testing
import Tensors
@testable import Nets

/// Speed figures, run only when asked: `CMLAB_BENCH=1 swift test -c release --filter UNetBenchmarkTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_BENCH"] != nil)) struct UNetBenchmarkTests {
    @Test func unetTrainingStep() {
        let r = NetsBenchmark.unetStep(batch: 128, iterations: 15)
        print(r)
        #expect(r.msPerStep > 0)
    }
}
