import Foundation
import Tensors

// Helpers more than one test target needs (a library target under Tests/, not shipped).

/// Sample mean and its standard error `sd/√n`.
public func meanAndStandardError(_ v: [Double]) -> (mean: Double, se: Double) {
    let n = Double(v.count)
    let m = v.reduce(0, +) / n
    let variance = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)
    return (m, (variance / n).squareRoot())
}

/// `f(row)` for every row of `x`.
public func perRow(_ x: Batch, _ f: (ArraySlice<Double>) -> Double) -> [Double] {
    (0..<x.count).map { f(x.row($0)) }
}

/// A batch from rows written out in the test.
public func batch(_ rows: [[Double]]) -> Batch {
    Batch(count: rows.count, dims: rows.first?.count ?? 0, values: rows.flatMap { $0 })
}
