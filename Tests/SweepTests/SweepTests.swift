import Foundation
import Notebook
import Sweep
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The grid, without running anything.
@Suite("Sweep grid")
struct SweepGridTests {
    @Test func cartesianProductWithTheFirstAxisSlowest() throws {
        let axes = try Grid.axes(["mu=0,0.95", "seed=0..2"])
        let points = try Grid.expand(axes, zip: false)
        #expect(points.count == 6)
        #expect(
            points.map { $0.settings.map(\.value.source).joined(separator: " ") }
                == ["0 0", "0 1", "0 2", "0.95 0", "0.95 1", "0.95 2"])
        #expect(points[4].runArguments == ["-p", "mu=0.95", "-p", "seed=1"])
    }

    @Test func zipPairsValuesOfEqualLength() throws {
        let points = try Grid.expand(try Grid.axes(["a=1,2", "b=[x],\"y z\""]), zip: true)
        #expect(points.map(\.runArguments) == [["-p", "a=1", "-p", "b=[\"x\"]"], ["-p", "a=2", "-p", "b=\"y z\""]])
        #expect(throws: SweepError.self) { try Grid.expand(try Grid.axes(["a=1,2", "b=1"]), zip: true) }
    }

    @Test func badGridsAreClearErrors() {
        #expect(throws: SweepError.self) { try Grid.expand([], zip: false) }
        #expect(throws: SweepError.self) { try Grid.axes(["seed"]) }
        #expect(throws: SweepError.self) { try Grid.axes(["seed=1,,2"]) }
        #expect(throws: SweepError.self) { try Grid.axes(["seed=print(1)"]) }
        #expect(throws: SweepError.self) { try Grid.axes(["seed=1", "seed=2"]) }
        #expect(throws: SweepError.self) { try Grid.expand(try Grid.axes(["a=0..999", "b=0..999"]), zip: false) }
    }
}

/// End to end: sweeps run by the `cmlab` executable the package builds.
@Suite("Sweep end to end", .serialized)
struct SweepEndToEndTests {
    static let notebook = """
        # %% tags=["parameters"]
        seed = 0
        scale = 1
        flag = ""

        # %%
        if seed == 3 and not exists(flag) { x = no_such_name }
        if seed == 2 and flag != "" { while not exists(flag) { y = 1 } }
        z = noise(500, dims: 2, seed: seed) * scale
        save(z[0:3], "first.csv")

        """

    /// `.build/release/cmlab` beside these sources (swift test builds it with the tests).
    static var cmlab: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/release/cmlab")
    }

    func folder(_ tag: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cmlab-sweep-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Self.notebook.write(to: url.appendingPathComponent("nb.cml"), atomically: true, encoding: .utf8)
        return url
    }

    /// Runs cmlab with `args`; returns the exit status and standard error.
    @discardableResult
    func cmlab(
        _ args: [String], in dir: URL, environment: [String: String] = [:],
        interruptWhen: (() -> Bool)? = nil
    ) throws -> (Int32, String) {
        #expect(
            FileManager.default.isExecutableFile(atPath: Self.cmlab.path), "build cmlab first: swift build -c release")
        let p = Process()
        p.executableURL = Self.cmlab
        p.arguments = args
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        // The test's thread blocks SIGINT (a Dispatch worker); unblock it so cmlab inherits none blocked.
        var set = sigset_t(), old = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        try p.run()
        if let interruptWhen {
            let deadline = Date().addingTimeInterval(60)
            while !interruptWhen() && Date() < deadline && p.isRunning { usleep(50_000) }
            p.interrupt()
        }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func rows(_ csv: URL) throws -> [[Double]] {
        try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",").compactMap { Double($0) }
        }
    }

    /// A 4-point sweep with 2 jobs collects to the numbers of the same points run one by one.
    @Test func localSweepEqualsThePointsRunOneByOne() throws {
        let dir = try folder("local")
        let (code, err) = try cmlab(
            ["sweep", "nb.cml", "-p", "seed=0..1", "-p", "scale=1,2.5", "--jobs", "2", "--out", "sw"], in: dir)
        #expect(code == 0, "\(err)")
        let (c2, err2) = try cmlab(["collect", "sw", "--by", "scale", "--metric", "c0", "--against", "scale"], in: dir)
        #expect(c2 == 0, "\(err2)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("sw/collected.png").path))
        let (c3, err3) = try cmlab(["collect", "sw", "--metric", "c9", "--against", "scale"], in: dir)
        #expect(c3 != 0 && err3.contains("--metric c9: no such column"), "\(err3)")
        let collected = try Collected.collect(dir.appendingPathComponent("sw"))
        #expect(collected.rows.count == 12 && collected.missing.isEmpty)
        let col = { (name: String) in collected.columns.firstIndex(of: name) ?? -1 }
        for (seed, scale) in [(0, "1"), (0, "2.5"), (1, "1"), (1, "2.5")] {
            let single = dir.appendingPathComponent("single-\(seed)-\(scale)")
            let (c, e) = try cmlab(
                ["run", "nb.cml", "--out", single.path, "-p", "seed=\(seed)", "-p", "scale=\(scale)"], in: dir)
            #expect(c == 0, "\(e)")
            let expected = try rows(single.appendingPathComponent("first.csv"))
            let got = collected.rows.filter { $0[col("seed")] == "\(seed)" && $0[col("scale")] == scale }
                .map { [Double($0[col("c0")]) ?? .nan, Double($0[col("c1")]) ?? .nan] }
            #expect(got == expected, "seed \(seed) scale \(scale)")
        }
        for f in ["collected.csv", "collected.json", "collected.md", "manifest.json", "manifest.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("sw/\(f)").path), "\(f)")
        }
        // Grouped by scale over seeds: 2 scales × 3 rows, each of 2 points.
        let grouped = try #require(try Collected.collect(dir.appendingPathComponent("sw"), by: ["scale"]).grouped)
        #expect(grouped.rows.count == 6 && grouped.rows.allSatisfy { $0.last == "2" })
    }

    /// A failed point is reported; after the cause is gone a rerun runs only that point.
    @Test func failedPointIsReportedAndRerunOnResume() throws {
        let dir = try folder("fail")
        let flag = dir.appendingPathComponent("flag").path
        let args = ["sweep", "nb.cml", "-p", "seed=0,3", "-p", "flag=\"\(flag)\"", "--jobs", "2", "--out", "sw"]
        let (code, err) = try cmlab(args, in: dir)
        #expect(code == 1 && err.contains("point 1 failed"), "\(err)")
        let (cc, cerr) = try cmlab(["collect", "sw"], in: dir)
        #expect(cc == 1 && cerr.contains("missing: point 1 (seed=3"), "\(cerr)")
        let sw = dir.appendingPathComponent("sw")
        let before = try #require(PointStatus.read(sw.appendingPathComponent("points/0000")))
        _ = FileManager.default.createFile(atPath: flag, contents: Data())
        let (code2, err2) = try cmlab(args, in: dir)
        #expect(code2 == 0, "\(err2)")
        #expect(PointStatus.read(sw.appendingPathComponent("points/0000")) == before) // not redone
        #expect(try Manifest.read(in: sw)?.points.map(\.state) == [.done, .done])
    }

    /// Ctrl-C while point 2 trains: the finished points stay done and are not redone on resume.
    @Test func interruptedSweepResumesWithoutRedoingFinishedPoints() throws {
        let dir = try folder("interrupt")
        try """
        # %% tags=["parameters"]
        seed = 0
        flag = ""

        # %%
        if seed == 2 and not exists(flag) {
            student = distill(exact(ring()), heun(karras(n: 18)), objective: "cm", iters: 1000000, seed: 0)
        }
        save(noise(3, dims: 2, seed: seed), "first.csv")

        """.write(to: dir.appendingPathComponent("long.cml"), atomically: true, encoding: .utf8)
        let flag = dir.appendingPathComponent("flag").path
        let sw = dir.appendingPathComponent("sw")
        let args = ["sweep", "long.cml", "-p", "seed=0..3", "-p", "flag=\"\(flag)\"", "--jobs", "1", "--out", "sw"]
        let started = Date()
        let (code, err) = try cmlab(
            args, in: dir,
            interruptWhen: {
                FileManager.default.fileExists(atPath: sw.appendingPathComponent("points/0001/status.json").path)
                    && FileManager.default.fileExists(atPath: sw.appendingPathComponent("logs/0002.log").path)
            })
        #expect(code == 130, "\(err)")
        #expect(Date().timeIntervalSince(started) < 50, "the interrupt stopped the sweep")
        #expect(try Manifest.read(in: sw)?.points.map(\.state) == [.done, .done, .interrupted, .pending])
        // The point got the Ctrl-C (not a SIGKILL after the grace period): it wrote the report of what ran.
        #expect(FileManager.default.fileExists(atPath: sw.appendingPathComponent("points/0002/long.md").path))
        let finished = try (0..<2).map { try #require(PointStatus.read(sw.appendingPathComponent("points/000\($0)"))) }

        _ = FileManager.default.createFile(atPath: flag, contents: Data())
        let (code2, err2) = try cmlab(args, in: dir)
        #expect(code2 == 0, "\(err2)")
        // Not redone:
        #expect((0..<2).map { PointStatus.read(sw.appendingPathComponent("points/000\($0)")) } == finished)
        #expect(try Manifest.read(in: sw)?.points.map(\.state) == [.done, .done, .done, .done])
    }

    /// Bad input fails before anything runs and leaves earlier results as they were.
    @Test func badInputIsAClearErrorAndKeepsEarlierResults() throws {
        let dir = try folder("bad")
        let (code, err) = try cmlab(["sweep", "nb.cml", "-p", "seed=0,1", "--out", "sw"], in: dir)
        #expect(code == 0, "\(err)")
        let manifest = try Data(contentsOf: dir.appendingPathComponent("sw/manifest.json"))
        let (c1, e1) = try cmlab(["sweep", "nb.cml", "-p", "sed=0,1", "--out", "sw"], in: dir)
        #expect(c1 != 0 && e1.contains("unknown parameter 'sed'"), "\(e1)")
        let (c2, e2) = try cmlab(["sweep", "nb.cml", "-p", "seed=0,1,2", "--out", "sw"], in: dir)
        #expect(c2 != 0 && e2.contains("holds another sweep"), "\(e2)")
        try "# %%\nx = 1\n".write(to: dir.appendingPathComponent("plain.cml"), atomically: true, encoding: .utf8)
        let (c3, e3) = try cmlab(["sweep", "plain.cml", "-p", "x=1,2", "--out", "sw2"], in: dir)
        #expect(c3 != 0 && e3.contains("no parameters cell"), "\(e3)")
        let (c4, e4) = try cmlab(["sweep", "nb.cml", "-p", "seed=\"a", "--out", "sw3"], in: dir)
        #expect(c4 != 0 && e4.contains("unterminated string"), "\(e4)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("sw/manifest.json")) == manifest)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("sw2").path))
    }
}
