import Foundation

/// An external program (sbatch, squeue, sacct, scancel) found on `PATH` and run to its end.
public struct Command {
    public let url: URL

    /// The program `name` in the directories of `path` (the environment's `PATH` by default).
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> Command? {
        for d in (path ?? "").split(separator: ":") where !d.isEmpty {
            let url = URL(fileURLWithPath: String(d)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return Command(url: url) }
        }
        return nil
    }

    public struct Result {
        public var status: Int32
        public var out: String
        public var err: String
        /// Standard error, or standard output when that is empty, trimmed: what a message quotes.
        public var message: String {
            let e = err.trimmingCharacters(in: .whitespacesAndNewlines)
            return e.isEmpty ? out.trimmingCharacters(in: .whitespacesAndNewlines) : e
        }
    }

    /// Runs the program with `arguments` and waits; both outputs are read while it runs.
    public func run(_ arguments: [String]) throws -> Result {
        let p = Process()
        p.executableURL = url
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { throw SweepError("cannot start \(url.path): \(error)") }
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, out: String(decoding: outData, as: UTF8.self),
            err: String(decoding: errData, as: UTF8.self))
    }
}
