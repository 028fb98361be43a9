// libFuzzer entry for the language: any bytes, run as a script, must never trap.
//
//   CMLAB_FUZZ=1 swift build -c release --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product ScriptFuzz
//   .build-fuzz/release/ScriptFuzz -max_len=512 -timeout=5 -rss_limit_mb=2048 corpus/
import Script

/// libFuzzer's driver, which parses the command line and calls the test function.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

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
