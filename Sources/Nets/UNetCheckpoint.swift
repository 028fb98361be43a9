import Foundation
import Tensors

/// Checkpoints of a ``UNet`` as `.safetensors`: the weights under their store names
/// (`conv_in.weight` `[C, Ci, 3, 3]`, `blocks.<i>.conv1.weight`, … — PyTorch layouts), and in
/// `__metadata__`: `"format": "cmlab.unet/1"`, `"architecture"`: the ``UNet/Configuration``
/// as JSON, plus any caller entries.
extension UNet: CheckpointedNetwork {
    public static let checkpointFormat = "cmlab.unet/1"
    public static var checkpointKind: String { "a U-Net" }
    public static func checkpointProblem(_ c: Configuration) -> String? { c.problem }
}
