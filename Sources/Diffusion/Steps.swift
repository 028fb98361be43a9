import Foundation
import Tensors

// One solver step of the probability-flow ODE `dx/dσ = (x − D(x; σ))/σ` from σ_a to
// σ_b, row-wise (every row may have its own σ_a, σ_b). Arithmetic is Double.
//
// Each function returns the new state and `D(x; σ_a)`, the denoiser's prediction at
// the step's start (what trajectories record).

/// Euler: `x_b = x + (σ_b − σ_a)·d`, `d = (x − D(x; σ_a))/σ_a`. DDIM on the VE scale is the same step.
public func eulerStep(_ D: Denoiser, _ x: Batch, from sa: [Double], to sb: [Double]) -> (x: Batch, denoised: Batch) {
    let denoised = D.denoise(x, sigma: sa)
    let d = derivative(x, denoised, sa)
    return (rowAxpy(x, sb, sa, d), denoised)
}

/// Heun (EDM Algorithm 1): the Euler point `x′ = x + (σ_b − σ_a)·d`, then the trapezoidal
/// corrector `x_b = x + (σ_b − σ_a)·(d + d′)/2` with `d′ = (x′ − D(x′; σ_b))/σ_b`. Needs
/// σ_b > 0 (every grid's levels are positive, so the corrector always applies).
public func heunStep(_ D: Denoiser, _ x: Batch, from sa: [Double], to sb: [Double]) -> (x: Batch, denoised: Batch) {
    let denoised = D.denoise(x, sigma: sa)
    let d = derivative(x, denoised, sa)
    let xEuler = rowAxpy(x, sb, sa, d)
    let dEuler = derivative(xEuler, D.denoise(xEuler, sigma: sb), sb)
    return (rowAxpy(x, sb, sa, Batch.zip(d, dEuler) { 0.5 * ($0 + $1) }), denoised)
}

/// Classical fourth-order Runge–Kutta in σ: stages at σ_a, σ_a + h/2 (twice) and σ_b,
/// `x_b = x + h/6·(k₁ + 2k₂ + 2k₃ + k₄)`, `h = σ_b − σ_a`. Needs σ_b > 0.
public func rk4Step(_ D: Denoiser, _ x: Batch, from sa: [Double], to sb: [Double]) -> (x: Batch, denoised: Batch) {
    let half = zip(sa, sb).map { 0.5 * ($0 + $1) }
    let denoised = D.denoise(x, sigma: sa)
    let k1 = derivative(x, denoised, sa)
    let x2 = rowAxpy(x, half, sa, k1)
    let k2 = D.velocity(x2, sigma: half)
    let x3 = rowAxpy(x, half, sa, k2)
    let k3 = D.velocity(x3, sigma: half)
    let x4 = rowAxpy(x, sb, sa, k3)
    let k4 = D.velocity(x4, sigma: sb)
    var k = k1
    for i in 0..<k.values.count {
        k.values[i] = (k1.values[i] + 2 * k2.values[i] + 2 * k3.values[i] + k4.values[i]) / 6
    }
    return (rowAxpy(x, sb, sa, k), denoised)
}

/// DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2) on the VE scale, in `λ = −log σ`.
/// With `h = λ_b − λ_a` and `D_a = D(x; σ_a)`:
/// first order (no usable history): `x_b = (σ_b/σ_a)·x − (e^{−h} − 1)·D_a`;
/// second order with the previous step's `D_{a−1}` and `h_{prev}`, `r = h_{prev}/h`:
/// `D̂ = (1 + 1/(2r))·D_a − 1/(2r)·D_{a−1}`, `x_b = (σ_b/σ_a)·x − (e^{−h} − 1)·D̂`.
/// `previous` holds, per row, the prior prediction and step in λ (nil for a first step);
/// the step returns its own `h` per row, for the next step's history.
public func dpmpp2mStep(
    _ D: Denoiser, _ x: Batch, from sa: [Double], to sb: [Double],
    previous: DPMSolverHistory?
) -> (x: Batch, denoised: Batch, h: [Double]) {
    let denoised = D.denoise(x, sigma: sa)
    var out = x
    let n = x.dims
    var hs = [Double](repeating: 0, count: x.count)
    for i in 0..<x.count {
        let h = log(sa[i] / sb[i])
        hs[i] = h
        let ratio = sb[i] / sa[i], coef = -expm1(-h) // −(e^{−h} − 1)
        var a = 1.0, b = 0.0 // D̂ = a·D_a + b·D_{a−1}
        if let prev = previous, let hPrev = prev.h[i] {
            let r = hPrev / h
            a = 1 + 1 / (2 * r); b = -1 / (2 * r)
        }
        for j in 0..<n {
            let k = i * n + j
            var dHat = a * denoised.values[k]
            if b != 0, let prev = previous { dHat += b * prev.denoised.values[k] }
            out.values[k] = ratio * x.values[k] + coef * dHat
        }
    }
    return (out, denoised, hs)
}

/// `x + (σ_b − σ_a)·d`, row-wise.
@inlinable
func rowAxpy(_ x: Batch, _ sb: [Double], _ sa: [Double], _ d: Batch) -> Batch {
    var out = x
    let n = x.dims
    out.values.withUnsafeMutableBufferPointer { o in
        d.values.withUnsafeBufferPointer { dv in
            for i in 0..<x.count {
                let h = sb[i] - sa[i]
                for j in (i * n)..<((i + 1) * n) { o[j] = h * dv[j] + o[j] }
            }
        }
    }
    return out
}
