// The kernel's log: one line per event on standard error, which Jupyter front ends
// keep in their own log (the kernel's standard output is not a channel).
import Foundation

/// Writes `[cmlab kernel] level: message` lines to standard error.
public final class KernelLog: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void
    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.write = write
    }

    public func info(_ message: String) { emit("info", message) }
    public func warning(_ message: String) { emit("warning", message) }

    private func emit(_ level: String, _ message: String) {
        let line = "[cmlab kernel] \(level): \(message)"
        lock.lock()
        write(line)
        lock.unlock()
    }
}
