import Dispatch

/// Accumulates wall time per named phase of a loop (for `cmlab bench`'s breakdown of
/// a training step). Passing none costs nothing.
public final class PhaseClock {
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var order: [String] = []
    private var last: UInt64 = 0

    public init() {}

    /// Starts timing from now.
    public func start() { last = DispatchTime.now().uptimeNanoseconds }

    /// Charges the time since the previous mark to `phase`.
    public func mark(_ phase: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        if seconds[phase] == nil { order.append(phase) }
        seconds[phase, default: 0] += Double(now - last) / 1e9
        last = now
    }
}

/// Runs `body` and charges its time to `phase` on `clock` (none: just runs it), so that a
/// loop's lines read as its steps and the benchmark's timing stays outside them.
@inline(__always)
public func timed<T>(_ phase: String, on clock: PhaseClock?, _ body: () throws -> T) rethrows -> T {
    let result = try body()
    clock?.mark(phase)
    return result
}
