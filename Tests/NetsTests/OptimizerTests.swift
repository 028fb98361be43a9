import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

struct OptimizerTests {
    /// A store with one [20] tensor and one [3, 3] tensor (padding between them).
    func store(values: [Float], grads: [Float]) -> ParameterStore {
        let s = ParameterStore(layout: [("a", [20]), ("b", [3, 3])])
        s.setValue("a", Tensor(shape: [20], scalars: Array(values[0..<20])))
        s.setValue("b", Tensor(shape: [3, 3], scalars: Array(values[20..<29])))
        let ea = s.entry("a")!, eb = s.entry("b")!
        for i in 0..<20 { s.grads[ea.offset + i] = grads[i] }
        for i in 0..<9 { s.grads[eb.offset + i] = grads[20 + i] }
        return s
    }

    func flat(_ s: ParameterStore, grads: Bool = false) -> [Float] {
        (grads ? s.gradients : s.parameters).flatMap(\.scalars)
    }

    func randomValues(_ seed: UInt64) -> [Float] { RNG(seed: seed).normalTensor(shape: [29]).scalars }

    /// Step 1 with bias correction: m̂ = g, v̂ = g², so Δθ = −lr·g/(|g| + ε) = −lr·sign(g)
    /// up to the relative term ε/|g| ≤ 1e-8/1e-3.
    @Test(arguments: [true, false]) func adamFirstStepIsLearningRateTimesSign(vector: Bool) {
        let theta = randomValues(1)
        var g = randomValues(2)
        g[3] = 1e-3; g[4] = -250
        let s = store(values: theta, grads: g)
        let adam = Adam(s, learningRate: 0.01)
        adam.update(s, vectorKernel: vector)
        for (i, p) in flat(s).enumerated() {
            let expected = theta[i] - 0.01 * (g[i] > 0 ? 1 : -1)
            #expect(abs(p - expected) <= 2e-7 * max(1, abs(theta[i])), "parameter \(i)")
        }
        #expect(adam.step == 1)
    }

    /// Adam over several steps against a Double implementation of the update rule. (The
    /// Adam tests run the AVX2 body and the Swift one: 29 parameters are three vectors
    /// and a scalar tail.)
    @Test(arguments: [true, false]) func adamMatchesReferenceOverSteps(vector: Bool) {
        let theta0 = randomValues(3)
        let s = store(values: theta0, grads: randomValues(4))
        let adam = Adam(s, learningRate: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: .l2(0.1))
        var p = theta0.map(Double.init), m = [Double](repeating: 0, count: 29), v = m
        for t in 1...5 {
            let g = randomValues(UInt64(10 + t))
            let eA = s.entry("a")!, eB = s.entry("b")!
            for i in 0..<20 { s.grads[eA.offset + i] = g[i] }
            for i in 0..<9 { s.grads[eB.offset + i] = g[20 + i] }
            adam.update(s, vectorKernel: vector)
            for i in 0..<29 {
                let gi = Double(g[i]) + 0.1 * p[i]
                m[i] = 0.8 * m[i] + 0.2 * gi
                v[i] = 0.95 * v[i] + 0.05 * gi * gi
                let mh = m[i] / (1 - Foundation.pow(0.8, Double(t))), vh = v[i] / (1 - Foundation.pow(0.95, Double(t)))
                p[i] -= 0.05 * mh / (vh.squareRoot() + 1e-6)
            }
        }
        for (a, b) in zip(flat(s), p) { #expect(abs(Double(a) - b) < 1e-5) }
    }

    /// AdamW with a zero gradient only decays: θ ← (1 − lr·λ)·θ each step.
    @Test(arguments: [true, false]) func adamWDecoupledDecay(vector: Bool) {
        let theta = randomValues(5)
        let s = store(values: theta, grads: [Float](repeating: 0, count: 29))
        let adam = Adam.adamW(s, learningRate: 0.1, weightDecay: 0.5)
        for _ in 0..<3 { adam.update(s, vectorKernel: vector) }
        let factor = Foundation.pow(1 - 0.1 * 0.5, 3.0)
        for (a, t) in zip(flat(s), theta) { #expect(abs(Double(a) - factor * Double(t)) < 1e-6) }
        // With a gradient, AdamW = decay then the plain Adam step: first step is
        // θ(1 − lr·λ) − lr·sign(g).
        let g = randomValues(6)
        let s2 = store(values: theta, grads: g)
        Adam.adamW(s2, learningRate: 0.1, weightDecay: 0.5).update(s2, vectorKernel: vector)
        for (i, a) in flat(s2).enumerated() {
            #expect(abs(a - (theta[i] * 0.95 - 0.1 * (g[i] > 0 ? 1 : -1))) < 1e-6)
        }
    }

    @Test func clippingScalesNormToMax() {
        let g = randomValues(7)
        let s = store(values: randomValues(8), grads: g)
        let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(s.gradientNorm() - norm) < 1e-6 * norm)
        let before = clipGradientNorm(s, maxNorm: norm / 4)
        #expect(abs(before - norm) < 1e-6 * norm)
        #expect(abs(s.gradientNorm() - norm / 4) < 1e-6 * norm)
        for (a, b) in zip(flat(s, grads: true), g) { #expect(abs(a - b / 4) < 1e-6) } // direction kept
        // Below the limit nothing changes.
        let unchanged = flat(s, grads: true)
        clipGradientNorm(s, maxNorm: norm)
        #expect(flat(s, grads: true) == unchanged)
    }

    /// EMA: with a constant online θ, θ⁻_k = μᵏθ⁻_0 + (1 − μᵏ)θ; with a moving θ_t,
    /// θ⁻_k = μᵏθ⁻_0 + Σ_t (1 − μ)μ^{k−t}θ_t.
    @Test func emaMatchesClosedForm() {
        let mu: Float = 0.95, k = 30
        let target0 = randomValues(9), online = randomValues(10)
        let target = store(values: target0, grads: target0), net = store(values: online, grads: online)
        let ema = EMA(decay: mu)
        for _ in 0..<k { ema.update(target: target, online: net) }
        let muk = Foundation.pow(Double(mu), Double(k))
        for (i, a) in flat(target).enumerated() {
            #expect(abs(Double(a) - (muk * Double(target0[i]) + (1 - muk) * Double(online[i]))) < 2e-6)
        }
        let moving = store(values: target0, grads: target0)
        var expected = target0.map { Double($0) * Foundation.pow(0.9, 5) }
        for t in 1...5 {
            let theta = randomValues(UInt64(20 + t))
            EMA(decay: 0.9).update(target: moving, online: store(values: theta, grads: theta))
            for i in 0..<29 { expected[i] += 0.1 * Foundation.pow(0.9, Double(5 - t)) * Double(theta[i]) }
        }
        for (a, b) in zip(flat(moving), expected) { #expect(abs(Double(a) - b) < 1e-6) }
        // μ = 0 copies the online weights exactly.
        EMA(decay: 0).update(target: moving, online: net)
        #expect(flat(moving) == online)
    }
}
