import Diffusion
import Tensors

/// A student's error split into the part along the data and the part across it.
///
/// For a student's sample `x` and the teacher's sample `x̂` from the same noise, the
/// error `e = x − x̂` is split by the teacher's denoiser at a small σ, which keeps what
/// lies along the data and removes what lies off it:
///
///     along  = D(x; σ) − D(x̂; σ)     (the part the denoiser keeps: a move along the data)
///     across = e − along              (the part it removes: off the data)
///
/// On a thin curve (a ring of many modes, σ above its thickness) `D(·; σ)` is the
/// projection onto the curve, so `along` is the tangential and `across` the radial part
/// of `e` (`why.cml`'s split); it needs no knowledge of the data's shape, so it works in
/// any dimension and for learned teachers. On ring8 at σ between the mode std and the
/// mode spacing, `along` is the move between modes and `across` the error within or off
/// them. The two parts need not be orthogonal, so `along + across` need not equal
/// `total`. All three are per element, as ``ODEError``: mean over samples of `‖·‖²/d`.
public struct ErrorSplit: Sendable, Equatable {
    public let sigma: Double
    /// Mean `‖D(x; σ) − D(x̂; σ)‖²/d`.
    public let along: Double
    /// Mean `‖e − (D(x; σ) − D(x̂; σ))‖²/d`.
    public let across: Double
    /// Mean `‖e‖²/d`: the ODE error.
    public let total: Double
    /// `across/(along + across)`: the share of the error that leaves the data.
    public var acrossShare: Double { along + across > 0 ? across / (along + across) : 0 }
}

/// Splits `samples − reference` (row `i` of each from the same noise) along and across
/// the data with `teacher` at `sigma` (see ``ErrorSplit``).
public func errorSplit(
    samples: Batch, reference: Batch, teacher: Denoiser,
    sigma: Double
) throws(MetricError) -> ErrorSplit {
    try checkPair(samples, "samples", reference, "reference", in: "error_split")
    guard samples.count == reference.count else {
        throw MetricError(
            "error_split: \(samples.count) samples but \(reference.count) reference rows; "
                + "row i of each must come from the same noise")
    }
    guard samples.dims == teacher.dims else {
        throw MetricError("error_split: samples have \(samples.dims) dims but the teacher \(teacher.dims)")
    }
    guard sigma.isFinite && sigma > 0 else { throw MetricError("error_split: sigma = \(sigma) must be positive") }
    let Dx = teacher.denoise(samples, sigma: sigma), Dref = teacher.denoise(reference, sigma: sigma)
    var along = 0.0, across = 0.0, total = 0.0
    for k in 0..<samples.values.count {
        let e = samples.values[k] - reference.values[k]
        let kept = Dx.values[k] - Dref.values[k]
        along += kept * kept
        across += (e - kept) * (e - kept)
        total += e * e
    }
    let n = Double(samples.values.count)
    return ErrorSplit(sigma: sigma, along: along / n, across: across / n, total: total / n)
}
