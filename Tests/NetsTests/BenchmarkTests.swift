import Foundation
import Testing
import Tensors
@testable import Nets

/// Prints the benchmark when CMLAB_BENCH is set (run in release).
struct BenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_BENCH"] != nil))
    func mlpStepBenchmark() {
        print("BLAS threads \(BLASThreads.count), Parallel threads \(Parallel.threads)")
        print("sgemm 512×256×256: \(NetsBenchmark.sgemmGFLOPs(m: 512, n: 256, k: 256)) GFLOP/s")
        print(NetsBenchmark.mlpStep(batch: 512, width: 256, depth: 4, iterations: 300))
        print("residual:", NetsBenchmark.mlpStep(batch: 512, width: 256, depth: 4, residual: true, iterations: 300))
    }
}
