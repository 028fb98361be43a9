import Foundation
import Tensors

/// Checkpoints of an ``MLP`` as `.safetensors`: the weights under their store names
/// (`layers.<i>.weight` `[out, in]`, `layers.<i>.bias` `[out]`), and in `__metadata__`:
/// `"format": "cmlab.mlp/1"`, `"architecture"`: the ``MLP/Configuration`` as a JSON
/// string, plus any caller entries (e.g. `"training"`: the training config as JSON).
extension MLP {
    public static let checkpointFormat = "cmlab.mlp/1"

    /// Saves the weights and architecture atomically to `path`; `metadata` entries are
    /// added to the header (keys `format` and `architecture` are reserved).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try store.save(to: path, format: MLP.checkpointFormat, architecture: configuration, metadata: metadata)
    }

    /// Builds the network a checkpoint describes and loads its weights; returns it with
    /// the file's metadata.
    public static func load(from path: String) throws -> (network: MLP, metadata: [String: String]) {
        let contents = try SafeTensors.read(path)
        guard let arch = contents.metadata["architecture"] else {
            throw SafeTensorsError(.missing, path, "no \"architecture\" entry in __metadata__: not an MLP checkpoint")
        }
        let configuration: Configuration
        do { configuration = try JSONDecoder().decode(Configuration.self, from: Data(arch.utf8)) } catch {
            throw SafeTensorsError(.json, path, "architecture metadata is not a valid MLP configuration: \(arch)")
        }
        let c = configuration
        guard c.inputDims >= 1, c.width >= 1, c.depth >= 1, c.fourierFeatures >= 1,
              c.minFrequency > 0, c.maxFrequency >= c.minFrequency, c.maxFrequency.isFinite,
              c.inputDims < 1 << 20, c.width < 1 << 20, c.depth < 1 << 12, c.fourierFeatures < 1 << 20
        else { throw SafeTensorsError(.json, path, "architecture metadata out of range: \(arch)") }
        // Check every tensor against the architecture before allocating anything.
        for (name, shape) in MLP.layout(c) {
            guard let t = contents[name] else { throw SafeTensorsError(.missing, path, "no tensor \(name)") }
            guard t.shape == shape else {
                throw SafeTensorsError(.shape, path, "tensor \(name) has shape \(t.shape), the architecture needs \(shape)")
            }
        }
        let net = MLP(configuration, initialize: false)
        try net.loadWeights(contents, path: path)
        return (net, contents.metadata)
    }

    /// Loads weights from a checkpoint of the same architecture into this network.
    public func loadWeights(from path: String) throws {
        try loadWeights(try SafeTensors.read(path), path: path)
    }

    func loadWeights(_ contents: SafeTensors.Contents, path: String) throws {
        try store.load(contents, path: path)
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so the same configuration gives the same bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
