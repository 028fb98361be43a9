import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

@Suite struct UNetTests {
    /// A tiny U-Net with every parameter random (no zero-initialised layers), so every
    /// path carries gradient.
    static func tinyNet() -> UNet {
        randomized(UNet(channels: 2, height: 4, width: 6, baseWidth: 8, embedDims: 16, fourierFeatures: 4, seed: 1))
    }

    /// A narrow U-Net at 14 × 14, where a batch runs in slices of 16 images.
    static func slicedNet() -> UNet {
        randomized(UNet(channels: 1, height: 14, width: 14, baseWidth: 8, embedDims: 16, fourierFeatures: 4, seed: 2))
    }

    static func randomized(_ net: UNet) -> UNet {
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

    /// Values whose bits differ.
    static func differing(_ a: Tensor, _ b: Tensor) -> Int {
        a.shape != b.shape ? a.count : zip(a.scalars, b.scalars).filter { $0.bitPattern != $1.bitPattern }.count
    }

    /// Runs `body` with `Parallel.threads` set to `threads`.
    static func with<T>(threads: Int, _ body: () -> T) -> T {
        let saved = Parallel.threads
        Parallel.threads = threads
        defer { Parallel.threads = saved }
        return body()
    }

    /// A batch of 40 at 14 × 14 runs as slices of 16, 16 and 8 images: its prediction is
    /// each row's predicted alone, bit for bit, on one thread or two, again on a second
    /// call (idle workspaces and prepared filters reused), and follows new weights.
    @Test func predictionDoesNotDependOnSlicesOrThreads() {
        let net = Self.slicedNet(), B = 40
        #expect(net.sliceImages == 16)
        let x = RNG(seed: 5).normalTensor(shape: [B, net.inputDims])
        let c = (0..<B).map { Float($0) / 20 - 1 }
        let two = Self.with(threads: 2) { net.predict(x: x, cNoise: c) }
        #expect(Self.differing(Self.with(threads: 1) { net.predict(x: x, cNoise: c) }, two) == 0)
        #expect(Self.differing(Self.with(threads: 2) { net.predict(x: x, cNoise: c) }, two) == 0)
        for i in [0, 15, 16, 31, 32, 39] {
            let alone = net.predict(x: x.rows(i..<(i + 1)), cNoise: [c[i]])
            #expect(Self.differing(alone, two.rows(i..<(i + 1))) == 0, "row \(i)")
        }
        net.store.values[net.convIn.weightOffset] += 0.5
        let moved = net.predict(x: x, cNoise: c)
        #expect(Self.differing(moved, net.copy().predict(x: x, cNoise: c)) == 0)
        #expect(Self.differing(moved, two) > 0)
    }

    /// The backward of a batch of 40 (slices of 16, 16, 8) against three separate
    /// batches of those rows: its parameter gradient is their gradients added in slice
    /// order, (g₀ + g₁) + g₂, bit for bit (the 3 × 3 weights' included: each slice forms
    /// its own `dU`), and its input gradient their rows, on one thread or two alike; a
    /// second backward adds to the gradients already in the store.
    @Test func slicedBackwardAddsTheSlicesGradientsInOrder() {
        let net = Self.slicedNet(), B = 40, d = net.inputDims
        let x = RNG(seed: 6).normalTensor(shape: [B, d]), w = RNG(seed: 7).normalTensor(shape: [B, d])
        let c = (0..<B).map { Float($0) / 10 - 2 }
        func gradients(_ rows: Range<Int>, threads: Int) -> (params: [Float], input: Tensor) {
            Self.with(threads: threads) {
                net.zeroGrad()
                _ = net.forward(x: x.rows(rows), cNoise: Array(c[rows]))
                let dx = net.backward(gradOutput: w.rows(rows))
                return (Array(UnsafeBufferPointer(start: net.store.grads, count: net.store.count)), dx)
            }
        }
        let parts = [0..<16, 16..<32, 32..<40].map { gradients($0, threads: 2) }
        let summed = (0..<net.store.count).map { i in (parts[0].params[i] + parts[1].params[i]) + parts[2].params[i] }
        let input = parts.flatMap(\.input.scalars)
        var whole: [[Float]] = []
        for threads in [1, 2] {
            let w = gradients(0..<B, threads: threads)
            whole.append(w.params)
            #expect(Self.differing(w.input, Tensor(shape: [B, d], scalars: input)) == 0, "\(threads) threads")
            for e in net.store.entries {
                let r = e.offset..<(e.offset + e.count)
                #expect(r.allSatisfy { w.params[$0].bitPattern == summed[$0].bitPattern }, "\(e.name)")
            }
        }
        #expect(whole[0] == whole[1])
        // Accumulation: a second backward of the same forward doubles the gradient, to
        // the rounding of adding onto a nonzero store (a few ulps of the largest value).
        _ = net.backward(gradOutput: w)
        let twice = Array(UnsafeBufferPointer(start: net.store.grads, count: net.store.count))
        let scale = summed.map(abs).max() ?? 0
        #expect(scale > 0)
        #expect(zip(twice, summed).allSatisfy { abs($0 - 2 * $1) <= 1e-5 * scale })
        #expect(zip(twice, summed).contains { $0 != $1 })
    }

    @Test func trainingStepIsDeterministicAcrossThreadCounts() {
        func step() -> [Float] {
            let net = Self.tinyNet()
            let x = RNG(seed: 4).normalTensor(shape: [4, net.inputDims])
            _ = net.forward(x: x, cNoise: [0, 0.1, 0.2, 0.3])
            net.zeroGrad()
            _ = net.backward(gradOutput: x)
            return net.store.gradients.flatMap(\.scalars)
        }
        #expect(Self.with(threads: 1) { step() } == Self.with(threads: 2) { step() })
    }
}
