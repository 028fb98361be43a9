import Tensors

/// The paper's ODE error: how far a student's samples land from the teacher solver's
/// output started from the *same* initial noise.
///
/// Convention (one number per element, so it does not grow with `dims`):
/// `perSample[i] = ‖s_i − t_i‖² / d` (the mean squared difference over the `d`
/// coordinates of sample `i`) and `mean = (1/n)·Σ_i perSample[i]`, which is the mean
/// squared difference over all `n·d` elements — NumPy's `((s − t)**2).mean()`.
/// Multiply by `d` for the mean squared L2 distance per sample.
public struct ODEError: Sendable, Equatable {
    /// Mean squared difference over all elements.
    public let mean: Double
    /// `‖s_i − t_i‖² / d` per sample.
    public let perSample: [Double]
}

/// ODE error between `student` and `teacher` samples, row `i` of each from the same
/// initial noise (see ``ODEError`` for the convention).
/// Throws for empty or mismatched batches and for non-finite values.
public func odeError(student: Batch, teacher: Batch) throws(MetricError) -> ODEError {
    try checkPair(student, "student samples", teacher, "teacher samples", in: "ode_error")
    guard student.count == teacher.count else {
        throw MetricError(
            "ode_error: \(student.count) student samples but \(teacher.count) teacher samples; row i of each must come from the same noise"
        )
    }
    let d = student.dims
    var perSample = [Double](repeating: 0, count: student.count)
    for i in 0..<student.count {
        var s = 0.0
        for k in (i * d)..<((i + 1) * d) { let e = student.values[k] - teacher.values[k]; s += e * e }
        perSample[i] = s / Double(d)
    }
    return ODEError(mean: perSample.reduce(0, +) / Double(student.count), perSample: perSample)
}
