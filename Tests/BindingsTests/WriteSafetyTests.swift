import Bindings
import Foundation
import Nets
import Notebook
import Script
import Tensors
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The domain wired to a session's hooks, as `cmlab run` does.
func bindingsSetUp(_ interpreter: Interpreter, _ hooks: SessionHooks) {
    installBindings(
        into: interpreter,
        context: BindingsContext(
            cancel: hooks.cancel, resolveWritePath: hooks.resolveWritePath, resolveReadPath: hooks.resolveReadPath,
            figureWritten: { url, figure in hooks.figureWritten(url, figure) }))
}

/// Issue 14, items 6 and 9: every output is written to a temporary file and renamed, so
/// a kill leaves the previous file whole, and links planted in the output folder are
/// replaced, never written through.
@Suite(.serialized) struct WriteSafetyTests {
    /// Every file under `dir` with its bytes (symlinks as their target text).
    func snapshot(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for name in (try? FileManager.default.subpathsOfDirectory(atPath: dir.path)) ?? [] {
            let p = dir.appendingPathComponent(name).path
            if let t = try? FileManager.default.destinationOfSymbolicLink(atPath: p) {
                out[name] = Data(("→" + t).utf8)
            } else if let d = FileManager.default.contents(atPath: p) {
                out[name] = d
            }
        }
        return out
    }

    @Test func aNotebookNeverWritesThroughPlantedLinks() throws {
        let dir = tempFolder("links")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outside = dir.appendingPathComponent("outside"), out = dir.appendingPathComponent("out")
        let allowed = dir.appendingPathComponent("allowed")
        for d in [outside, out, allowed] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        for (name, text) in [
            ("a.txt", "precious a"), ("b.txt", "precious b"), ("c.png", "precious c"), ("d.npy", "precious d"),
        ] {
            try Data(text.utf8).write(to: outside.appendingPathComponent(name))
        }
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: out.appendingPathComponent("nb.md").path,
            withDestinationPath: outside.appendingPathComponent("a.txt").path)
        try fm.linkItem(
            atPath: outside.appendingPathComponent("b.txt").path, toPath: out.appendingPathComponent("nb.html").path)
        try fm.createSymbolicLink(
            atPath: out.appendingPathComponent("cell1-figure1.png").path,
            withDestinationPath: outside.appendingPathComponent("c.png").path)
        try fm.linkItem(
            atPath: outside.appendingPathComponent("d.npy").path, toPath: out.appendingPathComponent("x.npy").path)
        try fm.createSymbolicLink(atPath: out.appendingPathComponent("figures").path, withDestinationPath: outside.path)
        let before = snapshot(outside)

        let file = dir.appendingPathComponent("nb.cml")
        try """
        # %%
        x = noise(50, seed: 1)
        plot(x)
        # %%
        save(x, "x.npy")
        plot(x, file: "\(allowed.path)/c.png")
        """.write(to: file, atomically: true, encoding: .utf8)
        var o = RunOptions()
        o.outputDirectory = out
        o.allowWrite = [allowed]
        let (run, _) = try NotebookRunner(setUp: bindingsSetUp).run(file: file, options: o)
        #expect(!run.failed)
        #expect(snapshot(outside) == before, "a file outside the output folder changed")
        // The links were replaced by the new files.
        #expect(
            String(decoding: fm.contents(atPath: out.appendingPathComponent("nb.md").path) ?? Data(), as: UTF8.self)
                .hasPrefix("# nb"))
        #expect((try? NPY.read(out.appendingPathComponent("x.npy")))?.shape == [50, 2])
    }

    @Test func aFailedWriteLeavesThePreviousFile() throws {
        let dir = tempFolder("atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("r.md")
        try AtomicFile.write(Data("old".utf8), to: url)
        struct Stop: Error {}
        #expect(throws: Stop.self) { try AtomicFile.write(Data("new".utf8), to: url) { throw Stop() } }
        #expect(FileManager.default.contents(atPath: url.path) == Data("old".utf8))
        // A temporary file left by a process that is gone is removed by the next write.
        let stale = dir.appendingPathComponent(".r.md.tmp-999999999-42")
        try Data(count: 1000).write(to: stale)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.contents(atPath: url.path) == Data("new".utf8))
    }

    /// kill -9 at seeded random moments of a run that writes reports, a figure, an
    /// array and a checkpoint: every file present afterwards is a whole one.
    @Test func killDuringWritesLeavesEveryFileWhole() throws {
        let cmlab = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "cmlab")
        guard FileManager.default.isExecutableFile(atPath: cmlab.path) else {
            Issue.record("\(cmlab.path) is missing: build the package (swift build -c release) before the tests")
            return
        }
        let dir = tempFolder("kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("nb.cml"), out = dir.appendingPathComponent("out")
        try """
        # %%
        x = noise(20000, seed: 1)
        save(x, "x.npy")
        t = learned(ring(), iters: 20, width: 16, depth: 1, batch: 64)
        save(t, "t.safetensors")
        plot(x, file: "x.png")
        for i in range(400) { print("line", i) }
        """.write(to: file, atomically: true, encoding: .utf8)
        func launch() throws -> Process {
            let p = Process()
            p.executableURL = cmlab
            p.arguments = ["run", file.path, "--out", out.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        let first = try launch()
        let start = Date()
        first.waitUntilExit()
        let full = Date().timeIntervalSince(start)
        #expect(first.terminationStatus == 0)
        func checkWhole(_ trial: Int) {
            func at(_ n: String) -> URL { out.appendingPathComponent(n) }
            let md = String(decoding: FileManager.default.contents(atPath: at("nb.md").path) ?? Data(), as: UTF8.self)
            #expect(md.contains("line 399"), "trial \(trial): nb.md is not whole")
            let html = String(
                decoding: FileManager.default.contents(atPath: at("nb.html").path) ?? Data(), as: UTF8.self)
            #expect(html.contains("line 399") && html.contains("</html>"), "trial \(trial): nb.html is not whole")
            let ipynb = FileManager.default.contents(atPath: at("nb.ipynb").path) ?? Data()
            #expect((try? JSONSerialization.jsonObject(with: ipynb)) != nil, "trial \(trial): nb.ipynb is not JSON")
            #expect((try? NPY.read(at("x.npy")))?.shape == [20000, 2], "trial \(trial): x.npy")
            #expect((try? SafeTensors.read(at("t.safetensors").path)) != nil, "trial \(trial): t.safetensors")
            let png = [UInt8](FileManager.default.contents(atPath: at("x.png").path) ?? Data())
            #expect(
                png.count > 12 && Array(png.suffix(8)) == [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82],
                "trial \(trial): x.png has no IEND at its end")
        }
        checkWhole(0)
        let rng = RNG(seed: 14)
        for trial in 1...10 {
            let p = try launch()
            let delay = rng.uniform(at: UInt64(trial)) * full * 1.1
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            checkWhole(trial)
        }
        // A complete run afterwards removes what the killed runs left behind.
        let last = try launch()
        last.waitUntilExit()
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }
}
