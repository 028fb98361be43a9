import Bindings
import Foundation
import Notebook
import Script

/// An interpreter with every builtin, reading and writing inside `dir`, and the lines it
/// printed so far: the session the language-level tests of Bindings run scripts in.
func session(_ dir: URL) -> (Interpreter, () -> [String]) {
    let interp = Interpreter()
    var lines: [String] = []
    interp.output = { lines.append($0) }
    installBindings(
        into: interp,
        context: BindingsContext(
            resolveWritePath: { dir.appendingPathComponent($0) },
            resolveReadPath: { dir.appendingPathComponent($0) }))
    return (interp, { lines })
}

/// An interpreter with every builtin that prints nowhere, with `context`'s paths (by
/// default the working directory's): the session of tests that read values, not output.
func quietSession(_ context: BindingsContext = BindingsContext()) -> Interpreter {
    let interp = Interpreter()
    interp.output = { _ in }
    installBindings(into: interp, context: context)
    return interp
}

/// A fresh folder under the temporary directory (the caller removes it).
func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("bindings-tests-\(UUID())")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

/// A fresh folder under the temporary directory, tagged `tag` (the caller removes it).
func tempFolder(_ tag: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The session set-up the tests use in place of Bindings: `fake_plot(file)` writes a
/// 1 × 1 PNG through the sandbox and reports it, as Bindings' plots will (as in NotebookTests).
func stubSetUp(_ interpreter: Interpreter, _ hooks: SessionHooks) {
    interpreter.registry.register(name: "fake_plot", doc: "Writes a tiny PNG.", parameters: [.optional("file")]) {
        args in
        let url: URL
        if case .string(let p) = args["file"] {
            url = try hooks.resolveWritePath(p)
        } else {
            url = hooks.newFigureURL("png")
        }
        try Data(
            base64Encoded:
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")?
            .write(to: url)
        hooks.figureWritten(url, nil)
        return .none
    }
}
