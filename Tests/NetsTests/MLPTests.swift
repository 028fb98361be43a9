import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

struct MLPTests {
    @Test func sameSeedSameWeights() {
        let a = MLP(inputDims: 2, width: 32, depth: 2, seed: 5), b = MLP(inputDims: 2, width: 32, depth: 2, seed: 5)
        let c = MLP(inputDims: 2, width: 32, depth: 2, seed: 6)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        #expect(
            a.store.entries.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.1.weight",
                "layers.1.bias", "layers.2.weight", "layers.2.bias",
            ])
        #expect(a.store.entry("layers.0.weight")!.shape == [32, 2 + 32])
        #expect(a.store.entry("layers.2.weight")!.shape == [2, 32])
    }

    @Test(arguments: [false, true])
    func predictEqualsForwardAndCopyIsIndependent(residual: Bool) {
        let net = MLP(inputDims: 2, width: 64, depth: 4, residual: residual, seed: 1)
        let x = RNG(seed: 1).normalTensor(shape: [100, 2])
        let c = RNG(seed: 2).normalTensor(shape: [100]).scalars
        let y = net.forward(x: x, cNoise: c)
        #expect(net.predict(x: x, cNoise: c) == y)
        #expect(net(x, cNoise: c) == y)
        let target = net.copy()
        #expect(target.predict(x: x, cNoise: c) == y)
        net.store.values[0] += 1
        #expect(target.predict(x: x, cNoise: c) == y)
        #expect(net.predict(x: x, cNoise: c) != y)
    }

    /// Gradients accumulate across backward calls until zeroGrad; batch size may change.
    /// 7 rows run as one part, 70 as two halves (the second half's own buffer is added).
    @Test(arguments: [7, 70]) func gradientsAccumulate(rows: Int) {
        let net = MLP(inputDims: 2, width: 24, depth: 2, seed: 2)
        let x = RNG(seed: 3).normalTensor(shape: [rows, 2]), c = (0..<rows).map { Float($0) * 0.1 }
        let g = RNG(seed: 4).normalTensor(shape: [rows, 2])
        net.zeroGrad()
        _ = net.forward(x: x, cNoise: c); _ = net.backward(gradOutput: g)
        let once = net.gradients
        _ = net.forward(x: x, cNoise: c); _ = net.backward(gradOutput: g)
        for (a, b) in zip(net.gradients, once) {
            for (u, v) in zip(a.scalars, b.scalars) { #expect(abs(u - 2 * v) <= 1e-6 * max(1, abs(v))) }
        }
        net.zeroGrad()
        #expect(net.gradients.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        _ = net.forward(x: x, cNoise: c); net.backwardParameters(gradOutput: g)
        #expect(net.gradients == once)
        net.zeroGrad()
        _ = net.forward(x: x.rows(0..<3), cNoise: Array(c[0..<3]))
        #expect(net.backward(gradOutput: g.rows(0..<3)).shape == [3, 2])
    }

    /// The same inputs give bit-identical results on one and on two threads.
    @Test func deterministicAcrossThreadCounts() {
        let net = MLP(inputDims: 2, width: 64, depth: 3, seed: 3)
        let x = RNG(seed: 5).normalTensor(shape: [300, 2]), c = RNG(seed: 6).normalTensor(shape: [300]).scalars
        let g = RNG(seed: 7).normalTensor(shape: [300, 2])
        func run() -> ([Tensor], Tensor) {
            net.zeroGrad()
            let y = net.forward(x: x, cNoise: c)
            _ = net.backward(gradOutput: g)
            return (net.gradients, y)
        }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = run()
        Parallel.threads = 2
        let two = run()
        #expect(one.0 == two.0 && one.1 == two.1)
    }

    /// A few hundred Adam steps fit a smooth target: the whole training loop works.
    @Test func trainingReducesLoss() {
        let net = MLP(inputDims: 2, width: 64, depth: 2, seed: 4)
        let adam = Adam(net.store, learningRate: 3e-3)
        let x = RNG(seed: 8).normalTensor(shape: [128, 2]), c = RNG(seed: 9).normalTensor(shape: [128]).scalars
        let target = Tensor(
            shape: [128, 2],
            scalars: (0..<256).map { i in Float(Foundation.sin(Double(x.scalars[i]) + Double(c[i / 2]))) })
        func loss() -> (Float, Tensor) {
            let y = net.forward(x: x, cNoise: c)
            let d = try! y - target
            return (d.scalars.reduce(0) { $0 + $1 * $1 } / 256, d * (2 / 256))
        }
        let first = loss().0
        for _ in 0..<300 {
            net.zeroGrad()
            let (_, g) = loss()
            _ = net.backward(gradOutput: g)
            adam.update(net.store)
        }
        #expect(loss().0 < 0.05 * first)
    }
}

extension MLPTests {
    @Test func emptyBatch() {
        let net = MLP(inputDims: 2, width: 8, depth: 2, seed: 1)
        #expect(net.forward(x: Tensor(shape: [0, 2]), cNoise: []).shape == [0, 2])
        #expect(net.backward(gradOutput: Tensor(shape: [0, 2])).shape == [0, 2])
        #expect(net.predict(x: Tensor(shape: [0, 2]), cNoise: []).shape == [0, 2])
    }
}
