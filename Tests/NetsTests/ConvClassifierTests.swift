import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

@Suite struct ConvClassifierTests {
    /// Central differences of the cross-entropy against the backward pass, on a sample
    /// of coordinates of every parameter tensor.
    @Test func backwardMatchesFiniteDifferences() {
        let net = Classifier(Classifier.Configuration(height: 4, width: 6, classes: 3, featureDims: 5, seed: 2))
        let r = ConvTests.random(net.store.count, seed: 30, scale: 0.3)
        for i in 0..<net.store.count { net.store.values[i] = r[i] }
        for e in net.store.entries where e.name.hasPrefix("norm") && e.name.hasSuffix(".weight") {
            for i in 0..<e.count { net.store.values[e.offset + i] += 1 }
        }
        let x = RNG(seed: 31).normalTensor(shape: [4, 24]), labels = [0, 2, 1, 2]
        net.zeroGrad()
        _ = net.lossAndGradients(images: x, labels: labels)
        let grads = net.store.gradients
        func loss() -> Double {
            let z = net.logits(x)
            var l = 0.0
            for (i, y) in labels.enumerated() {
                let row = (0..<3).map { Double(z.scalars[i * 3 + $0]) }
                let m = row.max()!
                l += log(row.map { exp($0 - m) }.reduce(0, +)) + m - row[y]
            }
            return l / Double(labels.count)
        }
        let h: Float = 1e-2
        for (e, g) in zip(net.store.entries, grads) {
            var an: [Double] = [], fd: [Double] = []
            for i in stride(from: 0, to: e.count, by: max(1, e.count / 10)) {
                let k = e.offset + i, v = net.store.values[k]
                net.store.values[k] = v + h; let lp = loss()
                net.store.values[k] = v - h; let lm = loss()
                net.store.values[k] = v
                an.append(Double(g.scalars[i])); fd.append((lp - lm) / Double(2 * h))
            }
            ConvTests.expectClose(an, fd, e.name, floor: 2e-4)
        }
        #expect(net.features(Batch(x)).dims == 5)
    }
}
