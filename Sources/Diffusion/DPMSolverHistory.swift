import Tensors

/// What DPM-Solver++(2M) carries from one step to the next, per row: the previous step's
/// prediction `D_{a−1}` (`denoised`) and its step in λ, `h_prev` (`h`; nil for a row with
/// no usable history, whose next step is then first order). See `dpmpp2mStep`.
public struct DPMSolverHistory: Sendable {
    /// `D_{a−1}`, one row per state.
    public var denoised: Batch
    /// `h_prev = ln(σ_{a−1}/σ_a)` per row, nil before a row's first step.
    public var h: [Double?]

    public init(denoised: Batch, h: [Double?]) {
        self.denoised = denoised
        self.h = h
    }

    /// The history of the first `rows` rows.
    func prefix(_ rows: Int) -> DPMSolverHistory {
        DPMSolverHistory(denoised: denoised.rows(0..<rows), h: Array(h[0..<rows]))
    }

    /// Replaces the first `other.h.count` rows with `other`'s.
    mutating func replacePrefix(with other: DPMSolverHistory) {
        let rows = other.h.count
        for k in 0..<rows { h[k] = other.h[k] }
        denoised.values.replaceSubrange(0..<(rows * denoised.dims), with: other.denoised.values)
    }
}
