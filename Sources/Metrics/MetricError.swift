import Tensors

/// A metric that cannot be computed from its inputs: empty sets, mismatched
/// dimensions, non-finite values, too few points for the estimator. The message
/// names the metric and the value that was wrong.
public struct MetricError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

// Input checks shared by every metric: one error path.

/// Throws unless `x` has at least `minCount` rows, `dims > 0` and only finite values.
func check(_ x: Batch, _ role: String, in metric: String, minCount: Int = 1) throws(MetricError) {
    guard x.dims > 0 else { throw MetricError("\(metric): \(role) has 0 dims") }
    guard x.count >= minCount else {
        throw MetricError("\(metric): \(role) has \(x.count) points, need at least \(minCount)")
    }
    if let k = x.values.firstIndex(where: { !$0.isFinite }) {
        throw MetricError("\(metric): \(role) row \(k / x.dims) holds a non-finite value (\(x.values[k]))")
    }
}

/// Throws unless `a` and `b` are both valid and share `dims`.
func checkPair(
    _ a: Batch, _ aRole: String, _ b: Batch, _ bRole: String, in metric: String, minCount: Int = 1
) throws(MetricError) {
    try check(a, aRole, in: metric, minCount: minCount)
    try check(b, bRole, in: metric, minCount: minCount)
    guard a.dims == b.dims else {
        throw MetricError("\(metric): \(aRole) has \(a.dims) dims but \(bRole) has \(b.dims)")
    }
}

/// Throws unless `value` is a positive integer parameter.
func checkPositive(_ value: Int, _ name: String, in metric: String) throws(MetricError) {
    guard value > 0 else { throw MetricError("\(metric): \(name) = \(value) must be positive") }
}
