import Foundation
import Notebook
import Script
import Testing

/// A 1 × 1 PNG, what the stub plot writes.
let tinyPNG = Data(
    base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!

/// The session set-up the tests use in place of Bindings: `fake_plot(file)` writes a
/// PNG through the sandbox and reports it, as Bindings' plots will.
func stubSetUp(_ interpreter: Interpreter, _ hooks: SessionHooks) {
    interpreter.registry.register(name: "fake_plot", doc: "Writes a tiny PNG.", parameters: [.optional("file")]) {
        args in
        let url: URL
        if case .string(let p) = args["file"] {
            url = try hooks.resolveWritePath(p)
        } else {
            url = hooks.newFigureURL("png")
        }
        try tinyPNG.write(to: url)
        hooks.figureWritten(url, nil)
        return .none
    }
}

func tempFolder(_ tag: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("Notebook runner")
struct NotebookRunnerTests {
    let notebook = """
        # %% [markdown]
        # # Squares
        # Prose with **bold**.

        # %% tags=["parameters"]
        n = 3

        # %%
        xs = []
        for i in range(n) { xs = xs + [i * i] }
        print("squares", xs)
        len(xs)

        # %%
        fake_plot("sq.png")
        fake_plot()

        """

    func runNotebook(
        _ text: String, name: String = "nb", options: RunOptions = RunOptions()
    ) throws -> (NotebookRun, [URL], URL) {
        let dir = tempFolder("run")
        let file = dir.appendingPathComponent("\(name).cml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        var o = options
        o.outputDirectory = dir.appendingPathComponent("out")
        let (run, reports) = try NotebookRunner(setUp: stubSetUp).run(file: file, options: o)
        return (run, reports, dir.appendingPathComponent("out"))
    }

    @Test func writesThreeReportsWithOutputsAndFigures() throws {
        var o = RunOptions()
        o.parameters = [("n", "4")]
        let (run, reports, out) = try runNotebook(notebook, options: o)
        #expect(!run.failed)
        #expect(reports.map(\.lastPathComponent) == ["nb.md", "nb.html", "nb.ipynb"])
        let code = run.cells.filter { $0.cell.kind == .code }
        #expect(code.map(\.executionCount) == [1, 2, 3])
        #expect(code[0].cell.source == "n = 4")
        #expect(code[1].outputs == [.stream("squares [0, 1, 4, 9]"), .result("4")])
        #expect(code[2].outputs.count == 2)
        guard case .figure(let f) = code[2].outputs[0], case .figure(let g) = code[2].outputs[1] else {
            Issue.record("expected two figures"); return
        }
        #expect(f.relativePath == "sq.png" && f.data == tinyPNG)
        #expect(g.relativePath == "cell3-figure1.png")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("sq.png").path))

        let md = try String(contentsOf: reports[0], encoding: .utf8)
        #expect(md.contains("```cmlab\nxs = []"))
        #expect(md.contains("squares [0, 1, 4, 9]"))
        #expect(md.contains("Out[2]: 4"))
        #expect(md.contains("![sq.png](sq.png)"))
        #expect(md.contains("parameters n = 4"))
        let html = try String(contentsOf: reports[1], encoding: .utf8)
        #expect(html.contains("<h1>Squares</h1>"))
        #expect(html.contains("<strong>bold</strong>"))
        #expect(html.contains("data:image/png;base64,\(tinyPNG.base64EncodedString())"))
        #expect(html.contains("print(&quot;squares&quot;, xs)"))
    }

    @Test func ipynbHasTheNbformatStructure() throws {
        let (_, reports, _) = try runNotebook(notebook)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports[2])) as! [String: Any]
        #expect(json["nbformat"] as? Int == 4 && json["nbformat_minor"] as? Int == 5)
        let meta = json["metadata"] as! [String: Any]
        #expect((meta["kernelspec"] as! [String: Any])["name"] as? String == "cmlab")
        #expect((meta["language_info"] as! [String: Any])["name"] as? String == "cmlab")
        let cells = json["cells"] as! [[String: Any]]
        #expect(cells.map { $0["cell_type"] as! String } == ["markdown", "code", "code", "code"])
        #expect(Set(cells.map { $0["id"] as! String }).count == 4)
        #expect(cells[0]["source"] as! [String] == ["# Squares\n", "Prose with **bold**."])
        #expect((cells[1]["metadata"] as! [String: Any])["tags"] as? [String] == ["parameters"])
        let outputs = cells[2]["outputs"] as! [[String: Any]]
        #expect(cells[2]["execution_count"] as? Int == 2)
        #expect(outputs.map { $0["output_type"] as! String } == ["stream", "execute_result"])
        #expect(outputs[0]["name"] as? String == "stdout")
        #expect(outputs[0]["text"] as! [String] == ["squares [0, 1, 4]\n"])
        #expect((outputs[1]["data"] as! [String: Any])["text/plain"] as! [String] == ["3"])
        let figure = (cells[3]["outputs"] as! [[String: Any]])[0]
        #expect(figure["output_type"] as? String == "display_data")
        #expect((figure["data"] as! [String: Any])["image/png"] as? String == tinyPNG.base64EncodedString())
    }

    let failing = """
        # %%
        a = 1

        # %%
        b = 2
        c = a + nope

        # %%
        print("after")

        """

    @Test func stopsAtTheFirstErrorWithCellLineAndColumn() throws {
        let (run, reports, _) = try runNotebook(failing, name: "bad")
        #expect(run.failed)
        #expect(
            run.failures == ["bad.cml:6:9: cell 2, line 2, column 9: unknown name 'nope'"]
                || run.failures.first?.hasPrefix("bad.cml:6:9: cell 2, line 2, column 9: unknown name 'nope'") == true)
        #expect(run.cells.map(\.status) == [.ran, .failed, .skipped])
        guard case .error(let e)? = run.cells[1].outputs.last else { Issue.record("no error output"); return }
        #expect(e.hasPrefix("error: 2:9:") && e.contains("c = a + nope") && e.contains("^"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reports[2])) as! [String: Any]
        let cells = json["cells"] as! [[String: Any]]
        #expect((cells[1]["outputs"] as! [[String: Any]])[0]["output_type"] as? String == "error")
        #expect(cells[2]["execution_count"] is NSNull)
        #expect(try String(contentsOf: reports[0], encoding: .utf8).contains("not run"))
    }

    @Test func keepGoingRunsTheRest() throws {
        var o = RunOptions()
        o.keepGoing = true
        let (run, _, _) = try runNotebook(failing, options: o)
        #expect(run.failed)
        #expect(run.cells.map(\.status) == [.ran, .failed, .ran])
        #expect(run.cells[2].outputs == [.stream("after")])
        #expect(run.cells[2].executionCount == 3)
    }

    @Test func outAndUnderscoreWorkAsAtThePrompt() throws {
        let (run, _, _) = try runNotebook("# %%\n6 * 7\n# %%\nprint(Out[1], _ + 1)\n")
        #expect(run.cells[1].outputs == [.stream("42 43")])
    }

    @Test func sandboxRefusalIsACellError() throws {
        let (run, _, _) = try runNotebook("# %%\nfake_plot(\"../escape.png\")\n")
        #expect(run.failed)
        #expect(run.failures[0].contains("refusing to write '../escape.png'"))
    }

    @Test func badParameterFailsBeforeAnyCellRuns() throws {
        var o = RunOptions()
        o.parameters = [("m", "1")]
        #expect(throws: NotebookError.self) { try runNotebook(notebook, options: o) }
    }

    @Test func cancellationStopsTheRunEvenWithKeepGoing() throws {
        var o = RunOptions()
        o.cancel.cancel()
        o.keepGoing = true
        let (run, reports, _) = try runNotebook("# %%\nfor i in range(1e9) { x = i }\n# %%\ny = 1\n", options: o)
        #expect(run.cells.map(\.status) == [.failed, .skipped])
        #expect(run.failures[0].contains("interrupted"))
        #expect(reports.count == 3)
        #expect(!o.cancel.isCancelled) // reset for whoever uses the token next
    }
}
