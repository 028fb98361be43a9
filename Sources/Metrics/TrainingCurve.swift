import Distillation
import Tensors

/// Metrics against training time: every measure at each snapshot of a student
/// (`distill(…, snapshots: [...])`) and at its final weights, so that orderings between
/// students can be seen to change as training goes on.
public struct TrainingCurve: Sendable, Equatable {
    /// Iterations trained at each point of the curve, increasing; the last is the final student.
    public let iterations: [Int]
    /// Names of the measures, in the order given.
    public let names: [String]
    /// `values[m][p]`: measure `names[m]` at point `p`.
    public let values: [[Double]]

    public func values(of name: String) -> [Double]? { names.firstIndex(of: name).map { values[$0] } }
}

/// A measure of one sample set (the student's samples from the shared noise).
public typealias SampleMeasure = (name: String, measure: (Batch) throws(MetricError) -> Double)

/// Samples `student`'s snapshots and its final weights from `noise` in `steps` steps
/// (re-noising seeded by `seed`, as ``ConsistencyStudent/sample(_:steps:seed:)``) and
/// applies every measure to each sample set.
public func trainingCurve(
    of student: ConsistencyStudent, noise: Batch, steps: Int, seed: UInt64 = 0,
    measures: [SampleMeasure],
    shouldStop: () -> Bool = { false }
) throws(MetricError) -> TrainingCurve {
    guard !measures.isEmpty else { throw MetricError("training_curve: no measures to take") }
    try check(noise, "noise", in: "training_curve")
    let points = student.snapshots + [student]
    var values = [[Double]](repeating: [], count: measures.count)
    for s in points {
        if shouldStop() { throw MetricError("training_curve: interrupted") }
        let x: Batch
        do { x = try s.sample(noise, steps: steps, seed: seed) } catch {
            throw MetricError("training_curve: \(error.message)")
        }
        for (m, measure) in measures.enumerated() { values[m].append(try measure.measure(x)) }
    }
    return TrainingCurve(iterations: points.map(\.iterations), names: measures.map(\.name), values: values)
}
