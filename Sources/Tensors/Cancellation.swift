import Synchronization

/// A flag that long work polls so it can stop cleanly: the REPL sets it on Ctrl-C,
/// training and solves check it between steps and return what they have.
public final class CancellationToken: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
}
