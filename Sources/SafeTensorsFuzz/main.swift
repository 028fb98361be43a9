// libFuzzer entry for the `.safetensors` reader and the checkpoint loaders built on it
// (networks, learned teachers, students, classifiers): any bytes must decode or throw,
// never trap. Seeds: Tests/FuzzSeeds/safetensors (small checkpoints that
// scripts/fuzz_seeds.cml writes), so that mutations start from valid headers.
//
//   CMLAB_FUZZ=1 swift build -c release --scratch-path .build-fuzz \
//     -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product SafeTensorsFuzz
//   .build-fuzz/release/SafeTensorsFuzz -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
//     .fuzz/safetensors Tests/FuzzSeeds/safetensors
import Diffusion
import Distillation
import Foundation
import Nets
import Tensors

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// A scratch file the loaders that take a path read from (one per process).
let scratch = FileManager.default.temporaryDirectory
    .appendingPathComponent("safetensors-fuzz-\(getpid()).safetensors").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    guard let contents = try? SafeTensors.decode(bytes) else { return 0 }
    _ = contents.tensors.map { $0.tensor.count }
    // The loaders that read from a path get the bytes in the scratch file, written once;
    // the MLP's checks the architecture metadata against the tensors before allocating.
    let m = contents.metadata
    if m["architecture"] != nil || m["student"] != nil || m["teacher"] != nil,
        FileManager.default.createFile(atPath: scratch, contents: bytes)
    {
        if m["architecture"] != nil {
            _ = try? MLP.load(from: scratch)
            _ = try? UNet.load(from: scratch)
        }
        // What `load(path)` in a script does with each kind of checkpoint.
        if m["student"] != nil { _ = try? ConsistencyStudent.load(from: scratch) }
        if m["teacher"] != nil { _ = try? LearnedDenoiser.load(from: scratch) }
    }
    if m["format"] == Classifier.checkpointFormat { _ = try? Classifier.load(contents, path: scratch) }
    return 0
}

@main
struct SafeTensorsFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = LLVMFuzzerRunDriver(&argc, &argv, fuzzOne)
    }
}
