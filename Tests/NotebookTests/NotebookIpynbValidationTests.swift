import Foundation
import Notebook
import TestSupport
import Testing

let hasNbformat = pythonHas("nbformat")

/// The `.ipynb` the runner writes, checked by Jupyter's own validator (`nbformat.validate`).
@Suite("ipynb validates with nbformat", .enabled(if: hasNbformat, "needs python3 with nbformat"))
struct NotebookIpynbValidationTests {
    func validate(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            """
            import sys, nbformat
            nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
            nbformat.validate(nb)
            print("valid", nb.nbformat, nb.nbformat_minor, len(nb.cells))
            """, url.path,
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test(arguments: [
        "# %% [markdown]\n# # T\n\n# %% tags=[\"parameters\"]\nn = 2\n\n# %%\nprint(n)\nn + 1\n\n# %%\nfake_plot(\"a.png\")\n",
        "# %%\nx = 1\n\n# %%\ny = x + nope\n\n# %%\nprint(\"never\")\n",
    ])
    func runnerOutputValidates(_ text: String) throws {
        let dir = tempFolder("nbformat")
        let file = dir.appendingPathComponent("check.cml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        var o = RunOptions()
        o.outputDirectory = dir.appendingPathComponent("out")
        let (_, reports) = try NotebookRunner(setUp: stubSetUp).run(file: file, options: o)
        let verdict = try validate(reports[2])
        #expect(verdict.hasPrefix("valid 4 5"), "\(verdict)")
    }
}
