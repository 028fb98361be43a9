import Foundation

/// Runs a sweep's unfinished points on this machine, `jobs` at a time.
public struct LocalExecutor {
    public struct Progress: Equatable {
        public var done = 0, running = 0, failed = 0, total = 0
        /// Points waiting in a Slurm queue (0 locally).
        public var queued = 0
        /// Seconds left, from the mean time of the points finished so far; nil before the first.
        public var secondsLeft: Double?

        public var line: String {
            var s = "sweep: \(done)/\(total) done, \(running) running, \(failed) failed"
            if queued > 0 { s += ", \(queued) queued" }
            if let t = secondsLeft { s += ", about \(formatDuration(t)) left" }
            return s
        }
    }

    public let runner: PointRunner
    public let jobs: Int

    public init(runner: PointRunner, jobs: Int) { self.runner = runner; self.jobs = max(1, jobs) }

    /// Runs every point that is not complete (pending, failed or interrupted), then returns
    /// the manifest with each point's state. `report` is called on the calling thread about
    /// every `tick` seconds and at the end; `shouldStop` is polled as often (Ctrl-C).
    public func run(
        tick: Double = 0.5, report: (Progress) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> Manifest {
        var manifest = runner.manifest
        let dir = runner.dir
        manifest.refresh(in: dir)
        let todo = try manifest.points.filter { $0.state != .done }.map { try manifest.point($0) }
        try manifest.write(in: dir)
        if let shared = manifest.sharedState(in: dir), shared != .done, !todo.isEmpty {
            try runShared(tick: tick, report: report, shouldStop: shouldStop)
        }

        let runner = self.runner
        let pool = Pool(todo: todo, done: manifest.points.filter { $0.state == .done }.count)
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(1, todo.count)) {
            DispatchQueue.global().async(group: group) {
                while let point = pool.take(unless: runner.isStopping) {
                    do { pool.finish(try runner.run(point)) } catch { pool.fail(error) }
                }
            }
        }
        func progress() -> Progress { pool.progress(total: manifest.points.count, jobs: jobs) }
        while group.wait(timeout: .now() + tick) == .timedOut {
            if shouldStop() { runner.stop() }
            report(progress())
        }
        report(progress())
        manifest.refresh(in: dir)
        try manifest.write(in: dir)
        if let error = pool.firstError { throw error }
        return manifest
    }
}

/// The workers' shared counts, behind one lock: which point is next, how many run, ended,
/// failed, their times, and the first error that stops the pool.
private final class Pool: @unchecked Sendable {
    private let lock = NSLock()
    private let todo: [SweepPoint]
    private var next = 0, running = 0, done: Int, failed = 0
    private var seconds: [Double] = []
    private var error: Error?

    init(todo: [SweepPoint], done: Int) { self.todo = todo; self.done = done }

    /// The next point to run, nil when none is left, `stopping` is true or a worker failed.
    func take(unless stopping: Bool) -> SweepPoint? {
        lock.lock(); defer { lock.unlock() }
        guard next < todo.count, !stopping, error == nil else { return nil }
        next += 1; running += 1
        return todo[next - 1]
    }

    func finish(_ s: PointStatus) {
        lock.lock(); defer { lock.unlock() }
        running -= 1
        if s.exit == 0 && !s.interrupted { done += 1; seconds.append(s.seconds) } else if !s.interrupted { failed += 1 }
    }

    func fail(_ e: Error) {
        lock.lock(); defer { lock.unlock() }
        running -= 1
        error = error ?? e
    }

    var firstError: Error? { lock.lock(); defer { lock.unlock() }; return error }

    /// Counts and the time left, from the mean time of the points finished so far.
    func progress(total: Int, jobs: Int) -> LocalExecutor.Progress {
        lock.lock(); defer { lock.unlock() }
        var p = LocalExecutor.Progress(done: done, running: running, failed: failed, total: total)
        if !seconds.isEmpty {
            let mean = seconds.reduce(0, +) / Double(seconds.count)
            p.secondsLeft = mean * (Double(todo.count - next) + Double(running) * 0.5) / Double(jobs)
        }
        return p
    }
}

extension LocalExecutor {
    /// Runs the shared step (polling `shouldStop` meanwhile); throws unless it completed.
    func runShared(tick: Double, report: (Progress) -> Void, shouldStop: () -> Bool) throws {
        let runner = self.runner
        nonisolated(unsafe) var result: Result<PointStatus, Error>?
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { result = Result { try runner.runShared() } }
        let total = runner.manifest.points.count
        let done = runner.manifest.points.filter { $0.state == .done }.count
        while group.wait(timeout: .now() + tick) == .timedOut {
            if shouldStop() { runner.stop() }
            report(Progress(done: done, running: 0, failed: 0, total: total))
        }
        guard let result else { throw SweepError("the shared step did not run") }
        let status = try result.get()
        if status.interrupted { throw SweepError("the shared step was interrupted; no point ran") }
        if status.exit != 0 {
            throw SweepError(
                "the shared step (\(runner.manifest.shared ?? "")) failed with exit status \(status.exit); "
                    + "see \(runner.dir.appendingPathComponent("logs/shared.log").path); no point ran")
        }
    }
}

/// `45 s`, `3 min 20 s`, `2 h 5 min`.
func formatDuration(_ t: Double) -> String {
    let s = Int(t.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \((s % 3600) / 60) min"
}
