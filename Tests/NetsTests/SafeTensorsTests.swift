import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

struct SafeTensorsTests {
    /// A fresh path in a directory of its own (tests run in parallel; the atomic-write
    /// test checks that its directory holds no temporary files).
    func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nets-tests-\(getpid())-\(name)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    var sample: SafeTensors.Contents {
        SafeTensors.Contents(
            tensors: [
                ("w", RNG(seed: 1).normalTensor(shape: [3, 4])),
                ("b", Tensor(shape: [4], scalars: [1, -2, 3.5, .infinity])),
                ("empty", Tensor(shape: [0, 2])),
            ],
            metadata: ["training": #"{"lr": 0.001, "batch": 512}"#])
    }

    func kind(_ body: () throws -> Void) -> SafeTensorsError.Kind? {
        do { try body(); return nil } catch let e as SafeTensorsError { return e.kind } catch { return .io }
    }

    /// Builds a file from a header string and a data section.
    func file(header: String, data: Data = Data()) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(data)
        return out
    }

    @Test func roundTrip() throws {
        let path = tempPath("round.safetensors")
        try SafeTensors.write(sample, to: path)
        let back = try SafeTensors.read(path)
        #expect(back.metadata == sample.metadata)
        for (name, t) in sample.tensors { #expect(back[name] == t) }
        // Header length is a multiple of 8 and the layout is the documented one.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0 && bytes.count == 8 + n + 4 * 16)
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        #expect((header["w"] as! [String: Any])["dtype"] as! String == "F32")
    }

    @Test func truncatedFileThrows() throws {
        let path = tempPath("trunc.safetensors")
        try SafeTensors.write(sample, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for cut in [0, 5, 8, 20, bytes.count - 1, bytes.count - 17] {
            #expect(kind { _ = try SafeTensors.decode(bytes.prefix(cut)) } != nil, "cut at \(cut)")
        }
        #expect(kind { _ = try SafeTensors.decode(bytes.prefix(bytes.count - 4)) } == .offsets)
        #expect(kind { _ = try SafeTensors.decode(bytes.prefix(4)) } == .truncated)
        #expect(kind { _ = try SafeTensors.read(tempPath("does-not-exist")) } == .io)
    }

    @Test func corruptHeadersThrow() {
        let four = Data(count: 16)
        let e = #""dtype":"F32","shape":[2,2],"data_offsets":[0,16]"#
        #expect(kind { _ = try SafeTensors.decode(file(header: "{" + e, data: four)) } == .json)
        #expect(kind { _ = try SafeTensors.decode(file(header: "[1,2]", data: four)) } == .json)
        #expect(kind { _ = try SafeTensors.decode(file(header: #"{"a":{\#(e)}}"#, data: four)) } == nil)
        // Header length larger than the file.
        var huge = file(header: #"{"a":{\#(e)}}"#, data: four)
        huge.replaceSubrange(0..<8, with: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])
        #expect(kind { _ = try SafeTensors.decode(huge) } == .headerLength)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,16]}}"#, data: four))
            } == .dtype)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}"#, data: four))
            } == .shape)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]}}"#, data: four))
            } == .entry)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}}"#, data: four))
            } == .offsets)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}}"#, data: four))
            } == .offsets)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(
                        header: #"{"a":{"dtype":"F32","shape":[1099511627776,1099511627776,4],"data_offsets":[0,16]}}"#,
                        data: four))
            } == .shape)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(
                        header:
                            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"c":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#,
                        data: four))
            } == .overlap)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: four))
            } == .offsets)
        #expect(kind { _ = try SafeTensors.decode(file(header: #"{"__metadata__":{"a":1}}"#)) } == .json)
        #expect(
            kind {
                _ = try SafeTensors.decode(
                    file(header: #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: Data(count: 4)))
            } == .entry)
        // Random garbage never traps.
        for seed in 0..<200 {
            let rng = RNG(seed: UInt64(seed))
            var bytes = file(header: #"{"a":{\#(e)}}"#, data: four)
            for k in 0..<3 {
                bytes[rng.integer(at: UInt64(k), below: bytes.count)] = UInt8(
                    rng.integer(at: UInt64(10 + k), below: 256))
            }
            _ = try? SafeTensors.decode(bytes)
        }
    }

    /// A save interrupted before the rename leaves the previous file intact and no temporary.
    @Test func interruptedSaveKeepsPreviousFile() throws {
        let path = tempPath("atomic.safetensors")
        try SafeTensors.write(sample, to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        struct Interrupted: Error {}
        let other = SafeTensors.Contents(tensors: [("x", Tensor(shape: [2], scalars: [1, 2]))])
        #expect(throws: Interrupted.self) {
            try SafeTensors.writeAtomically(try SafeTensors.encode(other), to: path) { throw Interrupted() }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).allSatisfy { !$0.contains(".tmp-") })
        try SafeTensors.write(other, to: path)
        #expect(try SafeTensors.read(path) == other)
    }

    @Test func mlpCheckpointRoundTrip() throws {
        let net = MLP(inputDims: 2, width: 32, depth: 3, fourierFeatures: 8, residual: true, seed: 11)
        let path = tempPath("mlp.safetensors")
        try net.save(to: path, metadata: ["training": #"{"objective":"cm","lr":0.001}"#])
        let (back, meta) = try MLP.load(from: path)
        #expect(back.configuration == net.configuration)
        #expect(back.parameters == net.parameters)
        #expect(meta["training"] == #"{"objective":"cm","lr":0.001}"#)
        #expect(meta["format"] == MLP.checkpointFormat)
        let x = RNG(seed: 1).normalTensor(shape: [10, 2]), c = RNG(seed: 2).normalTensor(shape: [10]).scalars
        #expect(back.predict(x: x, cNoise: c) == net.predict(x: x, cNoise: c))
        let other = MLP(inputDims: 2, width: 32, depth: 3, fourierFeatures: 8, residual: true, seed: 12)
        try other.loadWeights(from: path)
        #expect(other.parameters == net.parameters)
        let wrong = MLP(inputDims: 2, width: 16, depth: 3, fourierFeatures: 8, seed: 12)
        #expect(throws: SafeTensorsError.self) { try wrong.loadWeights(from: path) }
        // Metadata that disagrees with the tensors, or is out of range, is an error.
        var contents = try SafeTensors.read(path)
        contents.metadata["architecture"] =
            #"{"inputDims":2,"width":16,"depth":3,"fourierFeatures":8,"residual":true,"seed":1,"minFrequency":1,"maxFrequency":128}"#
        try SafeTensors.write(contents, to: path)
        #expect(throws: SafeTensorsError.self) { _ = try MLP.load(from: path) }
        contents.metadata["architecture"] =
            #"{"inputDims":2,"width":32,"depth":3,"fourierFeatures":8,"residual":true,"seed":1,"minFrequency":-1,"maxFrequency":128}"#
        try SafeTensors.write(contents, to: path)
        #expect(throws: SafeTensorsError.self) { _ = try MLP.load(from: path) }
        contents.metadata["architecture"] = "not json"
        try SafeTensors.write(contents, to: path)
        #expect(throws: SafeTensorsError.self) { _ = try MLP.load(from: path) }
        // Every network's checkpoint is read by the same code: a file of another network's
        // format is refused by name before its architecture is read.
        let unetPath = tempPath("unet.safetensors")
        try UNet(channels: 1, height: 4, width: 4, baseWidth: 8, embedDims: 16, fourierFeatures: 4).save(to: unetPath)
        let e = #expect(throws: SafeTensorsError.self) { _ = try MLP.load(from: unetPath) }
        #expect("\(e.map { "\($0)" } ?? "")".contains("not an MLP checkpoint (format cmlab.unet/1)"))
    }
}
