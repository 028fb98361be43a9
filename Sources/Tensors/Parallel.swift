import Dispatch
import Foundation
import Synchronization

/// Deterministic data parallelism for the hand-written loops.
///
/// Work is cut into chunks whose boundaries depend only on the problem size (never
/// on the thread count), and any reduction combines chunk results in chunk order,
/// so the same inputs give bit-identical results on 1 or 2 cores.
public enum Parallel {
    /// Threads used by `forEachChunk`; defaults to the active processor count.
    nonisolated(unsafe) public static var threads: Int = ProcessInfoShim.activeProcessorCount

    /// Parallel regions running now. A region started inside another runs inline: the
    /// outer one already uses the cores, and nesting would only add dispatch overhead.
    static let activeRegions = Atomic<Int>(0)

    /// Calls `body(range)` for consecutive ranges of `0..<n`, each of at most `chunk`
    /// indices, on up to `threads` threads (``WorkerPool``'s, or Dispatch's when another
    /// thread holds that pool). Small problems and nested regions run inline.
    public static func forEachChunk(_ n: Int, chunk: Int, _ body: (Range<Int>) -> Void) {
        guard n > 0 else { return }
        let chunk = max(1, chunk)
        let chunks = (n + chunk - 1) / chunk
        if chunks == 1 || threads <= 1 || activeRegions.load(ordering: .relaxed) > 0 {
            var s = 0
            while s < n { body(s..<min(n, s + chunk)); s += chunk }
            return
        }
        activeRegions.add(1, ordering: .relaxed)
        defer { activeRegions.subtract(1, ordering: .relaxed) }
        let ran =
            chunks <= WorkerPool.maxChunks
            && WorkerPool.shared.run(chunks: chunks, threads: threads) { c in
                let s = c * chunk
                body(s..<min(n, s + chunk))
            }
        if !ran { // another thread holds the pool
            withoutActuallyEscaping(body) { body in
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let s = c * chunk
                    body(s..<min(n, s + chunk))
                }
            }
        }
    }

    /// Sum of `body(range)` over chunks of `0..<n`, combined in chunk order.
    public static func sum(_ n: Int, chunk: Int, _ body: (Range<Int>) -> Double) -> Double {
        guard n > 0 else { return 0 }
        let chunk = max(1, chunk)
        let chunks = (n + chunk - 1) / chunk
        var partial = [Double](repeating: 0, count: chunks)
        partial.withUnsafeMutableBufferPointer { p in
            let p = p
            forEachChunk(chunks, chunk: 1) { cs in
                for c in cs { p[c] = body((c * chunk)..<min(n, (c + 1) * chunk)) }
            }
        }
        return partial.reduce(0, +)
    }
}

/// Processor count, read once.
public enum ProcessInfoShim {
    public static let activeProcessorCount = ProcessInfo.processInfo.activeProcessorCount
}
