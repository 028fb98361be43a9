import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one point as its own `cmlab run` process into its own folder, its output in
/// `logs/<id>.log`, and records how it ended in the folder's `status.json`. Both
/// executors run points through here (Slurm via `cmlab sweep --point ID --out DIR`).
public final class PointRunner: @unchecked Sendable {
    public let dir: URL
    public let manifest: Manifest
    /// The `cmlab` executable the points run with.
    public let executable: URL
    /// Threads of one run: `CMLAB_THREADS` (and OpenBLAS's) in its environment.
    public let threads: Int

    private let lock = NSLock()
    private var running: [Int: Process] = [:]
    private var stopping = false

    public init(dir: URL, manifest: Manifest, executable: URL, threads: Int) {
        self.dir = dir; self.manifest = manifest; self.executable = executable; self.threads = max(1, threads)
    }

    /// The command line of a point: `cmlab run NOTEBOOK --out FOLDER -p name=value …`.
    public func arguments(_ point: SweepPoint) -> [String] {
        ["run", manifest.notebook, "--out", dir.appendingPathComponent(Manifest.folder(of: point.id)).path]
            + point.runArguments
    }

    /// Runs the point and waits; returns how it ended (also written to `status.json`).
    @discardableResult
    public func run(_ point: SweepPoint) throws -> PointStatus {
        try launch(
            arguments(point), folder: Manifest.folder(of: point.id), log: String(format: "%04d.log", point.id),
            key: point.id)
    }

    /// Runs the sweep's shared step (`cmlab run SHARED --out DIR/shared`) and waits.
    @discardableResult
    public func runShared() throws -> PointStatus {
        guard let shared = manifest.shared else { throw SweepError("this sweep has no shared step") }
        return try launch(
            ["run", shared, "--out", dir.appendingPathComponent(Manifest.sharedFolder).path],
            folder: Manifest.sharedFolder, log: "shared.log", key: -1)
    }

    private func launch(
        _ arguments: [String], folder relative: String, log name: String, key: Int
    ) throws -> PointStatus {
        let folder = dir.appendingPathComponent(relative)
        let logs = dir.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: PointStatus.url(folder)) // a stale "done" must not survive a rerun
        let log = logs.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil) // a failure: FileHandle throws
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["CMLAB_THREADS"] = String(threads)
        env["OPENBLAS_NUM_THREADS"] = String(threads)
        process.environment = env
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        lock.lock()
        if stopping { lock.unlock(); return PointStatus(exit: 130, interrupted: true, seconds: 0, finished: Date()) }
        do { try withStopSignalsUnblocked { try process.run() } } catch {
            lock.unlock()
            throw SweepError("cannot start \(executable.path): \(error)")
        }
        running[key] = process
        lock.unlock()
        process.waitUntilExit()
        lock.lock()
        running[key] = nil
        let interrupted = stopping
        lock.unlock()
        let status = PointStatus(
            exit: process.terminationStatus, interrupted: interrupted,
            seconds: Date().timeIntervalSince(start), finished: Date())
        try status.write(folder)
        return status
    }

    /// Stops the running points (SIGINT, as Ctrl-C would: each writes its report of what ran)
    /// and starts no more.
    public func stop() {
        lock.lock()
        stopping = true
        let ps = Array(running.values)
        lock.unlock()
        for p in ps where p.isRunning { p.interrupt() }
        // A run busy in a loop that does not poll Ctrl-C is ended after a grace period.
        DispatchQueue.global().asyncAfter(deadline: .now() + PointRunner.grace) {
            for p in ps where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }

    /// Seconds a stopped point has to write its report before it is terminated.
    public static let grace = 3.0

    public var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }
}
