import Foundation
import Tensors

/// Checkpoints of a ``Classifier`` as `.safetensors`: the weights under their store names
/// (`conv1.weight`, `norm1.weight`, `fc1.weight`, … — PyTorch layouts), and in `__metadata__`:
/// `"format": "cmlab.classifier/1"`, `"architecture"`: the ``Classifier/Configuration`` as JSON,
/// plus any caller entries. A saved classifier gives the same features bit for bit, so
/// Fréchet distances and precision/recall measured with it repeat across runs.
extension Classifier {
    public static let checkpointFormat = "cmlab.classifier/1"

    /// Saves weights and architecture atomically; keys `format` and `architecture` are reserved.
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        var meta = metadata
        meta["format"] = Classifier.checkpointFormat
        meta["architecture"] = String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)
        let tensors = store.entries.map { ($0.name, store.value($0.name)!) }
        try SafeTensors.write(SafeTensors.Contents(tensors: tensors, metadata: meta), to: path)
    }

    /// Builds the classifier a checkpoint describes and loads its weights.
    public static func load(from path: String) throws -> (classifier: Classifier, metadata: [String: String]) {
        try load(SafeTensors.read(path), path: path)
    }

    /// The same from contents already read (e.g. after looking at the metadata).
    public static func load(_ contents: SafeTensors.Contents, path: String) throws
        -> (classifier: Classifier, metadata: [String: String]) {
        guard contents.metadata["format"] == checkpointFormat, let arch = contents.metadata["architecture"] else {
            throw SafeTensorsError(.missing, path,
                                   "not a classifier checkpoint (format \(contents.metadata["format"] ?? "none"))")
        }
        let configuration: Configuration
        do { configuration = try JSONDecoder().decode(Configuration.self, from: Data(arch.utf8)) } catch {
            throw SafeTensorsError(.json, path, "architecture metadata is not a valid classifier configuration: \(arch)")
        }
        if let p = configuration.problem { throw SafeTensorsError(.json, path, "architecture metadata out of range: \(p)") }
        let net = Classifier(configuration, initialize: false)
        for e in net.store.entries {
            guard let t = contents[e.name] else { throw SafeTensorsError(.missing, path, "no tensor \(e.name)") }
            guard t.shape == e.shape else {
                throw SafeTensorsError(.shape, path, "tensor \(e.name) has shape \(t.shape), the network needs \(e.shape)")
            }
        }
        for e in net.store.entries { net.store.setValue(e.name, contents[e.name]!) }
        return (net, contents.metadata)
    }
}

extension Classifier.Configuration {
    /// What is wrong with a configuration read from a file (the initialiser's preconditions,
    /// and sizes bounded so that a bad file cannot ask for gigabytes), or nil.
    public var problem: String? {
        if height < 2 || width < 2 || height % 2 != 0 || width % 2 != 0 || height > 64 || width > 64 {
            return "image size \(height)×\(width): sides must be even, 2 … 64"
        }
        if classes < 2 || classes > 1000 { return "classes \(classes): must be 2 … 1000" }
        if featureDims < 1 || featureDims > 1024 { return "feature dims \(featureDims): must be 1 … 1024" }
        return nil
    }
}
