import Foundation
import Notebook
import Testing

@Suite("Write sandbox")
struct NotebookSandboxTests {
    /// A fresh folder with `out/` (the report folder), `elsewhere/` and a symlink `out/link → elsewhere`.
    func makeTree() throws -> URL {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: base.appendingPathComponent("out"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: base.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: base.appendingPathComponent("out/link"),
            withDestinationURL: base.appendingPathComponent("elsewhere"))
        try FileManager.default.createSymbolicLink(
            at: base.appendingPathComponent("out/file-link.png"),
            withDestinationURL: base.appendingPathComponent("elsewhere/x.png"))
        return base
    }

    @Test func relativePathsResolveInsideAndCreateFolders() throws {
        let base = try makeTree()
        let policy = WritePolicy(root: base.appendingPathComponent("out"))
        let url = try policy.resolve("figs/a.png")
        #expect(url.path == base.appendingPathComponent("out/figs/a.png").standardizedFileURL.path)
        #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("out/figs").path))
        #expect(try policy.resolve("figs/../b.png").lastPathComponent == "b.png") // stays inside
    }

    @Test func dotDotAbsoluteAndSymlinkEscapesAreRefused() throws {
        let base = try makeTree()
        let policy = WritePolicy(root: base.appendingPathComponent("out"))
        for path in [
            "../x.png", "a/../../x.png", "/tmp/x.png", base.appendingPathComponent("elsewhere/y.png").path,
            "link/x.png", "file-link.png",
        ] {
            #expect(throws: (any Error).self, "\(path) should be refused") { try policy.resolve(path) }
        }
        do { _ = try policy.resolve("../x.png") } catch {
            #expect("\(error)".contains("refusing to write '../x.png'"))
            #expect("\(error)".contains("--allow-write"))
        }
        do { _ = try policy.resolve("link/x.png") } catch { #expect("\(error)".contains("symbolic link")) }
    }

    @Test func allowWriteCoversAPlace() throws {
        let base = try makeTree()
        let elsewhere = base.appendingPathComponent("elsewhere")
        let policy = WritePolicy(root: base.appendingPathComponent("out"), allowed: [elsewhere])
        #expect(
            try policy.resolve("../elsewhere/x.png").path
                == elsewhere.appendingPathComponent("x.png").standardizedFileURL.path)
        #expect(try policy.resolve(elsewhere.appendingPathComponent("sub/y.png").path).lastPathComponent == "y.png")
        #expect(try policy.resolve("link/z.png").lastPathComponent == "z.png")
        #expect(throws: (any Error).self) { try policy.resolve("../other/x.png") }
        // A sibling whose name merely starts the same is not covered.
        #expect(throws: (any Error).self) { try policy.resolve("../elsewhere2/x.png") }
    }

    @Test func unrestrictedAllowsAnything() throws {
        let base = try makeTree()
        let policy = WritePolicy(root: base.appendingPathComponent("out"), unrestricted: true)
        #expect(try policy.resolve("../x.png").lastPathComponent == "x.png")
    }
}
