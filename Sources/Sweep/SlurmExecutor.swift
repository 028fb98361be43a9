import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `slurm.json` in a sweep's folder: every submission, in order (a resubmission covers the
/// points that had not finished).
public struct SlurmRecord: Codable, Equatable {
    public struct Submission: Codable, Equatable {
        /// The array's job id.
        public var job: String
        /// The shared step's job id, when this submission ran it.
        public var shared: String?
        public var points: [Int]
        public var submitted: Date
    }
    public var submissions: [Submission] = []

    public static func url(in dir: URL) -> URL { dir.appendingPathComponent("slurm.json") }

    public static func read(in dir: URL) -> SlurmRecord? {
        guard let data = try? Data(contentsOf: url(in: dir)) else { return nil }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try? dec.decode(SlurmRecord.self, from: data)
    }

    public func write(in dir: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        enc.dateEncodingStrategy = .iso8601
        try enc.encode(self).write(to: SlurmRecord.url(in: dir), options: .atomic)
    }

    /// The job id that last ran (or runs) each point; the shared step under key -1.
    public var lastJob: [Int: String] {
        var out: [Int: String] = [:]
        for s in submissions {
            for p in s.points { out[p] = s.job }
            if let j = s.shared { out[-1] = j }
        }
        return out
    }
}

/// What Slurm says of one task: `squeue`'s state (PENDING, RUNNING, …) or `sacct`'s
/// (COMPLETED, FAILED, TIMEOUT, CANCELLED, OUT_OF_MEMORY, …).
public struct SlurmTask: Equatable {
    public var job: String
    /// The array task id (the point id); nil for a job that is not an array (the shared step).
    public var task: Int?
    public var state: String
}

/// Submits a sweep's unfinished points as one `sbatch` job array, and reads the queue.
public struct SlurmExecutor {
    public let dir: URL
    public let manifest: Manifest
    public let cmlab: URL
    public let options: SlurmScript.Options
    /// Where `sbatch`, `squeue`, `sacct` and `scancel` are looked for.
    public let path: String?

    public init(
        dir: URL, manifest: Manifest, cmlab: URL, options: SlurmScript.Options,
        path: String? = ProcessInfo.processInfo.environment["PATH"]
    ) {
        self.dir = dir; self.manifest = manifest; self.cmlab = cmlab; self.options = options; self.path = path
    }

    func tool(_ name: String) throws -> Command {
        guard let c = Command.find(name, path: path) else {
            throw SweepError(
                "\(name) is not on PATH: --slurm needs Slurm's commands (on a machine without a cluster, "
                    + "start a local one: eval \"$(bash scripts/slurm-local.sh start)\"); nothing was submitted")
        }
        return c
    }

    /// What was submitted: nil when nothing needed to be (every point done, queued or running).
    public struct Submitted {
        public var job: String
        public var shared: String?
        public var points: [Int]
    }

    /// Submits the points that are neither done nor in the queue (and the shared step first
    /// when it is not done). The manifest and the points' folders are not touched when
    /// `sbatch` is missing or fails.
    public func submit() throws -> Submitted? {
        try options.check()
        let sbatch = try tool("sbatch")
        var manifest = self.manifest
        manifest.refresh(in: dir)
        let record = SlurmRecord.read(in: dir) ?? SlurmRecord()
        let tasks = try queue(record)
        let queued = Set(tasks.compactMap(\.task))
        let todo = manifest.points.filter { $0.state != .done && !queued.contains($0.id) }.map(\.id)
        guard !todo.isEmpty else { return nil }

        let slurmDir = dir.appendingPathComponent("slurm")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: slurmDir, withIntermediateDirectories: true)
        let name = manifest.notebookName.filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        let n = record.submissions.count + 1

        // The shared step: its job if it is still queued or running, else a new one unless it is done.
        var sharedJob = tasks.first { $0.task == nil && $0.job == record.lastJob[-1] }?.job
        let sharedRunning = sharedJob != nil
        if let state = manifest.sharedState(in: dir), state != .done, sharedJob == nil {
            let args = SlurmScript.sharedArguments(dir: dir, name: name, options: options)
            let url = slurmDir.appendingPathComponent("shared-\(n).sh")
            try SlurmScript.script(
                cmlab: cmlab, dir: dir, shared: true, threads: options.threads, sbatchArguments: args
            )
            .write(to: url, atomically: true, encoding: .utf8)
            sharedJob = try run(sbatch, args + [url.path], what: "the shared step")
        }
        let args = SlurmScript.arrayArguments(todo, dir: dir, name: name, options: options, dependency: sharedJob)
        let url = slurmDir.appendingPathComponent("array-\(n).sh")
        try SlurmScript.script(cmlab: cmlab, dir: dir, shared: false, threads: options.threads, sbatchArguments: args)
            .write(to: url, atomically: true, encoding: .utf8)
        let job: String
        do { job = try run(sbatch, args + [url.path], what: "the array of \(todo.count) points") } catch {
            if let sharedJob, !sharedRunning, let scancel = Command.find("scancel", path: path) {
                _ = try? scancel.run([sharedJob])
            }
            throw error
        }
        var updated = record
        updated.submissions.append(
            .init(job: job, shared: sharedRunning ? nil : sharedJob, points: todo, submitted: Date()))
        try updated.write(in: dir)
        try manifest.write(in: dir)
        return Submitted(job: job, shared: sharedJob, points: todo)
    }

    /// Runs `sbatch --parsable …` and returns the job id it printed.
    private func run(_ sbatch: Command, _ args: [String], what: String) throws -> String {
        let r = try sbatch.run(args)
        let id =
            r.out.split(whereSeparator: \.isNewline).last.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SweepError(
                "sbatch failed to submit \(what) (exit status \(r.status)): \(r.message.isEmpty ? "no message" : r.message); "
                    + "nothing of it was submitted and the sweep's results are as before")
        }
        return id
    }

    /// The tasks of this sweep's jobs that are in `squeue` now (pending, running, completing).
    /// Empty when the sweep was never submitted.
    public func queue(_ record: SlurmRecord? = nil) throws -> [SlurmTask] {
        let record = record ?? SlurmRecord.read(in: dir) ?? SlurmRecord()
        let jobs = Set(record.submissions.flatMap { [$0.job] + ($0.shared.map { [$0] } ?? []) })
        guard !jobs.isEmpty else { return [] }
        let squeue = try tool("squeue")
        let r = try squeue.run(["-h", "-r", "-u", SlurmExecutor.userName, "-o", "%F|%K|%T"])
        guard r.status == 0 else { throw SweepError("squeue failed (exit status \(r.status)): \(r.message)") }
        return r.out.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 3, jobs.contains(f[0]) else { return nil }
            return SlurmTask(job: f[0], task: Int(f[1]), state: f[2])
        }
    }

    /// What `sacct` says of the sweep's jobs; empty when accounting is off or sacct is missing.
    public func accounting(_ record: SlurmRecord) -> [SlurmTask] {
        let jobs = Array(Set(record.submissions.flatMap { [$0.job] + ($0.shared.map { [$0] } ?? []) })).sorted()
        guard !jobs.isEmpty, let sacct = Command.find("sacct", path: path),
            let r = try? sacct.run(["-n", "-P", "-X", "-o", "JobID,State", "-j", jobs.joined(separator: ",")]),
            r.status == 0
        else { return [] }
        return r.out.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: "|").map(String.init)
            guard f.count >= 2 else { return nil }
            let id = f[0].split(separator: "_", maxSplits: 1).map(String.init)
            return SlurmTask(
                job: id[0], task: id.count > 1 ? Int(id[1]) : nil,
                state: f[1].split(separator: " ").first.map(String.init) ?? f[1])
        }
    }

    /// Waits until none of the sweep's jobs is in the queue, reporting progress every
    /// `tick` seconds; returns the manifest with each point's state (false when stopped).
    public func wait(
        tick: Double = 2, report: (LocalExecutor.Progress) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> (manifest: Manifest, finished: Bool) {
        var manifest = self.manifest
        let record = SlurmRecord.read(in: dir) ?? SlurmRecord()
        while true {
            let tasks = try queue(record)
            manifest.refresh(in: dir)
            var p = LocalExecutor.Progress(total: manifest.points.count)
            let inQueue = Dictionary(
                tasks.compactMap { t in t.task.map { ($0, t.state) } }, uniquingKeysWith: { a, _ in a })
            for e in manifest.points {
                if let s = inQueue[e.id] {
                    if s == "RUNNING" || s == "COMPLETING" { p.running += 1 } else { p.queued += 1 }
                } else if e.state == .done {
                    p.done += 1
                } else if e.state == .failed {
                    p.failed += 1
                }
            }
            report(p)
            if tasks.isEmpty { break }
            // A failed shared step leaves the array waiting on afterok forever: cancel it.
            if let shared = manifest.sharedState(in: dir), shared == .failed || shared == .interrupted,
                !tasks.contains(where: { $0.task == nil })
            {
                if let scancel = Command.find("scancel", path: path) {
                    _ = try? scancel.run(Array(Set(tasks.map(\.job))).sorted())
                }
                try manifest.write(in: dir)
                throw SweepError(
                    "the shared step \(shared.rawValue) (see \(dir.appendingPathComponent("logs/shared.log").path)); "
                        + "its dependent array was cancelled and no point ran")
            }
            let deadline = Date().addingTimeInterval(tick)
            while Date() < deadline {
                if shouldStop() { return (manifest, false) }
                usleep(100_000)
            }
        }
        try manifest.write(in: dir)
        return (manifest, true)
    }

    /// Each point's (and the shared step's, key -1) job and Slurm state: from `squeue` while
    /// queued or running, else from `sacct` when accounting is on.
    public func slurmStates() throws -> [Int: (job: String, state: String)] {
        guard let record = SlurmRecord.read(in: dir) else { return [:] }
        let last = record.lastJob
        var out: [Int: (job: String, state: String)] = [:]
        for t in accounting(record) {
            let key = t.task ?? (record.submissions.contains { $0.shared == t.job } ? -1 : -2)
            if last[key] == t.job { out[key] = (t.task.map { "\(t.job)_\($0)" } ?? t.job, t.state) }
        }
        for t in try queue(record) {
            let key = t.task ?? (record.submissions.contains { $0.shared == t.job } ? -1 : -2)
            if last[key] == t.job { out[key] = (t.task.map { "\(t.job)_\($0)" } ?? t.job, t.state) }
        }
        return out
    }

    static var userName: String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
