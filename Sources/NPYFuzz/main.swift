// libFuzzer entry for the `.npy` reader: any bytes must parse or throw, never trap,
// and never allocate more than the header's shape allows.
//
//   CMLAB_FUZZ=1 swift build -c release --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product NPYFuzz
//   .build-fuzz/release/NPYFuzz -max_len=4096 -timeout=5 -rss_limit_mb=2048 corpus/
import Foundation
import Tensors

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    if let a = try? NPY.parse(bytes) {
        // What a caller does next: view as a tensor and as a batch.
        _ = a.tensor.shape
        _ = a.batch.count
    }
    return 0
}

@main
struct NPYFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
    }
}
