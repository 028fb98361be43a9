import Synchronization

/// A flag that long work polls so it can stop cleanly: the REPL sets it on Ctrl-C,
/// training and solves check it between steps and return what they have.
///
/// Only the host resets it (the REPL and the notebook runner, between cells): work that
/// polls it never clears it, so a signal that lands between two calls in a loop is kept.
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }
    /// Cancels on behalf of a signal (SIGINT, SIGTERM), so the host can say which one
    /// stopped the work. Safe in a signal handler: two lock-free stores.
    public func cancel(signal: Int32) {
        signalNumber.store(signal, ordering: .relaxed)
        flag.store(true, ordering: .relaxed)
    }
    /// The signal that cancelled, or 0 (not cancelled, or cancelled without one).
    public var signal: Int32 { signalNumber.load(ordering: .relaxed) }
    public func reset() {
        flag.store(false, ordering: .relaxed)
        signalNumber.store(0, ordering: .relaxed)
    }
}
