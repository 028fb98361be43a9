import Bindings
// libFuzzer entry for the language with the domain builtins registered: any bytes, run
// as a script, must never trap or allocate without a limit. Writes and reads go to a
// scratch folder; long work is cancelled after a second, as Ctrl-C would.
//
//   CMLAB_FUZZ=1 swift build -c release --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product ScriptFuzz
//   .build-fuzz/release/ScriptFuzz -max_len=512 -timeout=5 -rss_limit_mb=2048 corpus/
import Foundation
import Script
import Tensors

/// libFuzzer's driver, which parses the command line and calls the test function.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// A domain object, so member access, methods, `help` and member assignment get fuzzed too.
final class Probe: ScriptObject {
    var label = "probe"
    var typeName: String { "probe" }
    var summary: String { "probe \(label)" }
    var memberNames: [String] { ["label", "scale"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "label": return .string(label)
        case "scale":
            return .function(
                .builtin(
                    Builtin(name: "scale", doc: "x * k", parameters: [.required("x"), .optional("k", .number(2))]) {
                        args in
                        let k = try args.positiveInt("k")
                        return .list([.tensor(try args.tensor("x")), .number(Double(k))])
                    }))
        default: return nil
        }
    }
    func setMember(_ name: String, to value: Value) throws {
        guard name == "label", case .string(let s) = value else { throw ScriptError("read-only") }
        label = s
    }
}

/// The scratch folder every path a script names is mapped into (by its last component).
let scratch: URL = {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("script-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}()

func inScratch(_ path: String) -> URL {
    scratch.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent)
}

/// One input: decode as UTF-8 (lossily), run in a fresh interpreter with small
/// limits, then run it again in the same session (the REPL path), and render errors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let interpreter = Interpreter()
    interpreter.limits.maxSteps = 20_000
    interpreter.limits.maxElements = 1_000_000
    interpreter.limits.maxListItems = 100_000
    interpreter.output = { _ in }
    interpreter.define("probe", .object(Probe()))
    let cancel = CancellationToken()
    let context = BindingsContext(cancel: cancel, resolveWritePath: inScratch, resolveReadPath: inScratch)
    installBindings(into: interpreter, context: context)
    DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancel.cancel() }
    for _ in 0..<2 {
        let result = interpreter.run(source)
        _ = result.renderedErrors
        if let v = result.value { _ = v.repr; _ = interpreter.helpText(for: v) }
    }
    _ = interpreter.completions(for: String(source.suffix(8)))
    return 0
}

@main
struct ScriptFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
    }
}
