import Diffusion
import Tensors

/// Where along the σ grid a student's error sits, measured on the teacher's own
/// trajectories `x_0 = x(σ_0), …, x_{N−1} = x(σ_{N−1})` (a recorded solve).
public struct ErrorProfile: Sendable, Equatable {
    /// The σ of each point of the profile.
    public let sigmas: [Double]
    /// `mean ‖f(x_n, σ_n) − x_{N−1}‖²/d` for each n: the error of the consistency
    /// function at level n against the teacher's solution from that very point (the
    /// trajectory's end, since the solver is deterministic).
    public let error: [Double]
    /// `mean ‖f(x_n, σ_n) − f(x_{n+1}, σ_{n+1})‖²/d` for n = 0 … N−2: the self-consistency
    /// gap between neighbouring points of one trajectory (what the CM loss sees).
    public let gap: [Double]
}

/// The per-σ error and self-consistency gap of `student` along `trajectory`.
public func errorProfile(of student: Denoiser, along trajectory: Trajectory) throws(MetricError) -> ErrorProfile {
    let final = trajectory.final
    guard final.count > 0, student.dims == final.dims else {
        throw MetricError("error_profile: the student has \(student.dims) dims, the trajectory \(final.dims)")
    }
    let d = Double(final.dims)
    var predictions: [Batch] = []
    var error: [Double] = []
    for (n, x) in trajectory.states.enumerated() {
        let f = student.denoise(x, sigma: trajectory.sigmas[n])
        predictions.append(f)
        error.append(f.meanSquaredDistance(to: final) / d)
    }
    let gap = (0..<(predictions.count - 1)).map { predictions[$0].meanSquaredDistance(to: predictions[$0 + 1]) / d }
    return ErrorProfile(sigmas: trajectory.sigmas, error: error, gap: gap)
}
