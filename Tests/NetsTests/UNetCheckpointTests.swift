import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

@Suite struct UNetCheckpointTests {
    @Test func roundTripThroughSafetensorsAndTheProtocol() throws {
        let net = UNetTests.tinyNet()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unet-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try net.save(to: path, metadata: ["note": "test"])
        let (loaded, meta) = try UNet.load(from: path)
        #expect(meta["note"] == "test" && meta["format"] == UNet.checkpointFormat)
        #expect(loaded.configuration == net.configuration)
        let x = RNG(seed: 8).normalTensor(shape: [2, net.inputDims])
        #expect(loaded.predict(x: x, cNoise: [0.1, -0.4]) == net.predict(x: x, cNoise: [0.1, -0.4]))
        // Either network type loads through the protocol.
        let (any, _) = try loadConditionalNetwork(from: path)
        #expect(any is UNet && any.inputDims == net.inputDims)
        let mlpPath = path + ".mlp"
        defer { try? FileManager.default.removeItem(atPath: mlpPath) }
        try MLP(inputDims: 3, width: 8, depth: 2).save(to: mlpPath, metadata: [:])
        #expect(try loadConditionalNetwork(from: mlpPath).network is MLP)
        // A wrong file is an error, not a trap.
        #expect(throws: SafeTensorsError.self) { try UNet.load(from: mlpPath) }
    }

    /// A student initialised from a teacher: same architecture, copied store.
    @Test func copyThroughTheProtocolIsIndependent() {
        func clone<N: ConditionalNetwork>(_ n: N) -> N { n.copy() }
        let net = UNetTests.tinyNet()
        let student = clone(net)
        student.store.values[0] += 1
        #expect(net.store.values[0] + 1 == student.store.values[0])
        student.store.copyValues(from: net.store)
        let x = RNG(seed: 9).normalTensor(shape: [1, net.inputDims])
        #expect(student.predict(x: x, cNoise: [0]) == net.predict(x: x, cNoise: [0]))
    }
}
