// The kernel's log: one line per problem on standard error, which Jupyter front ends
// keep in their own log (the kernel's standard output is not a channel).
import Foundation

/// Writes `[cmlab kernel] warning: message` lines to standard error: what the kernel
/// refused or could not do (a bad signature, a malformed message, an unknown type).
/// Ordinary events are not logged: jupyter console shares its terminal with it.
public final class KernelLog: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void

    public init(write: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.write = write
    }

    public func warning(_ message: String) {
        let line = "[cmlab kernel] warning: \(message)"
        lock.lock()
        write(line)
        lock.unlock()
    }
}
