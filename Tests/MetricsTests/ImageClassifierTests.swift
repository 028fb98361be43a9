import Datasets
import Foundation
import Nets
import Tensors
import Testing

/// Trains the Fréchet-feature classifier on 14 × 14 Fashion-MNIST and reports its test
/// accuracy (at least 85% expected). Runs with `CMLAB_LONG=1`; saves the classifier's
/// test accuracy and training time to stdout.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_LONG"] != nil)) struct ImageClassifierTests {
    @Test func classifierReachesEightyFivePercent() throws {
        let train = try FashionMNIST.load(.train, resolution: .pooled14)
        let test = try FashionMNIST.load(.test, resolution: .pooled14)
        var c = ClassifierTrainingConfig()
        c.epochs = Int(ProcessInfo.processInfo.environment["CMLAB_CLASSIFIER_EPOCHS"] ?? "") ?? 3
        let start = Date()
        let (net, outcome, losses) = trainClassifier(
            images: train.images, labels: train.labels, height: 14, width: 14, config: c)
        let seconds = Date().timeIntervalSince(start)
        let acc = net.accuracy(images: test.images, labels: test.labels)
        print(
            String(
                format: "classifier: %d steps in %.0f s (%@), final loss %.3f, test accuracy %.2f%%",
                losses.count, seconds, outcome.message, losses.last ?? .nan, 100 * acc))
        #expect(acc >= 0.85)
        let f = net.features(test.rows(Array(0..<10)).batch)
        #expect(f.count == 10 && f.dims == 128)
    }
}
