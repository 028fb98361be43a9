import Foundation
import Tensors

/// Sample mean and its standard error `sd/√n`.
func meanAndStandardError(_ v: [Double]) -> (mean: Double, se: Double) {
    let n = Double(v.count)
    let m = v.reduce(0, +) / n
    let variance = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    return (m, (variance / n).squareRoot())
}

/// `f(row)` for every row of `x`.
func perRow(_ x: Batch, _ f: (ArraySlice<Double>) -> Double) -> [Double] {
    (0..<x.count).map { f(x.row($0)) }
}

/// A batch from rows written out in the test.
func batch(_ rows: [[Double]]) -> Batch {
    Batch(count: rows.count, dims: rows.first?.count ?? 0, values: rows.flatMap { $0 })
}
