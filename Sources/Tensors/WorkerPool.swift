import CKernels
import Dispatch
import Foundation
import Synchronization

/// Persistent worker threads for ``Parallel``: fork–join regions of a few hundred
/// microseconds, dozens per training step.
///
/// Dispatch's pool parks its threads between regions, and waking one costs ≈ 50 µs
/// here (`cmlab bench --only parallel`) — a tenth of a small training step, paid at
/// each of its eight regions. These workers instead poll for the next region for up
/// to ``spinSeconds`` after the last one, then sleep on a condition variable.
///
/// A region is published as one atomic word, `generation | chunks | next chunk`; the
/// caller and the workers claim chunks by compare-and-swap on that word, so a claim
/// succeeds only for the live region, and the caller returns only when every chunk
/// is done. Which thread runs a chunk varies; what a chunk computes does not.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle worker polls before sleeping.
    static let spinSeconds = 0.002
    /// Chunks a region may have (the state word's field width).
    static let maxChunks = (1 << 20) - 1

    private let state = Atomic<UInt64>(0) // generation (24 bits) | chunks (20) | next (20)
    private let done = Atomic<Int>(0)
    private let body = Atomic<UInt>(0) // address of the caller's `(Int) -> Void`
    private let sleepers = Atomic<Int>(0)
    private let condition = NSCondition()
    private let busy = Atomic<Bool>(false)
    private var workers = 0 // guarded by `busy`

    static let shared = WorkerPool()

    private static func pack(_ generation: UInt64, _ chunks: Int, _ next: Int) -> UInt64 {
        (generation << 40) | (UInt64(chunks) << 20) | UInt64(next)
    }

    /// Runs `body(c)` for `c` in `0..<chunks` on the caller and the workers (one per
    /// further core, up to `threads − 1`). Returns false, running nothing, when
    /// another thread holds the pool.
    func run(chunks: Int, threads: Int, _ body: (Int) -> Void) -> Bool {
        precondition(chunks > 0 && chunks <= Self.maxChunks)
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        defer { busy.store(false, ordering: .releasing) }
        // One worker per further core at most: polling threads beyond the cores would take
        // turns with the caller instead of helping it.
        while workers < Swift.min(threads, ProcessInfoShim.activeProcessorCount) - 1 { startWorker(); workers += 1 }

        withoutActuallyEscaping(body) { body in
            var b = body
            withUnsafeMutablePointer(to: &b) { p in
                self.body.store(UInt(bitPattern: p), ordering: .sequentiallyConsistent)
                done.store(0, ordering: .sequentiallyConsistent)
                let generation = ((state.load(ordering: .sequentiallyConsistent) >> 40) &+ 1) & 0xFF_FFFF
                state.store(Self.pack(generation, chunks, 0), ordering: .sequentiallyConsistent)
                if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                    condition.lock(); condition.broadcast(); condition.unlock()
                }
                work(generation: generation)
                while done.load(ordering: .sequentiallyConsistent) < chunks { ck_pause() }
            }
        }
        return true
    }

    /// Claims and runs chunks of region `generation` until none is left.
    private func work(generation: UInt64) {
        while true {
            let v = state.load(ordering: .sequentiallyConsistent)
            let chunks = Int((v >> 20) & 0xF_FFFF), next = Int(v & 0xF_FFFF)
            guard v >> 40 == generation, next < chunks else { return }
            guard state.compareExchange(expected: v, desired: v + 1, ordering: .sequentiallyConsistent).exchanged else {
                continue
            }
            // The claim proves the region is live, so the caller's frame (and `body`) is too.
            let address = body.load(ordering: .sequentiallyConsistent)
            UnsafePointer<(Int) -> Void>(bitPattern: address)!.pointee(next)
            done.add(1, ordering: .sequentiallyConsistent)
        }
    }

    private func startWorker() {
        let thread = Thread { [self] in
            var seen = state.load(ordering: .sequentiallyConsistent) >> 40
            var idleSince = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while true {
                let generation = state.load(ordering: .sequentiallyConsistent) >> 40
                if generation != seen {
                    seen = generation
                    work(generation: generation)
                    idleSince = DispatchTime.now().uptimeNanoseconds
                    continue
                }
                ck_pause()
                polls += 1
                if polls & 1023 == 0,
                    Double(DispatchTime.now().uptimeNanoseconds - idleSince) / 1e9 > Self.spinSeconds
                {
                    condition.lock()
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) >> 40 == seen { condition.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    condition.unlock()
                    idleSince = DispatchTime.now().uptimeNanoseconds
                }
            }
        }
        thread.name = "cmlab worker"
        thread.start()
    }
}
