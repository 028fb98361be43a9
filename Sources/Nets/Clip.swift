import Tensors

/// Gradient-norm clipping: when the global norm ‖g‖ of all gradients in `store`
/// exceeds `maxNorm`, scales every gradient by `maxNorm/‖g‖` so the norm becomes
/// `maxNorm`; otherwise leaves them alone. Returns the norm before clipping (a useful
/// divergence signal). A non-finite norm is returned unchanged and nothing is scaled,
/// so the caller's divergence guard sees it.
@discardableResult
public func clipGradientNorm(_ store: ParameterStore, maxNorm: Double) -> Double {
    precondition(maxNorm > 0, "maxNorm must be positive, got \(maxNorm)")
    let norm = store.gradientNorm()
    guard norm.isFinite, norm > maxNorm else { return norm }
    let scale = Float(maxNorm / norm)
    let g = store.grads
    Parallel.forEachChunk(store.count, chunk: 1 << 16) { r in
        for i in r { g[i] *= scale }
    }
    return norm
}

extension Module {
    /// ``clipGradientNorm(_:maxNorm:)`` on this model's gradients.
    @discardableResult
    public func clipGradientNorm(maxNorm: Double) -> Double { Nets.clipGradientNorm(store, maxNorm: maxNorm) }
}
