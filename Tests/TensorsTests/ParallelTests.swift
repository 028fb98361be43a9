import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Tensors

/// `Parallel` on its persistent worker pool: every chunk runs exactly once, results do
/// not depend on the schedule, and regions from several threads, nested regions and
/// regions after the workers fell asleep all complete.
@Suite struct ParallelTests {
    /// Counts how often each index is visited; every count must be exactly 1. (Chunks
    /// are disjoint, so the plain increments race only if an index is visited twice.)
    func visits(_ n: Int, chunk: Int) -> [Int] {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        Parallel.forEachChunk(n, chunk: chunk) { r in
            #expect(r.count <= chunk && r.lowerBound % chunk == 0)
            for i in r { counts[i] += 1 }
        }
        return Array(counts)
    }

    @Test func everyIndexRunsOnce() {
        for (n, chunk) in [(1, 1), (2, 1), (3, 2), (100, 7), (1000, 1), (4096, 256), (5, 100)] {
            for _ in 0..<50 { #expect(visits(n, chunk: chunk).allSatisfy { $0 == 1 }, "n = \(n), chunk = \(chunk)") }
        }
    }

    /// A fixed-order sum over chunks equals the serial sum of the same chunk partials,
    /// bit for bit, however the chunks were scheduled (1,000 regions).
    @Test func sumsAreDeterministic() {
        let x = RNG(seed: 1).normals(count: 10_000)
        let chunk = 333
        var serial = 0.0
        for c in stride(from: 0, to: x.count, by: chunk) { serial += x[c..<min(x.count, c + chunk)].reduce(0, +) }
        for _ in 0..<1000 {
            let s = Parallel.sum(x.count, chunk: chunk) { r in x[r].reduce(0, +) }
            #expect(s == serial)
        }
    }

    /// Four threads open regions at once: one holds the pool, the others fall back to
    /// Dispatch; every region still visits each index once.
    @Test func concurrentCallers() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for k in 0..<200 {
                let n = 50 + 13 * t + k % 7
                if !visits(n, chunk: 4).allSatisfy({ $0 == 1 }) { failures.add(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    /// A region opened inside a region runs inline and completes.
    @Test func nestedRegions() {
        let total = Atomic<Int>(0)
        Parallel.forEachChunk(8, chunk: 1) { _ in
            Parallel.forEachChunk(10, chunk: 3) { r in total.add(r.count, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 80)
    }

    /// After the workers' polling window they sleep; the next region wakes them (or the
    /// caller does the work) and completes.
    @Test func regionsAfterTheWorkersSleep() {
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: WorkerPool.spinSeconds * 3)
            #expect(visits(64, chunk: 1).allSatisfy { $0 == 1 })
        }
    }
}
