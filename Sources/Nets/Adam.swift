import CKernels
import Foundation
import Tensors

/// Adam (Kingma & Ba 2015) with bias correction, and AdamW (Loshchilov & Hutter 2019).
///
/// With `g` the gradient, step `t = 1, 2, …`:
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
///     θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ).
///
/// Without bias correction the first steps would be `1−β₁ = 0.1` times too short; with
/// it, step 1 moves each parameter by `lr·g/(|g| + ε) ≈ lr·sign(g)`.
/// Weight decay λ is either coupled (`.l2`: `g ← g + λθ`, Adam's classic L2 term) or
/// decoupled (`.decoupled`, AdamW: `θ ← θ − lr·λ·θ` before the Adam step, as PyTorch).
public final class Adam {
    public enum WeightDecay: Equatable, Sendable {
        case none
        case l2(Float)
        case decoupled(Float)
    }

    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public var weightDecay: WeightDecay
    /// Steps taken so far (`t` of the last step).
    public private(set) var step: Int = 0
    private let m: Buffer
    private let v: Buffer

    /// An optimiser for the parameters of `store` (moments start at zero).
    public init(
        _ store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8, weightDecay: WeightDecay = .none
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = Buffer(store.count)
        v = Buffer(store.count)
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default λ = 0.01).
    public static func adamW(
        _ store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) -> Adam {
        Adam(
            store, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: .decoupled(weightDecay))
    }

    /// One update of every parameter of `store` from its gradient: a single fused pass
    /// over the flat buffers, split into fixed chunks over the cores.
    public func update(_ store: ParameterStore) { update(store, vectorKernel: true) }

    /// ``update(_:)`` with CKernels' AVX2 body (`vectorKernel`, where the CPU has it) or
    /// the Swift loops: tests run both.
    func update(_ store: ParameterStore, vectorKernel: Bool) {
        precondition(store.count == m.count, "Adam was built for \(m.count) parameters, store has \(store.count)")
        step += 1
        let t = Double(step)
        let bc1 = 1 - Foundation.pow(Double(beta1), t), bc2 = 1 - Foundation.pow(Double(beta2), t)
        // θ −= (lr/bc1)·m / (√v·(1/√bc2) + ε)
        let stepSize = Float(Double(learningRate) / bc1)
        let invSqrtBc2 = Float(1 / bc2.squareRoot())
        let b1 = beta1, c1 = 1 - beta1, b2 = beta2, c2 = 1 - beta2, eps = epsilon
        var l2: Float = 0, shrink: Float = 1
        switch weightDecay {
        case .none: break
        case .l2(let lambda): l2 = lambda
        case .decoupled(let lambda): shrink = 1 - learningRate * lambda
        }
        let p = store.values, g = store.grads, mp = m.p, vp = v.p
        let decay = weightDecay != .none
        var constants = ck_adam_constants(
            beta1: b1, one_minus_beta1: c1, beta2: b2, one_minus_beta2: c2, step_size: stepSize,
            inv_sqrt_bc2: invSqrtBc2, epsilon: eps, l2: l2, shrink: shrink)
        Parallel.forEachChunk(store.count, chunk: 1 << 15) { r in
            // CKernels' AVX2 body where the CPU has it (exact √ and ÷, eight lanes).
            if vectorKernel,
                ck_adam_update(
                    r.count, p + r.lowerBound, g + r.lowerBound, mp + r.lowerBound, vp + r.lowerBound, &constants)
            {
                return
            }
            if decay {
                for i in r {
                    let theta = p[i]
                    let grad = g[i] + l2 * theta
                    let mv = b1 * mp[i] + c1 * grad
                    let vv = b2 * vp[i] + c2 * (grad * grad)
                    mp[i] = mv
                    vp[i] = vv
                    p[i] = theta * shrink - stepSize * mv / (fastSqrt(vv) * invSqrtBc2 + eps)
                }
            } else { // the common case, three operations shorter
                for i in r {
                    let grad = g[i]
                    let mv = b1 * mp[i] + c1 * grad
                    let vv = b2 * vp[i] + c2 * (grad * grad)
                    mp[i] = mv
                    vp[i] = vv
                    p[i] = p[i] - stepSize * mv / (fastSqrt(vv) * invSqrtBc2 + eps)
                }
            }
        }
    }
}
