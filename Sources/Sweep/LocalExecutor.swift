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
    public func run(tick: Double = 0.5, report: (Progress) -> Void = { _ in },
                    shouldStop: () -> Bool = { false }) throws -> Manifest {
        var manifest = runner.manifest
        let dir = runner.dir
        manifest.refresh(in: dir)
        let todo = try manifest.points.filter { $0.state != .done }.map { try manifest.point($0) }
        try manifest.write(in: dir)
        if let shared = manifest.sharedState(in: dir), shared != .done, !todo.isEmpty {
            try runShared(tick: tick, report: report, shouldStop: shouldStop)
        }

        let lock = NSLock()
        var next = 0, running = 0, done = manifest.points.filter { $0.state == .done }.count, failed = 0
        var seconds: [Double] = []
        var firstError: Error?
        let group = DispatchGroup()
        for _ in 0..<min(jobs, max(1, todo.count)) {
            DispatchQueue.global().async(group: group) {
                while true {
                    lock.lock()
                    guard next < todo.count, !runner.isStopping, firstError == nil else { lock.unlock(); return }
                    let point = todo[next]
                    next += 1; running += 1
                    lock.unlock()
                    do {
                        let s = try runner.run(point)
                        lock.lock()
                        running -= 1
                        if s.exit == 0 && !s.interrupted { done += 1; seconds.append(s.seconds) }
                        else if !s.interrupted { failed += 1 }
                        lock.unlock()
                    } catch {
                        lock.lock(); running -= 1; firstError = firstError ?? error; lock.unlock()
                    }
                }
            }
        }
        func progress() -> Progress {
            lock.lock(); defer { lock.unlock() }
            var p = Progress(done: done, running: running, failed: failed, total: manifest.points.count)
            if !seconds.isEmpty {
                let mean = seconds.reduce(0, +) / Double(seconds.count)
                let left = todo.count - next
                p.secondsLeft = mean * (Double(left) + Double(running) * 0.5) / Double(jobs)
            }
            return p
        }
        while group.wait(timeout: .now() + tick) == .timedOut {
            if shouldStop() { runner.stop() }
            report(progress())
        }
        report(progress())
        manifest.refresh(in: dir)
        try manifest.write(in: dir)
        if let firstError { throw firstError }
        return manifest
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
            throw SweepError("the shared step (\(runner.manifest.shared ?? "")) failed with exit status \(status.exit); "
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
