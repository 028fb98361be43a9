import ArgumentParser
import Foundation
import Sweep
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// `cmlab sweep NOTEBOOK -p name=v1,v2,…`: one `cmlab run` per point of the grid.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a notebook over a grid of parameter values, one `cmlab run` per point, resumably.",
        discussion: """
            Each -p gives one parameter's values, separated by commas: numbers, "strings", true/false, \
            [lists], {records} and integer ranges a..b (both ends included). The grid is their cartesian \
            product (--zip pairs them instead). The sweep folder (default sweeps/<notebook name>/) holds \
            manifest.json and manifest.csv (point, parameters, folder, state), points/NNNN/ (each point's \
            reports and saved tables) and logs/NNNN.log. Rerunning the same command skips the complete \
            points and reruns failed or interrupted ones; Ctrl-C stops the running points. Then \
            `cmlab collect DIR` gathers the tables. `cmlab sweep --status DIR` shows each point's state.

            With --slurm the same points run as one Slurm job array (task id = point id, logs \
            logs/slurm-%A_%a.out, the script in slurm/) submitted with sbatch; --throttle N lets at most N \
            tasks run at once, --slurm-opt passes a flag to sbatch (repeatable), --wait waits for the array. \
            Rerunning the command resubmits only the points that are neither done nor queued. --shared NB \
            runs a notebook once before the points into DIR/shared (on Slurm a job the array depends on \
            with afterok). The sweep folder must be on a file system the cluster's nodes share.
            """)

    @Argument(help: "The notebook (with a cell tagged \"parameters\").") var notebook: String?
    @Option(
        name: [.customShort("p"), .long], parsing: .unconditionalSingleValue,
        help: ArgumentHelp("A swept parameter and its values (repeatable).", valueName: "name=v1,v2,…"))
    var parameter: [String] = []
    @Option(help: "The sweep folder (default: sweeps/<notebook name>/).") var out: String?
    @Flag(help: "Pair the i-th values of every -p instead of crossing them.") var zip = false
    @Flag(help: "List the points and run nothing.") var dryRun = false
    @Option(help: "Points run at once (default: the cores divided by --threads).") var jobs: Int?
    @Option(help: "Threads one point uses (CMLAB_THREADS of its run).") var threads: Int = 1
    @Option(help: ArgumentHelp("Show the state of each point of the sweep in DIR.", valueName: "DIR")) var status:
        String?
    @Option(
        help: ArgumentHelp(
            "A notebook run once before the points, into DIR/shared (e.g. training the teacher).",
            valueName: "NOTEBOOK")) var shared: String?
    @Flag(help: "Submit the points as a Slurm job array (sbatch) instead of running them here.") var slurm = false
    @Option(help: ArgumentHelp("With --slurm: at most N tasks of the array run at once (--array=…%N).", valueName: "N"))
    var throttle: Int?
    @Option(
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "With --slurm: a flag passed to sbatch, e.g. --slurm-opt=--time=1:00:00 (repeatable).", valueName: "FLAG"))
    var slurmOpt: [String] = []
    @Flag(help: "With --slurm: wait until the array has finished, showing progress.") var wait = false
    @Option(help: .hidden) var point: Int?
    @Flag(help: .hidden) var sharedStep = false

    func run() throws {
        do { try execute() } catch let e as SweepError { throw CLIError(e.description) }
    }

    func execute() throws {
        if let status { return try showStatus(URL(fileURLWithPath: status)) }
        guard threads >= 1 else { throw CLIError("--threads must be at least 1, not \(threads)") }
        if let jobs, jobs < 1 { throw CLIError("--jobs must be at least 1, not \(jobs)") }
        if let point {
            guard let out else { throw CLIError("--point needs --out DIR, the sweep folder") }
            return try runPoint(point, dir: URL(fileURLWithPath: out))
        }
        if sharedStep {
            guard let out else { throw CLIError("--shared-step needs --out DIR, the sweep folder") }
            return try runSharedStep(dir: URL(fileURLWithPath: out))
        }
        if !slurm {
            if throttle != nil || !slurmOpt.isEmpty || wait {
                throw CLIError("--throttle, --slurm-opt and --wait go with --slurm")
            }
        }
        guard let notebook else { throw CLIError("name the notebook to sweep: cmlab sweep NOTEBOOK -p name=v1,v2,…") }
        let nbURL = URL(fileURLWithPath: notebook).standardizedFileURL
        guard FileManager.default.fileExists(atPath: nbURL.path) else {
            throw CLIError("no such notebook: \(notebook)")
        }
        let axes = try Grid.axes(parameter)
        let points = try Grid.expand(axes, zip: zip)
        try Grid.check(axes, notebook: nbURL)
        let sharedURL = shared.map { URL(fileURLWithPath: $0).standardizedFileURL }
        if let sharedURL, !FileManager.default.fileExists(atPath: sharedURL.path) {
            throw CLIError("no such notebook: \(shared ?? "")")
        }
        let dir = URL(fileURLWithPath: out ?? "sweeps/\(nbURL.deletingPathExtension().lastPathComponent)")
            .standardizedFileURL
        var manifest = Manifest(notebook: nbURL, axes: axes, zip: zip, points: points, shared: sharedURL)

        if dryRun {
            print("\(points.count) points of \(nbURL.lastPathComponent) into \(dir.path):")
            for p in points {
                print(
                    String(format: "%4d  ", p.id)
                        + p.settings.map { "\($0.name)=\($0.value.source)" }.joined(separator: " "))
            }
            return
        }
        if let old = try Manifest.read(in: dir) {
            guard old.sameSweep(as: manifest) else {
                throw CLIError(
                    "\(dir.path) holds another sweep (of \(old.notebook) over \(old.parameters.joined(separator: ", ")), "
                        + "\(old.points.count) points); choose another --out, or remove that folder to start over")
            }
            manifest = old
        }
        if slurm {
            let options = SlurmScript.Options(
                throttle: throttle, sbatchOptions: slurmOpt, threads: threads,
                workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            try options.check()
            let existed = FileManager.default.fileExists(atPath: dir.path)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            if !existed { try manifest.write(in: dir) }
            do {
                return try submit(SlurmExecutor(dir: dir, manifest: manifest, cmlab: Self.executable, options: options))
            } catch {
                // Nothing was submitted: leave no folder behind.
                if !existed && SlurmRecord.read(in: dir) == nil { try? FileManager.default.removeItem(at: dir) }
                throw error
            }
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let jobs = self.jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount / threads)
        let runner = PointRunner(dir: dir, manifest: manifest, executable: Self.executable, threads: threads)
        let sigint = CancellationToken()
        let handler = SigintCanceller(sigint)
        defer { handler.restore() }
        let line = SweepProgressLine()
        let result = try LocalExecutor(runner: runner, jobs: jobs).run(
            report: line.show, shouldStop: { sigint.isCancelled })
        line.finish()
        if sigint.isCancelled {
            do { try summarize(result, dir: dir) } catch {}
            throw ExitCode(130)
        }
        try summarize(result, dir: dir)
    }

    /// Submits the unfinished points; with --wait, waits and reports as a local run does.
    func submit(_ slurm: SlurmExecutor) throws {
        let dir = slurm.dir
        if let s = try slurm.submit() {
            let shared = s.shared.map { ", after the shared step (job \($0))" } ?? ""
            print(
                "submitted job \(s.job): \(s.points.count) points as array \(SlurmScript.arraySpec(s.points, throttle: throttle))\(shared)"
            )
        } else {
            print("\(dir.path): every point is done, queued or running; nothing submitted")
        }
        guard wait else {
            print("see: cmlab sweep --status \(dir.path)")
            return
        }
        let sigint = CancellationToken()
        let handler = SigintCanceller(sigint)
        defer { handler.restore() }
        let line = SweepProgressLine()
        let (result, finished) = try slurm.wait(report: line.show, shouldStop: { sigint.isCancelled })
        line.finish()
        if !finished {
            FileHandle.standardError.write(
                Data(
                    "stopped waiting; the jobs keep running (scancel cancels them): cmlab sweep --status \(dir.path)\n"
                        .utf8))
            throw ExitCode(130)
        }
        try summarize(result, dir: dir)
    }

    /// The final line and an error per failed point; exit status 1 unless every point is done.
    func summarize(_ result: Manifest, dir: URL) throws {
        let states = Dictionary(grouping: result.points, by: \.state).mapValues(\.count)
        print(
            "\(dir.path): "
                + [PointState.done, .failed, .interrupted, .pending].compactMap { s in
                    states[s].map { "\($0) \(s.rawValue)" }
                }.joined(separator: ", "))
        for p in result.points where p.state == .failed {
            FileHandle.standardError.write(
                Data(
                    "error: point \(p.id) failed; see \(dir.appendingPathComponent(String(format: "logs/%04d.log", p.id)).path)\n"
                        .utf8))
        }
        if result.points.contains(where: { $0.state != .done }) { throw ExitCode(1) }
    }

    /// The shared step of the sweep in `dir`, as its Slurm job runs it.
    func runSharedStep(dir: URL) throws {
        guard let manifest = try Manifest.read(in: dir) else {
            throw CLIError("no sweep in \(dir.path): manifest.json is missing")
        }
        let threads = ProcessInfo.processInfo.environment["CMLAB_THREADS"].flatMap(Int.init) ?? self.threads
        let status = try PointRunner(dir: dir, manifest: manifest, executable: Self.executable, threads: threads)
            .runShared()
        if status.exit != 0 { throw ExitCode(status.exit) }
    }

    /// One point of the sweep in `dir`, as a Slurm array task runs it.
    func runPoint(_ id: Int, dir: URL) throws {
        guard let manifest = try Manifest.read(in: dir) else {
            throw CLIError("no sweep in \(dir.path): manifest.json is missing")
        }
        guard let entry = manifest.points.first(where: { $0.id == id }) else {
            throw CLIError("the sweep in \(dir.path) has no point \(id) (it has 0…\(manifest.points.count - 1))")
        }
        let threads = ProcessInfo.processInfo.environment["CMLAB_THREADS"].flatMap(Int.init) ?? self.threads
        let status = try PointRunner(dir: dir, manifest: manifest, executable: Self.executable, threads: threads).run(
            manifest.point(entry))
        if status.exit != 0 { throw ExitCode(status.exit) }
    }

    func showStatus(_ dir: URL) throws {
        guard var manifest = try Manifest.read(in: dir) else {
            throw CLIError("no sweep in \(dir.path): manifest.json is missing")
        }
        manifest.refresh(in: dir)
        // A Slurm sweep: each point's job and state in the queue (squeue) or accounting (sacct).
        var slurm: [Int: (job: String, state: String)]?
        if SlurmRecord.read(in: dir) != nil {
            let executor = SlurmExecutor(
                dir: dir, manifest: manifest, cmlab: Self.executable,
                options: .init(workingDirectory: dir))
            do { slurm = try executor.slurmStates() } catch {
                FileHandle.standardError.write(
                    Data("note: \(error); the states below are from the sweep folder only\n".utf8))
                slurm = [:]
            }
        }
        let extra = slurm == nil ? [] : ["slurm job", "slurm state"]
        print((["point"] + manifest.parameters + ["state"] + extra).joined(separator: "\t"))
        if let state = manifest.sharedState(in: dir) {
            let s = slurm.map { [$0[-1]?.job ?? "-", $0[-1]?.state ?? "-"] } ?? []
            print((["shared"] + manifest.parameters.map { _ in "" } + [state.rawValue] + s).joined(separator: "\t"))
        }
        for p in manifest.points {
            let s = slurm.map { [$0[p.id]?.job ?? "-", $0[p.id]?.state ?? "-"] } ?? []
            // A point back in the queue (resubmitted) shows that rather than its last run's end.
            var state = p.state.rawValue
            if let q = slurm?[p.id]?.state, p.state != .done {
                if ["PENDING", "CONFIGURING", "REQUEUED"].contains(q) { state = "queued" }
                if ["RUNNING", "COMPLETING"].contains(q) { state = "running" }
            }
            print(([String(p.id)] + p.values + [state] + s).joined(separator: "\t"))
        }
    }

    /// This `cmlab` executable, which the points run with.
    static var executable: URL {
        Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }
}

/// The sweep's progress on standard error: one self-erasing line on a terminal, else a
/// line whenever the counts change.
final class SweepProgressLine {
    private let tty = isatty(2) != 0
    private var last = ""

    func show(_ p: LocalExecutor.Progress) {
        let counts = "\(p.done) \(p.running) \(p.failed)"
        if tty {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(p.line)".utf8))
        } else if counts != last {
            FileHandle.standardError.write(Data("\(p.line)\n".utf8))
        }
        last = counts
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// `cmlab collect DIR`: one table of every point's saved tables.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Gather the tables (.csv) that a sweep's points saved into one table.",
        discussion: """
            Writes collected.csv, collected.json and collected.md into DIR: one row per row of each \
            point's tables, with the point's parameters as columns. With --by, also groups over the \
            other parameters (usually seeds): a column that differs within a group shows mean ± std. \
            Points that failed or have not run are listed, never dropped silently (exit status 1). \
            --metric M --against P also draws collected.png: column M against swept parameter P, one \
            line per row of the tables (and per value of the other --by parameters), averaged over the \
            remaining parameters with a band of ± std.
            """)

    @Argument(help: "The sweep folder.") var dir: String
    @Option(help: ArgumentHelp("Group by these parameters (comma-separated).", valueName: "name,…")) var by: String?
    @Option(help: ArgumentHelp("With --against: the column drawn in collected.png.", valueName: "M")) var metric:
        String?
    @Option(help: ArgumentHelp("With --metric: the swept parameter on the x axis.", valueName: "P")) var against:
        String?

    func run() throws {
        let url = URL(fileURLWithPath: dir)
        let byNames = (by ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        do {
            guard (metric == nil) == (against == nil) else {
                throw CLIError("--metric and --against go together: --metric M --against P")
            }
            let c = try Collected.collect(url, by: byNames)
            let figure = try metric.flatMap { m in
                try against.map { try CollectedFigure(c, metric: m, against: $0, by: byNames) }
            }
            for f in try c.write(to: url, figure: figure) { print(f.path) }
            for m in c.missing {
                FileHandle.standardError.write(
                    Data("missing: point \(m.id) (\(m.settings)): \(m.state.rawValue)\n".utf8))
            }
            if !c.missing.isEmpty { throw ExitCode(1) }
        } catch let e as SweepError { throw CLIError(e.description) }
    }
}
