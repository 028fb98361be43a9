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
        try store.save(to: path, format: UNet.checkpointFormat, architecture: configuration, metadata: metadata)
    }

    /// Builds the network a checkpoint describes and loads its weights.
    public static func load(from path: String) throws -> (network: UNet, metadata: [String: String]) {
        let contents = try SafeTensors.read(path)
        let configuration: Configuration = try checkpointArchitecture(contents, path: path, format: checkpointFormat,
                                                                      kind: "U-Net") { $0.problem }
        let net = UNet(configuration, initialize: false)
        try net.store.load(contents, path: path)
        return (net, contents.metadata)
    }
}
