import Foundation
import Tensors

/// Checkpoints of an ``MLP`` as `.safetensors`: the weights under their store names
/// (`layers.<i>.weight` `[out, in]`, `layers.<i>.bias` `[out]`), and in `__metadata__`:
/// `"format": "cmlab.mlp/1"`, `"architecture"`: the ``MLP/Configuration`` as a JSON
/// string, plus any caller entries (e.g. `"training"`: the training config as JSON).
extension MLP: CheckpointedNetwork {
    public static let checkpointFormat = "cmlab.mlp/1"
    public static var checkpointKind: String { "an MLP" }

    public static func checkpointProblem(_ c: Configuration) -> String? {
        guard c.inputDims >= 1, c.width >= 1, c.depth >= 1, c.fourierFeatures >= 1,
            c.minFrequency > 0, c.maxFrequency >= c.minFrequency, c.maxFrequency.isFinite,
            c.inputDims < 1 << 20, c.width < 1 << 20, c.depth < 1 << 12, c.fourierFeatures < 1 << 20
        else {
            return
                "inputDims \(c.inputDims), width \(c.width), depth \(c.depth), fourierFeatures \(c.fourierFeatures), "
                + "frequencies \(c.minFrequency) … \(c.maxFrequency)"
        }
        return nil
    }

    /// The bounds above still allow terabytes of weights, so every tensor of the file is
    /// checked against the architecture's layout before the network is allocated.
    public static func checkTensors(_ c: Configuration, _ contents: SafeTensors.Contents, path: String) throws {
        for (name, shape) in MLP.layout(c) {
            guard let t = contents[name] else { throw SafeTensorsError(.missing, path, "no tensor \(name)") }
            guard t.shape == shape else {
                throw SafeTensorsError(
                    .shape, path, "tensor \(name) has shape \(t.shape), the architecture needs \(shape)")
            }
        }
    }
}
