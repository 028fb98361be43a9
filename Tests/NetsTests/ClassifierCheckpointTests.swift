import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

@Suite struct ClassifierCheckpointTests {
    func path(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("clf-\(tag)-\(UUID()).safetensors").path
    }

    /// A loaded classifier is the saved one: same configuration, same logits and features
    /// bit for bit (so a Fréchet distance measured with it repeats exactly).
    @Test func roundTripGivesTheSameFeatures() throws {
        let net = Classifier(Classifier.Configuration(height: 6, width: 4, classes: 3, featureDims: 7, seed: 5))
        let p = path("rt")
        defer { try? FileManager.default.removeItem(atPath: p) }
        try net.save(to: p, metadata: ["test_accuracy": "0.5"])
        let (loaded, meta) = try Classifier.load(from: p)
        #expect(meta["format"] == Classifier.checkpointFormat && meta["test_accuracy"] == "0.5")
        #expect(loaded.configuration == net.configuration)
        let x = RNG(seed: 6).normalTensor(shape: [5, 24])
        #expect(loaded.logits(x) == net.logits(x))
        #expect(loaded.features(Batch(x)) == net.features(Batch(x)))
        // A different seed gives different weights, so the comparison above can fail.
        let other = Classifier(Classifier.Configuration(height: 6, width: 4, classes: 3, featureDims: 7, seed: 6))
        #expect(other.logits(x) != net.logits(x))
    }

    /// Wrong files are errors, not traps: another network's checkpoint, a configuration out of
    /// range (huge or odd sides), and weights of the wrong shape.
    @Test func badFilesAreClearErrors() throws {
        let p = path("bad")
        defer { try? FileManager.default.removeItem(atPath: p) }
        try MLP(inputDims: 3, width: 8, depth: 2).save(to: p, metadata: [:])
        #expect(throws: SafeTensorsError.self) { try Classifier.load(from: p) }

        let net = Classifier(Classifier.Configuration(height: 4, width: 4, classes: 2, featureDims: 3, seed: 1))
        try net.save(to: p)
        var contents = try SafeTensors.read(p)
        for (arch, expected) in [
            ("{\"height\":100000,\"width\":100000,\"classes\":10,\"featureDims\":128,\"seed\":0}", "sides"),
            ("{\"height\":5,\"width\":4,\"classes\":2,\"featureDims\":3,\"seed\":0}", "sides"),
            ("{\"height\":4,\"width\":4,\"classes\":-1,\"featureDims\":3,\"seed\":0}", "classes"),
            ("{\"height\":4}", "not a valid"),
        ] {
            contents.metadata["architecture"] = arch
            try SafeTensors.write(contents, to: p)
            let e = #expect(throws: SafeTensorsError.self) { try Classifier.load(from: p) }
            #expect("\(e.map { "\($0)" } ?? "")".contains(expected), "\(arch)")
        }
        contents.metadata["architecture"] = "{\"height\":4,\"width\":4,\"classes\":2,\"featureDims\":4,\"seed\":0}"
        try SafeTensors.write(contents, to: p)
        let e = #expect(throws: SafeTensorsError.self) { try Classifier.load(from: p) }
        #expect("\(e.map { "\($0)" } ?? "")".contains("shape"))
    }
}
