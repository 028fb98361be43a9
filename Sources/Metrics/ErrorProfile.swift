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
    /// `perSample[n][i] = ‖f(x_n, σ_n) − x_{N−1}‖²/d` for sample i: `error[n]` is its mean.
    public let perSample: [[Double]]

    /// The `q`-quantiles of the per-sample error at each σ (`result[k][n]` for `qs[k]`),
    /// over the samples in `among` (all when nil); NaN where `among` is empty.
    /// Quantiles interpolate linearly between order statistics (NumPy's default).
    public func quantiles(_ qs: [Double], among: [Int]? = nil) -> [[Double]] {
        let sorted = perSample.map { row in (among.map { $0.map { row[$0] } } ?? row).sorted() }
        return qs.map { q in sorted.map { interpolatedQuantile($0, q) } }
    }

    /// The mean per-sample error at each σ over the samples in `among`.
    public func meanError(among: [Int]) -> [Double] {
        perSample.map { row in among.isEmpty ? .nan : among.reduce(0) { $0 + row[$1] } / Double(among.count) }
    }
}

/// The `q`-quantile of sorted values, linear between order statistics; NaN for none.
func interpolatedQuantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let pos = min(max(q, 0), 1) * Double(sorted.count - 1)
    let i = Int(pos), f = pos - Double(i)
    return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
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
    var perSample: [[Double]] = []
    for (n, x) in trajectory.states.enumerated() {
        let f = student.denoise(x, sigma: trajectory.sigmas[n])
        predictions.append(f)
        error.append(f.meanSquaredDistance(to: final) / d)
        perSample.append(
            (0..<final.count).map { i in
                zip(f.row(i), final.row(i)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / d
            })
    }
    let gap = (0..<(predictions.count - 1)).map { predictions[$0].meanSquaredDistance(to: predictions[$0 + 1]) / d }
    return ErrorProfile(sigmas: trajectory.sigmas, error: error, gap: gap, perSample: perSample)
}
