import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// The U-Net's slice-sized linear products (``Linear/multiplySmallBatch(_:batch:transposed:into:)``
/// and its two gradients) against the same products in Double: each element within the
/// bound for a sum of k products rounded in any order, γ_k·Σ|terms| with γ_k = k·u/(1 − k·u),
/// u = 2⁻²⁴. A transposed index or a missing term gives errors of the size of the terms.
@Suite struct LinearSmallBatchTests {
    @Test(arguments: [(16, 256, 128), (16, 64, 256), (5, 7, 3)])
    func productsAreTheDoubleProducts(batch: Int, inputs: Int, outputs: Int) {
        let store = ParameterStore(layout: Linear.layout("fc", inputs: inputs, outputs: outputs))
        let fc = Linear("fc", in: store)
        fc.initialize(store, rng: RNG(seed: 1))
        let x = RNG(seed: 2).normalTensor(shape: [batch, inputs]).scalars
        let dy = RNG(seed: 3).normalTensor(shape: [batch, outputs]).scalars
        let w = Array(UnsafeBufferPointer(start: store.values + fc.weightOffset, count: inputs * outputs))
        let filters = WinogradFilters([], linears: [fc])
        filters.prepare(store)
        var y = [Float](repeating: 0, count: batch * outputs), dx = [Float](repeating: 1, count: batch * inputs)
        store.zeroGrad()
        fc.multiplySmallBatch(x, batch: batch, transposed: filters.transposed(fc)!, into: &y)
        fc.accumulateWeightGradientSmallBatch(gradOutput: dy, input: x, batch: batch, store)
        fc.inputGradientSmallBatch(gradOutput: dy, batch: batch, store, accumulate: true, into: &dx)
        let dw = Array(UnsafeBufferPointer(start: store.grads + fc.weightOffset, count: inputs * outputs))
        let u = Double(Float.ulpOfOne) / 2
        func outside(
            _ got: [Float], rows: Int, cols: Int, k: Int, start: Double, _ term: (Int, Int, Int) -> Double
        )
            -> Int
        {
            let gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
            var bad = 0
            for i in 0..<rows {
                for j in 0..<cols {
                    var exact = start, size = abs(start)
                    for p in 0..<k {
                        let t = term(i, j, p)
                        exact += t; size += abs(t)
                    }
                    if abs(Double(got[i * cols + j]) - exact) > gamma * size { bad += 1 }
                }
            }
            return bad
        }
        // y = x·Wᵀ; dW = dYᵀ·x (onto zero); dX = 1 + dY·W.
        #expect(
            outside(y, rows: batch, cols: outputs, k: inputs, start: 0) { i, j, p in
                Double(x[i * inputs + p]) * Double(w[j * inputs + p])
            } == 0)
        #expect(
            outside(dw, rows: outputs, cols: inputs, k: batch, start: 0) { i, j, p in
                Double(dy[p * outputs + i]) * Double(x[p * inputs + j])
            } == 0)
        #expect(
            outside(dx, rows: batch, cols: inputs, k: outputs, start: 1) { i, j, p in
                Double(dy[i * outputs + p]) * Double(w[p * inputs + j])
            } == 0)
    }
}
