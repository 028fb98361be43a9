import Tensors

/// An exponential moving average of parameters, `θ⁻ ← μ·θ⁻ + (1 − μ)·θ`.
///
/// After k updates from a constant θ, `θ⁻_k = μᵏ·θ⁻_0 + (1 − μᵏ)·θ`. With μ = 0 the
/// target is the online network itself (the setting of the paper's code); μ = 0.95
/// is the original consistency-models paper.
public struct EMA: Sendable {
    public var decay: Float

    public init(decay: Float) {
        precondition(decay >= 0 && decay <= 1, "EMA decay must lie in [0, 1], got \(decay)")
        self.decay = decay
    }

    /// Moves `target` towards `online` (same layout) in one pass over the flat buffers.
    public func update(target: ParameterStore, online: ParameterStore) {
        precondition(target.entries == online.entries, "EMA: parameter layouts differ")
        if decay == 0 { target.copyValues(from: online); return }
        let t = target.values, o = online.values
        let mu = decay, w = 1 - decay
        Parallel.forEachChunk(target.count, chunk: 1 << 16) { r in
            for i in r { t[i] = mu * t[i] + w * o[i] }
        }
    }

    /// Moves the weights of `target` towards those of `online`.
    public func update<M: Module>(target: M, online: M) { update(target: target.store, online: online.store) }
}
