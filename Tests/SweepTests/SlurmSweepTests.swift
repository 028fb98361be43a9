import Foundation
import Testing

@testable import Sweep

/// The sbatch arguments and script, without a cluster.
@Suite("Slurm script")
struct SlurmScriptTests {
    @Test func arraySpecIsRangesOfThePointIdsWithTheThrottle() {
        #expect(SlurmScript.arraySpec([3, 0, 1, 2, 7, 9, 10]) == "0-3,7,9-10")
        #expect(SlurmScript.arraySpec([5], throttle: 2) == "5%2")
        #expect(SlurmScript.arraySpec([0, 2, 4]) == "0,2,4")
    }

    @Test func argumentsCarryLogsThreadsDependencyAndPassThroughFlags() throws {
        let dir = URL(fileURLWithPath: "/x/sw")
        let o = SlurmScript.Options(
            throttle: 3, sbatchOptions: ["--time=0:10:00", "--mem=1G"], threads: 2,
            workingDirectory: URL(fileURLWithPath: "/x"))
        let args = SlurmScript.arrayArguments([0, 1, 2, 3], dir: dir, name: "nb", options: o, dependency: "41")
        #expect(args.contains("--array=0-3%3") && args.contains("--output=/x/sw/logs/slurm-%A_%a.out"))
        #expect(args.contains("--cpus-per-task=2") && args.contains("--dependency=afterok:41"))
        #expect(Array(args.suffix(2)) == ["--time=0:10:00", "--mem=1G"])
        let script = SlurmScript.script(
            cmlab: URL(fileURLWithPath: "/bin/cmlab"), dir: dir, shared: false, threads: 2, sbatchArguments: args)
        #expect(
            script.contains("export CMLAB_THREADS=2")
                && script.contains("sweep --point \"$SLURM_ARRAY_TASK_ID\" --out '/x/sw'"))
    }

    @Test func badOptionsAreRefused() {
        let here = URL(fileURLWithPath: "/x")
        #expect(throws: SweepError.self) { try SlurmScript.Options(throttle: 0, workingDirectory: here).check() }
        #expect(throws: SweepError.self) {
            try SlurmScript.Options(sbatchOptions: ["time=5"], workingDirectory: here).check()
        }
        #expect(throws: SweepError.self) {
            try SlurmScript.Options(sbatchOptions: ["--array=0-9"], workingDirectory: here).check()
        }
        #expect(throws: SweepError.self) {
            try SlurmScript.Options(sbatchOptions: ["--time=5\n#SBATCH -x"], workingDirectory: here).check()
        }
    }
}

/// `sbatch` missing or failing: a clear error, and the earlier results stay as they were.
/// Needs no cluster (the failing sbatch is a stand-in script).
@Suite("Slurm submission errors", .serialized)
struct SlurmSubmissionErrorTests {
    let e2e = SweepEndToEndTests()

    @Test func sbatchMissingOrFailingLeavesEarlierResultsIntact() throws {
        let dir = try e2e.folder("sbatch-errors")
        let flag = dir.appendingPathComponent("flag").path
        let args = ["sweep", "nb.cml", "-p", "seed=0,3", "-p", "flag=\"\(flag)\"", "--out", "sw"]
        let (code, err) = try e2e.cmlab(args + ["--jobs", "2"], in: dir)
        #expect(code == 1 && err.contains("point 1 failed"), "\(err)")
        let sw = dir.appendingPathComponent("sw")
        let files = [
            "manifest.json", "manifest.csv", "points/0000/status.json", "points/0001/status.json",
            "points/0000/first.csv",
        ]
        let before = try files.map { try Data(contentsOf: sw.appendingPathComponent($0)) }

        let empty = dir.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let (c1, e1) = try e2e.cmlab(args + ["--slurm"], in: dir, environment: ["PATH": empty.path])
        #expect(c1 != 0 && e1.contains("sbatch is not on PATH") && e1.contains("nothing was submitted"), "\(e1)")

        let fake = dir.appendingPathComponent("fake-bin")
        try FileManager.default.createDirectory(at: fake, withIntermediateDirectories: true)
        let sbatch = fake.appendingPathComponent("sbatch")
        try
            "#!/bin/sh\necho 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n"
            .write(to: sbatch, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sbatch.path)
        let (c2, e2) = try e2e.cmlab(args + ["--slurm"], in: dir, environment: ["PATH": fake.path + ":/usr/bin:/bin"])
        #expect(c2 != 0 && e2.contains("sbatch failed") && e2.contains("Invalid partition name"), "\(e2)")

        #expect(try files.map { try Data(contentsOf: sw.appendingPathComponent($0)) } == before)
        #expect(!FileManager.default.fileExists(atPath: sw.appendingPathComponent("slurm.json").path))
        // A new folder whose first submission failed is not left behind half made.
        let (c3, _) = try e2e.cmlab(
            ["sweep", "nb.cml", "-p", "seed=0,1", "--out", "sw-new", "--slurm"], in: dir,
            environment: ["PATH": empty.path])
        #expect(c3 != 0 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("sw-new").path))
    }
}

/// A Slurm cluster to submit to: `SLURM_CONF` when set (scripts/test.sh starts the local
/// one-node cluster and sets it), else one that already answers `sinfo`. The tests do not start
/// daemons themselves: a cluster they started would outlive them.
enum SlurmCluster {
    static let sbatchFound = Command.find("sbatch") != nil

    /// The environment of the cluster's commands, or why there is none.
    static let environment: Result<[String: String], SweepError> = {
        if ProcessInfo.processInfo.environment["SLURM_CONF"] != nil { return .success([:]) }
        if let sinfo = Command.find("sinfo"), let r = try? sinfo.run(["-h"]), r.status == 0 { return .success([:]) }
        return .failure(
            SweepError(
                "sbatch is on PATH but no cluster answers: start one with "
                    + "eval \"$(bash scripts/slurm-local.sh start)\" (scripts/test.sh does)"))
    }()
}

/// End to end through `sbatch` on a real (by default the local one-node) Slurm.
@Suite(
    "Sweep on Slurm", .serialized,
    .enabled(
        if: SlurmCluster.sbatchFound,
        "sbatch is not on PATH: the Slurm sweep tests need Slurm (bash scripts/slurm-local.sh start installs and starts a one-node cluster)"
    ))
struct SlurmSweepTests {
    let e2e = SweepEndToEndTests()

    /// Runs a program in the cluster's environment; its exit status and standard output.
    func output(_ program: String, _ args: [String], in dir: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(try SlurmCluster.environment.get()) { _, new in new
        }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func slurm(_ args: [String], in dir: URL) throws -> (Int32, String) {
        let env = try SlurmCluster.environment.get()
        return try e2e.cmlab(args, in: dir, environment: env)
    }

    /// The 4-point sweep of the local test, as a throttled job array: same collected numbers.
    @Test func slurmSweepCollectsTheNumbersOfTheLocalRun() throws {
        let dir = try e2e.folder("slurm")
        let grid = ["nb.cml", "-p", "seed=0..1", "-p", "scale=1,2.5"]
        let (c0, e0) = try e2e.cmlab(["sweep"] + grid + ["--jobs", "2", "--out", "local"], in: dir)
        #expect(c0 == 0, "\(e0)")
        let (c1, e1) = try slurm(
            ["sweep"] + grid + [
                "--out", "slurm", "--slurm", "--throttle", "2", "--wait",
                "--slurm-opt=--time=0:10:00",
            ], in: dir)
        #expect(c1 == 0, "\(e1)")
        let local = try Collected.collect(dir.appendingPathComponent("local"))
        let remote = try Collected.collect(dir.appendingPathComponent("slurm"))
        #expect(remote.missing.isEmpty && remote.rows.count == 12)
        #expect(remote.columns == local.columns && remote.rows == local.rows)

        let sw = dir.appendingPathComponent("slurm")
        let record = try #require(SlurmRecord.read(in: sw))
        #expect(record.submissions.count == 1 && record.submissions[0].points == [0, 1, 2, 3])
        let job = record.submissions[0].job
        for id in 0..<4 {
            #expect(
                FileManager.default.fileExists(atPath: sw.appendingPathComponent("logs/slurm-\(job)_\(id).out").path),
                "task \(id) log")
        }
        let script = try String(contentsOf: sw.appendingPathComponent("slurm/array-1.sh"), encoding: .utf8)
        #expect(script.contains("'--array=0-3%2'") && script.contains("'--time=0:10:00'"))
        // Resubmitting a finished sweep submits nothing.
        let (c2, _) = try slurm(["sweep"] + grid + ["--out", "slurm", "--slurm", "--wait"], in: dir)
        #expect(c2 == 0 && SlurmRecord.read(in: sw)?.submissions.count == 1)
    }

    /// A failed task is reported; the rerun resubmits only it, after a shared step it depends on.
    @Test func failedPointIsReportedAndOnlyItIsResubmitted() throws {
        let dir = try e2e.folder("slurm-fail")
        let flag = dir.appendingPathComponent("flag").path
        // The points need the shared step's file, so they must run after it (afterok).
        try """
        # %% tags=["parameters"]
        seed = 0
        flag = ""
        shared = ""

        # %%
        if not exists(shared) { x = shared_step_has_not_run }
        if seed == 3 and not exists(flag) { x = no_such_name }
        save(noise(3, dims: 2, seed: seed), "first.csv")

        """.write(to: dir.appendingPathComponent("needs.cml"), atomically: true, encoding: .utf8)
        try "# %%\nsave(noise(2, dims: 2, seed: 9), \"teacher.csv\")\n"
            .write(to: dir.appendingPathComponent("teach.cml"), atomically: true, encoding: .utf8)
        let sw = dir.appendingPathComponent("sw")
        let teacher = sw.appendingPathComponent("shared/teacher.csv").path
        let args = [
            "sweep", "needs.cml", "-p", "seed=0,3", "-p", "flag=\"\(flag)\"", "-p", "shared=\"\(teacher)\"",
            "--shared", "teach.cml", "--out", "sw", "--slurm", "--wait",
        ]
        let (c1, e1) = try slurm(args, in: dir)
        #expect(c1 == 1 && e1.contains("point 1 failed"), "\(e1)")
        let record = try #require(SlurmRecord.read(in: sw))
        let shared = try #require(record.submissions.first?.shared)
        let script = try String(contentsOf: sw.appendingPathComponent("slurm/array-1.sh"), encoding: .utf8)
        #expect(script.contains("'--dependency=afterok:\(shared)'"))
        #expect(try Manifest.read(in: sw)?.points.map(\.state) == [.done, .failed])
        let done = try #require(PointStatus.read(sw.appendingPathComponent("points/0000")))

        // Resubmitted on hold: --status shows the point queued; a rerun does not submit it again.
        _ = FileManager.default.createFile(atPath: flag, contents: Data())
        let (c2, e2) = try slurm(Array(args.dropLast()) + ["--slurm-opt=--hold"], in: dir)
        #expect(c2 == 0, "\(e2)")
        let held = try #require(SlurmRecord.read(in: sw)?.submissions.last?.job)
        let (_, status) = try output(SweepEndToEndTests.cmlab.path, ["sweep", "--status", "sw"], in: dir)
        #expect(status.contains("1\t3\t\"\(flag)\"\t\"\(teacher)\"\tqueued\t\(held)_1\tPENDING"), "\(status)")
        let (rc, rel) = try output("/usr/bin/env", ["scontrol", "release", held], in: dir)
        #expect(rc == 0, "\(rel)")
        let (c3, e3) = try slurm(args, in: dir)
        #expect(c3 == 0, "\(e3)")
        let again = try #require(SlurmRecord.read(in: sw))
        #expect(
            again.submissions.count == 2 && again.submissions[1].points == [1] && again.submissions[1].shared == nil)
        #expect(PointStatus.read(sw.appendingPathComponent("points/0000")) == done) // not redone
        #expect(try Manifest.read(in: sw)?.points.map(\.state) == [.done, .done])
    }
}

/// `collect --metric M --against P`: the figure's numbers from a table built by hand.
@Suite("Collected figure")
struct CollectedFigureTests {
    /// mu ∈ {0, 0.9} × seed ∈ {0, 1}; each point's table has a teacher row and a CM row.
    static let collected: Collected = {
        var rows: [[String]] = []
        var point = 0
        for mu in ["0", "0.9"] {
            for seed in ["0", "1"] {
                let cm = Double(mu)! * 10 + Double(seed)! * 2 // 0, 2 at mu 0; 9, 11 at mu 0.9
                rows.append([String(point), mu, seed, "t", "0", "teacher", "—", "-1"])
                rows.append([String(point), mu, seed, "t", "1", "CM", "1", String(cm)])
                point += 1
            }
        }
        return Collected(
            missing: [], parameters: ["mu", "seed"],
            columns: ["point", "mu", "seed", "table", "row", "model", "steps", "nll"],
            rows: rows, grouped: nil)
    }()

    @Test func linesAreRowsMeanAndStdOverTheOtherParameters() throws {
        let f = try CollectedFigure(Self.collected, metric: "nll", against: "mu", by: [])
        #expect(f.series.map(\.label) == ["teacher", "CM steps=1"])
        #expect(f.series[0].x == [0, 0.9] && f.series[0].mean == [-1, -1] && f.series[0].std == [0, 0])
        let cm = f.series[1]
        #expect(cm.mean == [1, 10] && cm.n == [2, 2])
        #expect(cm.std == [1, 1]) // population std of {0, 2} and {9, 11}
        // --by seed keeps the seeds apart: one line per row and seed, no spread.
        let bySeed = try CollectedFigure(Self.collected, metric: "nll", against: "mu", by: ["seed"])
        #expect(bySeed.series.count == 4 && bySeed.series.allSatisfy { $0.std == [0, 0] })
        #expect(bySeed.series.map(\.label).contains("seed=1 CM steps=1"))
    }

    @Test func badMetricOrParameterIsAClearError() {
        #expect(throws: SweepError.self) { try CollectedFigure(Self.collected, metric: "nl", against: "mu", by: []) }
        #expect(throws: SweepError.self) {
            try CollectedFigure(Self.collected, metric: "nll", against: "model", by: [])
        }
    }

    @Test func writesThePNGAndItsTable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-figure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let f = try CollectedFigure(Self.collected, metric: "nll", against: "mu", by: [])
        let files = try Self.collected.write(to: dir, figure: f)
        let png = try Data(contentsOf: dir.appendingPathComponent("collected.png"))
        #expect(files.count == 4 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let md = try String(contentsOf: dir.appendingPathComponent("collected.md"), encoding: .utf8)
        #expect(md.contains("![nll against mu](collected.png)") && md.contains("| CM steps=1 | 0.9 | 10 | 1 | 2 |"))
    }
}
