import Foundation
import Tensors

/// Checkpoints of a ``UNet`` as `.safetensors`: the weights under their store names
/// (`conv_in.weight` `[C, Ci, 3, 3]`, `blocks.<i>.conv1.weight`, … — PyTorch layouts), and in
/// `__metadata__`: `"format": "cmlab.unet/1"`, `"architecture"`: the ``UNet/Configuration``
/// as JSON, plus any caller entries.
extension UNet {
    public static let checkpointFormat = "cmlab.unet/1"

    /// Saves weights and architecture atomically; keys `format` and `architecture` are reserved.
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        var meta = metadata
        meta["format"] = UNet.checkpointFormat
        meta["architecture"] = String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)
        let tensors = store.entries.map { ($0.name, store.value($0.name)!) }
        try SafeTensors.write(SafeTensors.Contents(tensors: tensors, metadata: meta), to: path)
    }

    /// Builds the network a checkpoint describes and loads its weights.
    public static func load(from path: String) throws -> (network: UNet, metadata: [String: String]) {
        let contents = try SafeTensors.read(path)
        guard contents.metadata["format"] == checkpointFormat, let arch = contents.metadata["architecture"] else {
            throw SafeTensorsError(.missing, path, "not a U-Net checkpoint (format \(contents.metadata["format"] ?? "none"))")
        }
        let configuration: Configuration
        do { configuration = try JSONDecoder().decode(Configuration.self, from: Data(arch.utf8)) } catch {
            throw SafeTensorsError(.json, path, "architecture metadata is not a valid U-Net configuration: \(arch)")
        }
        if let p = configuration.problem { throw SafeTensorsError(.json, path, "architecture metadata out of range: \(p)") }
        let net = UNet(configuration, initialize: false)
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
