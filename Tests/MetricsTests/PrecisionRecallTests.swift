import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct PrecisionRecallTests {
    /// Identical sets: every point lies in its own ball, so precision = recall = 1 exactly.
    @Test func identicalSets() throws {
        let x = RNG(seed: 1).normalBatch(count: 300, dims: 2)
        #expect(try precisionRecall(real: x, generated: x) == PrecisionRecall(precision: 1, recall: 1))
    }

    /// Sets 100 apart (radii are a few units at most): both 0 exactly.
    @Test func farApartSets() throws {
        let x = RNG(seed: 1).normalBatch(count: 300, dims: 2), y = x.map { $0 + 100 }
        #expect(try precisionRecall(real: x, generated: y) == PrecisionRecall(precision: 0, recall: 0))
    }

    /// By hand, k = 1, on the x-axis. Real {0, 1, 2, 3}: every radius 1, manifold [−1, 4].
    /// Generated {0.2, 0.5, 10, 10.4}: radii 0.3, 0.3, 0.4, 0.4, manifold
    /// [−0.1, 0.8] ∪ [9.6, 10.8]. Precision: 0.2 and 0.5 are inside [−1, 4], 10 and 10.4 are
    /// not → 1/2. Recall: only 0 is inside → 1/4.
    @Test func handComputed() throws {
        let real = batch([[0, 0], [1, 0], [2, 0], [3, 0]])
        let generated = batch([[0.2, 0], [0.5, 0], [10, 0], [10.4, 0]])
        #expect(
            try precisionRecall(real: real, generated: generated, k: 1) == PrecisionRecall(precision: 0.5, recall: 0.25)
        )
    }

    /// Against a plain double-loop implementation (sorted distances, k-th entry), k = 5, in 3-D
    /// (direct distances) and 20-D (dgemm distances, several row blocks). The shares are
    /// counts, compared exactly.
    @Test(arguments: [3, 20])
    func matchesBruteForce(dims: Int) throws {
        let real = RNG(seed: 2).normalBatch(count: 260, dims: dims)
        let generated = RNG(seed: 3).normalBatch(count: 200, dims: dims).map {
            $0 * 0.8 + 1.5 / Double(dims).squareRoot()
        }
        func radii(_ s: Batch) -> [Double] {
            (0..<s.count).map { i in
                (0..<s.count).filter { $0 != i }.map { squaredDistance(s.row(i), s.row($0)).squareRoot() }.sorted()[4]
            }
        }
        func share(_ a: Batch, in b: Batch, _ r: [Double]) -> Double {
            Double(
                (0..<a.count).filter { i in
                    (0..<b.count).contains { squaredDistance(a.row(i), b.row($0)).squareRoot() <= r[$0] }
                }.count) / Double(a.count)
        }
        let expect = PrecisionRecall(
            precision: share(generated, in: real, radii(real)), recall: share(real, in: generated, radii(generated)))
        let got = try precisionRecall(real: real, generated: generated, k: 5)
        #expect(got == expect)
        #expect(got.precision > 0 && got.precision < 1 && got.recall > 0 && got.recall < 1, "\(got)")
    }

    @Test func rejectsBadInputs() {
        let x = RNG(seed: 1).normalBatch(count: 5, dims: 2)
        #expect(throws: MetricError.self) { try precisionRecall(real: x, generated: x, k: 5) } // needs k + 1 points
        #expect(throws: MetricError.self) { try precisionRecall(real: x, generated: x, k: 0) }
        #expect(throws: MetricError.self) { try precisionRecall(real: x, generated: batch([[0], [1], [2]]), k: 1) }
    }
}
