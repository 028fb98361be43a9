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
        print("1 thread:", NetsBenchmark.mlpStep(batch: 512, width: 256, depth: 4, iterations: 300, threads: 1))
    }
}

extension BenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_BENCH"] != nil))
    func kernelBreakdown() {
        let b = 512, w = 256
        let z = Buffer(b * w), s = Buffer(b * w), a = Buffer(b * w), bias = Buffer(w), sums = Buffer(16 * w)
        for i in 0..<z.count { z.p[i] = Float(i % 17) * 0.3 - 2 }
        for threads in [1, 2] {
            Parallel.threads = threads
            let fwd = NetsBenchmark.median(300) {
                forEachRowChunk(rows: b, columns: w) { _, rows in
                    biasSiLUForward(z: z.p, bias: bias.p, rows: rows, columns: w, sigmoidOut: s.p, siluOut: nil, out: a.p, skip: nil)
                }
            }
            let bwd = NetsBenchmark.median(300) {
                forEachRowChunk(rows: b, columns: w) { k, rows in
                    let sm = sums.p + k * w
                    sm.update(repeating: 0, count: w)
                    siluBackward(g: a.p, sigmoid: s.p, output: a.p, rows: rows, columns: w, into: z.p, columnSums: sm)
                }
            }
            let net = MLP(inputDims: 2, width: 256, depth: 4, seed: 1)
            let adam = Adam(net.store)
            let ad = NetsBenchmark.median(300) { adam.update(net.store) }
            let zg = NetsBenchmark.median(300) { net.zeroGrad() }
            let f = FourierFeatures(count: 16)
            let c = [Float](repeating: 0.3, count: b), out = Buffer(b * 34)
            let emb = NetsBenchmark.median(300) {
                c.withUnsafeBufferPointer { cp in
                    forEachRowChunk(rows: b, columns: 34) { _, rows in f.encode(cp.baseAddress!, rows: rows, into: out.p, ld: 34, column: 2) }
                }
            }
            print(String(format: "threads %d: siluFwd %.1f us, siluBwd %.1f us, adam %.1f us, zeroGrad %.1f us, fourier %.1f us",
                         threads, fwd * 1e3, bwd * 1e3, ad * 1e3, zg * 1e3, emb * 1e3))
        }
        Parallel.threads = 2
    }
}
