import Foundation
import Bindings
import Script

/// An interpreter with every builtin, reading and writing inside `dir`, and the lines it
/// printed so far: the session the language-level tests of Bindings run scripts in.
func session(_ dir: URL) -> (Interpreter, () -> [String]) {
    let interp = Interpreter()
    var lines: [String] = []
    interp.output = { lines.append($0) }
    installBindings(into: interp, context: BindingsContext(resolveWritePath: { dir.appendingPathComponent($0) },
                                                           resolveReadPath: { dir.appendingPathComponent($0) }))
    return (interp, { lines })
}

/// A fresh folder under the temporary directory (the caller removes it).
func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("bindings-tests-\(UUID())")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}
