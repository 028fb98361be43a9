import Foundation
import Nets
import Script
import Tensors

/// A small convolutional classifier whose penultimate features give a Fréchet distance
/// in the spirit of FID, and precision/recall in that space.
final class ClassifierObject: MemberTable {
    let classifier: Classifier
    let testAccuracy: Double?
    init(_ c: Classifier, testAccuracy: Double?) { classifier = c; self.testAccuracy = testAccuracy }

    var typeName: String { "classifier" }
    var receiverName: String { "clf" }
    var summary: String {
        let acc = testAccuracy.map { String(format: ", test accuracy %.1f%%", 100 * $0) } ?? ""
        let size = "\(classifier.configuration.height)×\(classifier.configuration.width)"
        return "classifier for \(size) images (\(classifier.featureDims)-d features\(acc))"
    }
    var typeDoc: String {
        "A conv classifier trained on labelled images. Pass it as features: to fd, precision_recall or compare to "
            + "measure in its feature space."
    }

    /// Penultimate features of image rows.
    func features(_ x: Batch) -> Batch { classifier.features(x) }

    var members: [Member] {
        [
            .value("test_accuracy", "Accuracy on the held-out split, measured after training.") {
                self.testAccuracy.map { .number($0) } ?? .none
            },
            .method("features", "Penultimate-layer features, [n, 128].", [.required("images")]) { a in
                let x = try a.points("images", dims: self.classifier.inputDims)
                return self.features(x).value
            },
            .method("accuracy", "Share of a labelled data set classified correctly.", [.required("data")]) { a in
                let d = try a.object("data", as: DataObject.self, described: "labelled images (fashion_mnist())")
                let pixels = self.classifier.inputDims
                guard let labels = d.labels, case .finite(let b, _) = d.source, b.dims == pixels else {
                    throw a.error("accuracy needs labelled images of \(pixels) pixels", at: "data")
                }
                return .number(self.classifier.accuracy(images: b.tensor, labels: labels))
            },
        ]
    }
}
