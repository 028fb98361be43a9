import Foundation
import Notebook
import Script
import Testing

@testable import Bindings

@Suite("Reading .ipynb notebooks")
struct NotebookIpynbReaderTests {
    func parse(_ json: String) throws -> NotebookFile {
        try IpynbReader.parse(Data(json.utf8), fileName: "lab.ipynb")
    }

    @Test func readsCellsAsJupyterLabWritesThem() throws {
        let nb = try parse(
            """
            {"nbformat": 4, "nbformat_minor": 5,
             "metadata": {"kernelspec": {"name": "cmlab", "display_name": "CMLab", "language": "cmlab"}},
             "cells": [
              {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Title\\n", "Prose."]},
              {"cell_type": "code", "id": "b", "metadata": {"tags": ["parameters"]}, "source": "n = 3",
               "outputs": [], "execution_count": null},
              {"cell_type": "code", "id": "c", "metadata": {},
               "source": ["for i in range(n) {\\r\\n", "  print(i)\\r\\n", "}"],
               "outputs": [{"output_type": "stream", "name": "stdout", "text": "0\\n"}], "execution_count": 4},
              {"cell_type": "raw", "id": "d", "metadata": {}, "source": "raw text"}
             ]}
            """)
        #expect(nb.cells.map(\.kind) == [.markdown, .code, .code, .markdown])
        #expect(nb.cells[0].source == "# Title\nProse.")
        #expect(nb.cells[1].isParameters && nb.cells[1].source == "n = 3")
        #expect(nb.cells[2].source == "for i in range(n) {\n  print(i)\n}")
        #expect(nb.cells.allSatisfy { $0.firstLine == 0 })
    }

    @Test func aNotebookWithoutKernelMetadataIsTakenForCMLab() throws {
        #expect(try parse("{\"nbformat\": 4, \"metadata\": {}, \"cells\": []}").cells.isEmpty)
        let byLanguage = try parse(
            """
            {"nbformat": 4, "metadata": {"language_info": {"name": "cmlab"}}, "cells": []}
            """)
        #expect(byLanguage.cells.isEmpty)
    }

    @Test func refusesWhatItCannotRun() {
        func message(_ json: String) -> String {
            do { _ = try parse(json); return "" } catch { return "\(error)" }
        }
        #expect(
            message(
                """
                {"nbformat": 4, "metadata": {"kernelspec": {"name": "python3", "language": "python"}}, "cells": []}
                """) == "lab.ipynb is a python notebook; cmlab runs notebooks written with the CMLab kernel")
        #expect(message("{\"nbformat\": 3, \"worksheets\": []}").hasPrefix("lab.ipynb: only nbformat 4 notebooks"))
        #expect(message("# %%\nx = 1") == "lab.ipynb is not a Jupyter notebook: not a JSON object")
        #expect(message("{\"nbformat\": 4, \"cells\": [{\"source\": \"x\"}]}") == "lab.ipynb: cell 1 has no cell_type")
    }

    @Test func theRunnersOwnIpynbRunsAgainWithItsErrorsLocatedByCell() throws {
        let dir = tempFolder("ipynb")
        let cml = dir.appendingPathComponent("nb.cml")
        let text = "# %% tags=[\"parameters\"]\nn = 2\n\n# %%\nprint(n * 10)\nn + nope\n"
        try text.write(to: cml, atomically: true, encoding: .utf8)
        var options = RunOptions()
        options.outputDirectory = dir.appendingPathComponent("first")
        let (first, reports) = try NotebookRunner(setUp: stubSetUp).run(file: cml, options: options)
        #expect(first.failures == ["nb.cml:6:5: cell 2, line 2, column 5: unknown name 'nope'; did you mean 'none'?"])
        let ipynb = reports[2]
        options.outputDirectory = dir.appendingPathComponent("second")
        options.parameters = [("n", "7")]
        let (second, _) = try NotebookRunner(setUp: stubSetUp).run(file: ipynb, options: options)
        #expect(second.cells.map(\.cell.source) == ["n = 7", "print(n * 10)\nn + nope"])
        #expect(second.cells[1].outputs.first == .stream("70"))
        #expect(second.failures == ["nb.ipynb: cell 2, line 2, column 5: unknown name 'nope'; did you mean 'none'?"])
        // Its report would land on itself: refused before any cell runs.
        options.outputDirectory = ipynb.deletingLastPathComponent()
        #expect(throws: NotebookError.self) { try NotebookRunner(setUp: stubSetUp).run(file: ipynb, options: options) }
    }

    @Test func tablesAsMarkdownAndHTML() {
        let t = ResultTable(
            columns: ["model", "ode_error"],
            rows: [
                [.text("CM | μ=0"), .stat(mean: 0.5, std: 0.1, count: 2)],
                [.text("<data>"), .missing],
            ])
        #expect(
            t.markdown == """
                | model | ode_error |
                | --- | ---: |
                | CM \\| μ=0 | 0.5 ± 0.1 |
                | <data> | — |
                """)
        let left = "style=\"text-align: left\"", right = "style=\"text-align: right\""
        #expect(t.html.contains("<tr><td \(left)>&lt;data&gt;</td><td \(right)>—</td></tr>"))
        #expect(t.html.hasPrefix("<table>\n<thead><tr><th \(left)>model</th><th \(right)>ode_error</th>"))
    }
}
