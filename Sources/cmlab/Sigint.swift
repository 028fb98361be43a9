import Foundation
import Synchronization
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// Routes SIGINT (Ctrl-C) and SIGTERM to a cancellation token while long work runs, so a
/// notebook, a training or a sweep stops at its next poll and keeps what it has;
/// `restore()` puts the defaults back.
///
/// The signals are unblocked first: a process started by another program's worker thread
/// (Foundation's `Process` from a sweep or a test, most job runners) inherits that
/// thread's mask, in which SIGINT and SIGTERM are blocked, and would otherwise never see
/// them. With `secondEndsProcess`, a second signal ends the process at once (exit status
/// 128 + the signal), for work that does not poll.
final class SigintCanceller {
    nonisolated(unsafe) static var current: CancellationToken?
    private static let received = SignalCount()
    private let signals: [Int32]

    init(_ token: CancellationToken, signals: [Int32] = [SIGINT, SIGTERM], secondEndsProcess: Bool = true) {
        self.signals = signals
        SigintCanceller.current = token
        SigintCanceller.received.value.store(0, ordering: .relaxed)
        unblock(signals)
        for s in signals {
            if secondEndsProcess {
                signal(s) { s in
                    if SigintCanceller.received.value.add(1, ordering: .relaxed).newValue >= 2 {
                        let m: StaticString = "\ncmlab: second signal, stopping now\n"
                        _ = write(2, m.utf8Start, m.utf8CodeUnitCount)
                        _exit(128 + s)
                    }
                    SigintCanceller.current?.cancel(signal: s)
                }
            } else {
                signal(s) { s in SigintCanceller.current?.cancel(signal: s) }
            }
        }
    }

    func restore() {
        SigintCanceller.current = nil
        for s in signals { signal(s, SIG_DFL) }
    }
}

/// Signals received since the canceller was installed (lock-free, so the handler may touch it).
private final class SignalCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Unblocks `signals` in the calling (main) thread, where a handler can then run.
func unblock(_ signals: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for s in signals { sigaddset(&set, s) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}
