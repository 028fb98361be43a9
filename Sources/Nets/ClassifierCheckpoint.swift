import Foundation
import Tensors

/// Checkpoints of a ``Classifier`` as `.safetensors`: the weights under their store names
/// (`conv1.weight`, `norm1.weight`, `fc1.weight`, … — PyTorch layouts), and in `__metadata__`:
/// `"format": "cmlab.classifier/1"`, `"architecture"`: the ``Classifier/Configuration`` as JSON,
/// plus any caller entries. A saved classifier gives the same features bit for bit, so
/// Fréchet distances and precision/recall measured with it repeat across runs.
extension Classifier: CheckpointedNetwork {
    public static let checkpointFormat = "cmlab.classifier/1"
    public static var checkpointKind: String { "a classifier" }
    public static func checkpointProblem(_ c: Configuration) -> String? { c.problem }
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
