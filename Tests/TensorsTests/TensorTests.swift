import Testing

@testable import Tensors

@Suite struct TensorTests {
    /// sgemm against a triple loop in Double, for every transpose combination.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaiveProduct(ta: Bool, tb: Bool) {
        let m = 5, k = 7, n = 3
        let rng = RNG(seed: 11)
        let a = rng.normalTensor(shape: ta ? [k, m] : [m, k])
        let b = rng.stream(1).normalTensor(shape: tb ? [n, k] : [k, n])
        let c = a.matmul(b, transposeSelf: ta, transposeOther: tb)
        #expect(c.shape == [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(ta ? a[p, i] : a[i, p]) * Double(tb ? b[j, p] : b[p, j]) }
                // Float32 products of 7 terms of size O(1): |error| ≲ 7·2⁻²⁴·Σ|terms| < 1e-5.
                #expect(abs(Double(c[i, j]) - s) < 1e-5)
            }
        }
    }

    @Test func broadcastingFollowsNumPy() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor(shape: [3], scalars: [10, 20, 30])
        let col = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect(try (a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect(try (a * col).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect(try (col - row).shape == [2, 3])
        #expect(try (col - row).scalars == [90, 80, 70, 190, 180, 170])
        #expect(try (a / Tensor(2)).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(try broadcastShape([4, 1, 3], [2, 1]) == [4, 2, 3])
        #expect(throws: ShapeError.self) { try a + Tensor(shape: [2], scalars: [1, 2]) }
    }

    @Test func reductions() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(a.sum() == 10)
        #expect(a.mean() == 2.5)
        #expect(abs(a.standardDeviation() - 1.25.squareRoot()) < 1e-12)
        #expect(a.sumRows().scalars == [4, 6])
        #expect(a.minMax()! == (1, 4))
        #expect(a.rows(1..<2).scalars == [3, 4])
        #expect(abs(a.norm() - 30.0.squareRoot()) < 1e-12)
    }

    @Test func batchConversions() {
        let b = Batch(count: 2, dims: 2, values: [0.5, 1, 1.5, 2])
        #expect(Batch(b.tensor) == b)
        #expect(Batch.axpy(b, 2, b).values == [1.5, 3, 4.5, 6])
        #expect(b.meanSquaredDistance(to: Batch(count: 2, dims: 2)) == (0.25 + 1 + 2.25 + 4) / 2)
        #expect(b.rows(at: [1, 0]).values == [1.5, 2, 0.5, 1])
    }
}
