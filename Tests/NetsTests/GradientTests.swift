import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

// Tolerance: the analytic gradients are computed in Float32 (sums of ≤ a few hundred
// products, relative rounding ≈ √K·2⁻²⁴ ≈ 1e-6), the numeric ones by central differences
// (h = 1e-6) of the Double reference, whose error is O(h²) plus 1e-16/h ≈ 1e-10. A
// relative error of 1e-3 (against |n| + RMS) therefore has two orders of margin, while a
// wrong term (a missing factor, a transposed index) gives errors of order 1.

struct GradientTests {
    let h = 1e-6

    @Test func linearMatchesFiniteDifferences() {
        let store = ParameterStore(layout: Linear.layout("fc", inputs: 5, outputs: 3))
        let fc = Linear("fc", in: store)
        fc.initialize(store, rng: RNG(seed: 1))
        store.setValue("fc.bias", Tensor(shape: [3], scalars: [0.1, -0.2, 0.3]))
        let x = RNG(seed: 2).normalTensor(shape: [4, 5]), g = RNG(seed: 3).normalTensor(shape: [4, 3])
        let w = doubles(store.value("fc.weight")!), b = doubles(store.value("fc.bias")!)
        func loss(_ w: [Double], _ b: [Double], _ x: [Double]) -> Double {
            var y: [Double] = []
            for r in 0..<4 {
                for i in 0..<3 { y.append(b[i] + (0..<5).reduce(0) { $0 + w[i * 5 + $1] * x[r * 5 + $1] }) }
            }
            return dot(y, doubles(g))
        }
        let y = fc.forward(x, store)
        store.zeroGrad()
        let dx = fc.backward(input: x, gradOutput: g, store)
        #expect(abs(dot(doubles(y), doubles(g)) - loss(w, b, doubles(x))) < 1e-4)
        let xd = doubles(x)
        let nW = w.indices.map { i -> Double in
            var p = w, m = w; p[i] += h; m[i] -= h
            return (loss(p, b, xd) - loss(m, b, xd)) / (2 * h)
        }
        let nB = b.indices.map { i -> Double in
            var p = b, m = b; p[i] += h; m[i] -= h
            return (loss(w, p, xd) - loss(w, m, xd)) / (2 * h)
        }
        let nX = xd.indices.map { i -> Double in
            var p = xd, m = xd; p[i] += h; m[i] -= h
            return (loss(w, b, p) - loss(w, b, m)) / (2 * h)
        }
        #expect(relativeError(doubles(store.gradient("fc.weight")!), nW) < 1e-3)
        #expect(relativeError(doubles(store.gradient("fc.bias")!), nB) < 1e-3)
        #expect(relativeError(doubles(dx), nX) < 1e-3)
    }

    @Test func siluMatchesReferenceAndFiniteDifferences() {
        // Values across the range, including the saturated tails and both lane paths (8 + 3).
        let z = Tensor(shape: [11], scalars: [-30, -8, -3, -1, -0.25, 0, 0.3, 1, 2.5, 7, 40])
        let g = RNG(seed: 4).normalTensor(shape: [11])
        let (u, s) = SiLU.forward(z)
        for i in 0..<11 {
            let zd = Double(z.scalars[i])
            // The documented bound of fastSigmoid, 1.6e-7·(1 + |z|) relative, plus an ulp for u = z·σ.
            #expect(abs(Double(s.scalars[i]) - sigmoidD(zd)) <= 1.6e-7 * (1 + abs(zd)) * sigmoidD(zd) + 1e-38)
            #expect(abs(Double(u.scalars[i]) - siluD(zd)) <= 2.2e-7 * (1 + abs(zd)) * abs(siluD(zd)) + 1e-38)
        }
        // A NaN (a diverged network) stays a NaN instead of being clamped away.
        let nan = SiLU.forward(Tensor(shape: [9], scalars: [Float](repeating: .nan, count: 9))).output
        #expect(nan.scalars.allSatisfy { $0.isNaN })
        let dz = SiLU.backward(gradOutput: g, output: u, sigmoid: s)
        let numeric = (0..<11).map { i -> Double in
            let zd = Double(z.scalars[i])
            return Double(g.scalars[i]) * (siluD(zd + h) - siluD(zd - h)) / (2 * h)
        }
        #expect(relativeError(doubles(dz), numeric) < 1e-3)
    }

    @Test func fourierFeaturesMatchReferenceAndFiniteDifferences() {
        let f = FourierFeatures(count: 11, minFrequency: 1, maxFrequency: 128)
        #expect(abs(f.frequencies[0] - 1) < 1e-6 && abs(f.frequencies[10] - 128) < 1e-4)
        let c: [Float] = [-1.55, -0.7, 0, 0.01, 0.5, 1.1, 3, -12]
        let phi = f.forward(c)
        #expect(phi.shape == [8, 22])
        for r in 0..<8 {
            for k in 0..<11 {
                let theta = Double(f.frequencies[k]) * Double(c[r])
                // Float32 angle rounding alone is |θ|·2⁻²⁴ (≈ 1e-4 at θ = 1500).
                let tol = 4e-7 + abs(theta) * 1.2e-7
                #expect(abs(Double(phi.scalars[r * 22 + k]) - Foundation.sin(theta)) < tol)
                #expect(abs(Double(phi.scalars[r * 22 + 11 + k]) - Foundation.cos(theta)) < tol)
            }
        }
        let g = RNG(seed: 5).normalTensor(shape: [8, 22])
        let dc = f.backward(cNoise: c, gradOutput: g)
        let w = f.frequencies.map(Double.init)
        func loss(_ r: Int, _ cr: Double) -> Double {
            (0..<11).reduce(0) {
                $0 + Double(g.scalars[r * 22 + $1]) * Foundation.sin(w[$1] * cr)
                    + Double(g.scalars[r * 22 + 11 + $1]) * Foundation.cos(w[$1] * cr)
            }
        }
        let numeric = (0..<8).map { r in (loss(r, Double(c[r]) + h) - loss(r, Double(c[r]) - h)) / (2 * h) }
        // The analytic derivative evaluates sin/cos at the Float32 angle, off by ≤ |θ|·2⁻²⁴
        // (1e-4 at θ ≈ 1500 for c = −12), well inside the 1e-3 tolerance.
        #expect(relativeError(dc.map(Double.init), numeric) < 1e-3)
    }

    /// Full MLP: every parameter and every input coordinate against central differences
    /// of the Double reference. Width 13 exercises the ragged (non-multiple-of-8) paths.
    @Test(arguments: [(false, 16), (true, 16), (false, 13), (true, 13)])
    func mlpMatchesFiniteDifferences(residual: Bool, width: Int) {
        let net = MLP(inputDims: 3, width: width, depth: 3, fourierFeatures: 4, residual: residual, seed: 7)
        // Non-zero biases so their gradients are tested through non-trivial activations.
        for e in net.store.entries where e.name.hasSuffix("bias") {
            net.store.setValue(e.name, RNG(seed: 8).stream(UInt64(e.offset)).normalTensor(shape: e.shape) * 0.3)
        }
        let batch = 5
        let x = RNG(seed: 9).normalTensor(shape: [batch, 3])
        let c: [Float] = [-1.5, -0.4, 0.2, 0.9, 1.1]
        let g = RNG(seed: 10).normalTensor(shape: [batch, 3])
        let ref = ReferenceMLP(net)
        let xd = doubles(x), cd = c.map(Double.init), gd = doubles(g)

        net.zeroGrad()
        let y = net.forward(x: x, cNoise: c)
        let dx = net.backward(gradOutput: g)
        let yRef = ref.forward(xd, cd)
        #expect(relativeError(doubles(y), yRef) < 1e-5)

        var analytic: [Double] = [], numeric: [Double] = []
        for e in net.store.entries {
            analytic += doubles(net.store.gradient(e.name)!)
            for i in 0..<e.count {
                var p = ref, m = ref
                p.params[e.name]![i] += h
                m.params[e.name]![i] -= h
                numeric.append((dot(p.forward(xd, cd), gd) - dot(m.forward(xd, cd), gd)) / (2 * h))
            }
        }
        #expect(relativeError(analytic, numeric) < 1e-3)
        let nX = xd.indices.map { i -> Double in
            var p = xd, m = xd; p[i] += h; m[i] -= h
            return (dot(ref.forward(p, cd), gd) - dot(ref.forward(m, cd), gd)) / (2 * h)
        }
        #expect(relativeError(doubles(dx), nX) < 1e-3)
    }

    /// The default 4×256 network at a realistic batch: forward against the reference,
    /// and a directional derivative of all parameters at once against the analytic one.
    @Test func defaultMLPMatchesReference() {
        let net = MLP(inputDims: 2, width: 256, depth: 4, fourierFeatures: 16, seed: 3)
        let batch = 64
        let x = RNG(seed: 11).normalTensor(shape: [batch, 2])
        let c = RNG(seed: 12).normalTensor(shape: [batch]).scalars.map { $0 * 0.7 }
        let g = RNG(seed: 13).normalTensor(shape: [batch, 2])
        let ref = ReferenceMLP(net)
        let xd = doubles(x), cd = c.map(Double.init), gd = doubles(g)
        net.zeroGrad()
        #expect(relativeError(doubles(net.forward(x: x, cNoise: c)), ref.forward(xd, cd)) < 1e-5)
        _ = net.backward(gradOutput: g)
        // d/dε L(θ + ε·v) at ε = 0 equals ⟨∇L, v⟩.
        var analytic = 0.0
        var p = ref, m = ref
        let hv = 1e-5
        for e in net.store.entries {
            let v = doubles(RNG(seed: 14).stream(UInt64(e.offset)).normalTensor(shape: [e.count]))
            analytic += dot(doubles(net.store.gradient(e.name)!), v)
            for i in 0..<e.count { p.params[e.name]![i] += hv * v[i]; m.params[e.name]![i] -= hv * v[i] }
        }
        let numeric = (dot(p.forward(xd, cd), gd) - dot(m.forward(xd, cd), gd)) / (2 * hv)
        #expect(abs(analytic - numeric) < 1e-3 * abs(numeric))
    }
}
