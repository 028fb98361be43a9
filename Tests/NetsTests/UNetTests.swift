import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

@Suite struct UNetTests {
    /// A tiny U-Net with every parameter random (no zero-initialised layers), so every
    /// path carries gradient.
    static func tinyNet() -> UNet {
        let net = UNet(channels: 2, height: 4, width: 6, baseWidth: 8, embedDims: 16, fourierFeatures: 4, seed: 1)
        let r = ConvTests.random(net.store.count, seed: 20, scale: 0.25)
        for i in 0..<net.store.count { net.store.values[i] = r[i] }
        for e in net.store.entries where e.name.contains("norm") && e.name.hasSuffix(".weight") {
            for i in 0..<e.count { net.store.values[e.offset + i] += 1 }
        }
        return net
    }

    @Test func defaultArchitectureHasAboutHalfAMillionParameters() {
        let net = UNet()
        #expect(net.inputDims == 196)
        #expect(abs(net.parameterCount - 520_000) < 20_000, "\(net.parameterCount) parameters")
    }

    /// Every parameter tensor and the input: central differences (h = 1e-2) of
    /// L = Σ w ⊙ F(x, c) against the backward pass, ‖fd − analytic‖ ≤ 1e-2·‖analytic‖ + 5e-3.
    /// (Biases right before a group norm of one channel per group have zero gradient —
    /// normalisation removes them — so their differences are pure Float32 noise, ≲ 1e-3.)
    @Test func backwardMatchesFiniteDifferences() {
        let net = Self.tinyNet(), B = 3
        var x = ConvTests.random(B * net.inputDims, seed: 21)
        let c: [Float] = [-1.2, 0.3, 0.9]
        let w = ConvTests.random(B * net.inputDims, seed: 22)
        func loss() -> Double {
            let y = net.forward(x: Tensor(shape: [B, net.inputDims], scalars: x), cNoise: c)
            return zip(y.scalars, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = loss()
        net.zeroGrad()
        let dx = net.backward(gradOutput: Tensor(shape: [B, net.inputDims], scalars: w))
        let grads = net.store.gradients
        let h: Float = 1e-2
        for (e, g) in zip(net.store.entries, grads) {
            var an: [Double] = [], fd: [Double] = []
            // Up to 12 coordinates per tensor, spread over it.
            let picks = Array(Set((0..<min(12, e.count)).map { $0 * e.count / min(12, e.count) })).sorted()
            for i in picks {
                let k = e.offset + i, v = net.store.values[k]
                net.store.values[k] = v + h; let lp = loss()
                net.store.values[k] = v - h; let lm = loss()
                net.store.values[k] = v
                an.append(Double(g.scalars[i])); fd.append((lp - lm) / Double(2 * h))
            }
            ConvTests.expectClose(an, fd, e.name, floor: 5e-3)
        }
        var an: [Double] = [], fd: [Double] = []
        for i in stride(from: 0, to: x.count, by: 7) {
            let v = x[i]
            x[i] = v + h; let lp = loss()
            x[i] = v - h; let lm = loss()
            x[i] = v
            an.append(Double(dx.scalars[i])); fd.append((lp - lm) / Double(2 * h))
        }
        ConvTests.expectClose(an, fd, "input")
    }

    @Test func predictMatchesForwardAndCopyMatchesOriginal() {
        let net = Self.tinyNet(), B = 5
        let x = RNG(seed: 3).normalTensor(shape: [B, net.inputDims])
        let c: [Float] = [-1, -0.5, 0, 0.5, 1]
        let y = net.forward(x: x, cNoise: c)
        let p = net.predict(x: x, cNoise: c)
        #expect(zip(y.scalars, p.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        #expect(net.copy().predict(x: x, cNoise: c) == p)
        // Rows are independent: a row predicted alone equals that row of the batch.
        let one = net.predict(x: x.rows(2..<3), cNoise: [c[2]])
        #expect(zip(one.scalars, p.rows(2..<3).scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    }

    @Test func trainingStepIsDeterministicAcrossThreadCounts() {
        func step(threads: Int) -> [Float] {
            let saved = Parallel.threads
            Parallel.threads = threads
            defer { Parallel.threads = saved }
            let net = Self.tinyNet()
            let x = RNG(seed: 4).normalTensor(shape: [4, net.inputDims])
            _ = net.forward(x: x, cNoise: [0, 0.1, 0.2, 0.3])
            net.zeroGrad()
            _ = net.backward(gradOutput: x)
            return net.store.gradients.flatMap(\.scalars)
        }
        #expect(step(threads: 1) == step(threads: 2))
    }
}
