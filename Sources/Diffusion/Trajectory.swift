import Tensors

/// A recorded solve: the state at every noise level and the denoiser's prediction
/// at every step's start.
public struct Trajectory: Sendable {
    public init(sigmas: [Double], states: [Batch], denoised: [Batch]) {
        self.sigmas = sigmas; self.states = states; self.denoised = denoised
    }

    /// Noise levels visited, decreasing: `sigmas[0]` is σ_max, the last is σ_min.
    public var sigmas: [Double]
    /// `states[k]` is the batch at `sigmas[k]`; `states.last` is the final state.
    public var states: [Batch]
    /// `denoised[k] = D(states[k]; sigmas[k])`, one fewer than the states.
    public var denoised: [Batch]

    public var final: Batch { states[states.count - 1] }
    public var steps: Int { sigmas.count - 1 }

    /// States as one `[steps + 1, count, dims]` array (for `.npy`).
    public var stacked: (shape: [Int], values: [Double]) {
        let b = states[0]
        return ([states.count, b.count, b.dims], states.flatMap(\.values))
    }
}

/// Solves and records the whole trajectory through the per-step callback.
/// `shouldStop` is polled after each step (Ctrl-C); a stopped solve returns nil.
public func solveTrajectory(
    _ D: Denoiser, _ solver: ODESolver, _ x: Batch,
    shouldStop: (() -> Bool)? = nil
) -> Trajectory? {
    var t = Trajectory(sigmas: [solver.sigmaMax], states: [x], denoised: [])
    let done = solver.solve(D, x) { info in
        t.sigmas.append(info.sigmaNext)
        t.states.append(info.xNext)
        t.denoised.append(info.denoised)
        return !(shouldStop?() ?? false)
    }
    return done == nil ? nil : t
}
