import Bindings
import Foundation
import Notebook
import Script
import Tensors
import Testing

/// Issue 14, items 4, 5, 8 and 12: files a user loads or runs give the right result or a
/// clear error, never a silent wrong one.
@Suite(.serialized) struct HostileFileTests {
    @Test func jsonKeepsZeroAndOneAsNumbers() throws {
        let dir = tempFolder("json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, out) = session(dir)
        let r = i.run(
            """
            save({iters: 1, seed: 0, on: true, off: false, x: 2.5}, "c.json")
            print(load("c.json"))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        #expect(out() == ["{iters: 1, off: false, on: true, seed: 0, x: 2.5}"])
    }

    @Test func jsonLimits() throws {
        let dir = tempFolder("jsonlimits")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, _) = session(dir)
        let r = i.run(#"save(range(10000005), "r.json")"#)
        #expect(r.errors.first?.message.contains("10000005") == true, "\(r.renderedErrors)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.json").path))
        // Nesting deeper than the language allows, and more items than the list limit.
        try Data((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)
            .write(to: dir.appendingPathComponent("deep.json"))
        let d = i.run(#"x = load("deep.json")"#)
        #expect(d.errors.first?.message.contains("nested more than") == true, "\(d.renderedErrors)")
        i.limits.maxListItems = 1000
        try Data(("[" + (0..<2000).map(String.init).joined(separator: ",") + "]").utf8)
            .write(to: dir.appendingPathComponent("long.json"))
        let l = i.run(#"x = load("long.json")"#)
        #expect(l.errors.first?.span?.column == 10, "\(l.renderedErrors)")
        #expect(!l.succeeded)
    }

    @Test func csvHeaderOnlyWhenItHoldsNoNumber() throws {
        let dir = tempFolder("csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, out) = session(dir)
        try "x,y\n1,2\n3,4\n".write(to: dir.appendingPathComponent("h.csv"), atomically: true, encoding: .utf8)
        try "1,oops\n1,2\n".write(to: dir.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
        // A header row makes a table (its columns by name); numbers alone make a tensor.
        #expect(i.run(#"h = load("h.csv")"# + "\n" + "print(h.columns, h.y)").succeeded)
        #expect(out() == ["[\"x\", \"y\"] tensor([2, 4])"])
        let m = i.run(#"x = load("m.csv")"#)
        #expect(m.errors.first?.message.contains("not a number") == true, "\(m.renderedErrors)")
    }

    @Test func npyAboveTheLimitIsRefusedByLoad() throws {
        let dir = tempFolder("npy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, _) = session(dir)
        try NPY.write(
            shape: [50, 2], values: Array(repeating: 0, count: 100), dtype: .float32,
            to: dir.appendingPathComponent("a.npy"))
        i.limits.maxElements = 99
        let r = i.run(#"x = load("a.npy")"#)
        #expect(r.errors.first?.message.contains("too large") == true, "\(r.renderedErrors)")
    }

    @Test(arguments: ["\r\n", "\r"])
    func notebookLineEndings(_ eol: String) throws {
        let text = ["# %%", "x = 1", "print(\"hello\")", "# %% [markdown]", "# Prose", "# %%", "x + 1"].joined(
            separator: eol)
        let nb = PercentFormat.parse(text + eol)
        #expect(nb.cells.map(\.source) == ["x = 1\nprint(\"hello\")", "Prose", "x + 1"])
    }

    @Test func aNotebookWithoutCellsIsAnError() throws {
        let dir = tempFolder("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("e.cml")
        try "# %%\n\n# %%\n".write(to: file, atomically: true, encoding: .utf8)
        var o = RunOptions()
        o.outputDirectory = dir.appendingPathComponent("out")
        #expect(throws: NotebookError.self) { try NotebookRunner(setUp: stubSetUp).run(file: file, options: o) }
    }
}
