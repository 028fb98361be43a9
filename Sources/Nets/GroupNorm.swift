import Foundation
import Tensors

/// Group normalisation (Wu & He 2018) followed by an optional FiLM modulation and SiLU,
/// fused in one pass over a CBHW activation `[C, B, H, W]`:
///
///     x̂ = (x − μ_{b,g}) / √(σ²_{b,g} + ε),   n = γ_c·x̂ + β_c,
///     m = n·(1 + scale_{b,c}) + shift_{b,c},   h = silu(m) = m·σ(m),
///
/// with μ, σ² over the `C/G` channels of group `g` and all pixels of image `b`. `scale`
/// and `shift` (FiLM, from the noise embedding) are optional; without them `m = n`.
///
/// Backward, with `dm = dh·(s + h·(1 − s))`, `s = σ(m)`:
/// `dshift = Σ_hw dm`, `dscale = Σ_hw dm·n`, `dn = dm·(1 + scale)`, `dγ = Σ dn·x̂`,
/// `dβ = Σ dn`, and the group-norm adjoint
/// `dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε)` with `dx̂ = dn·γ`.
public struct GroupNormSiLU: Sendable {
    public let channels: Int
    public let groups: Int
    public let gammaOffset: Int
    public let betaOffset: Int
    public let epsilon: Float = 1e-5

    public init(_ name: String, in store: ParameterStore, groups: Int) {
        guard let g = store.entry(name + ".weight"), let b = store.entry(name + ".bias"), g.shape == b.shape, g.shape.count == 1
        else { preconditionFailure("no group norm \(name) in the store") }
        precondition(g.shape[0] % groups == 0, "\(g.shape[0]) channels do not split into \(groups) groups")
        channels = g.shape[0]
        self.groups = groups
        gammaOffset = g.offset
        betaOffset = b.offset
    }

    public static func layout(_ name: String, channels: Int) -> [(name: String, shape: [Int])] {
        [(name + ".weight", [channels]), (name + ".bias", [channels])]
    }

    /// γ = 1, β = 0.
    public func initialize(_ store: ParameterStore) {
        (store.values + gammaOffset).update(repeating: 1, count: channels)
        (store.values + betaOffset).update(repeating: 0, count: channels)
    }

    /// Groups for a channel count: 8 when it divides, else the largest divisor ≤ 8.
    public static func defaultGroups(_ channels: Int) -> Int {
        (1...min(8, channels)).last { channels % $0 == 0 }!
    }

    /// Forward. x `[C, N]` → h `[C, N]`; `film` `[B, 2C]` holds (scale, shift) per image.
    /// Training passes `xhat`, `sigmoid` `[C, N]` and `rstd` `[B·G]` to keep; inference
    /// passes nil (then `h` may alias `x`).
    func forward(_ x: UnsafePointer<Float>, _ g: ImageGeometry, film: UnsafePointer<Float>?, _ store: ParameterStore,
                 xhat: UnsafeMutablePointer<Float>?, sigmoid: UnsafeMutablePointer<Float>?,
                 rstd: UnsafeMutablePointer<Float>?, into h: UnsafeMutablePointer<Float>) {
        let n = g.count, hw = g.plane, cpg = channels / groups, C = channels, G = groups
        let gamma = store.values + gammaOffset, beta = store.values + betaOffset, eps = epsilon
        Parallel.forEachChunk(g.batch, chunk: 4) { bs in
            for b in bs {
                for grp in 0..<G {
                    // Mean and variance of the group (two passes, Double accumulators).
                    var sum = 0.0
                    for c in (grp * cpg)..<((grp + 1) * cpg) { sum += Double(planeSum(x + c * n + b * hw, hw)) }
                    let count = Double(cpg * hw), mean = sum / count
                    var sq = 0.0
                    for c in (grp * cpg)..<((grp + 1) * cpg) {
                        sq += Double(planeSquaredDeviation(x + c * n + b * hw, hw, Float(mean)))
                    }
                    let r = Float(1 / (sq / count + Double(eps)).squareRoot())
                    rstd?[b * G + grp] = r
                    for c in (grp * cpg)..<((grp + 1) * cpg) {
                        let scale1 = film.map { 1 + $0[b * 2 * C + c] } ?? 1
                        let shift = film.map { $0[b * 2 * C + C + c] } ?? 0
                        // m = x̂·(γ(1+scale)) + (β(1+scale) + shift), x̂ = (x − μ)·r.
                        let a = gamma[c] * scale1, o = beta[c] * scale1 + shift
                        let off = c * n + b * hw
                        normSiLUPlane(x + off, hw, mean: Float(mean), rstd: r, a: a, o: o,
                                      xhat: xhat.map { $0 + off }, sigmoid: sigmoid.map { $0 + off }, out: h + off)
                    }
                }
            }
        }
    }

    /// Backward through the last training forward. `dh` `[C, N]` → dx `[C, N]` (written,
    /// or added with `accumulate`); dγ, dβ are added to the store's gradients; with FiLM,
    /// `dfilm` `[B, 2C]` receives (dscale, dshift). `partial` `[B, 2C]` is scratch.
    func backward(gradOutput dh: UnsafePointer<Float>, _ g: ImageGeometry, film: UnsafePointer<Float>?,
                  xhat: UnsafePointer<Float>, sigmoid: UnsafePointer<Float>, output h: UnsafePointer<Float>,
                  rstd: UnsafePointer<Float>, _ store: ParameterStore, dfilm: UnsafeMutablePointer<Float>?,
                  partial: UnsafeMutablePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let n = g.count, hw = g.plane, cpg = channels / groups, C = channels, G = groups
        let gamma = store.values + gammaOffset, beta = store.values + betaOffset
        Parallel.forEachChunk(g.batch, chunk: 4) { bs in
            for b in bs {
                let dgamma = partial + b * 2 * C, dbeta = dgamma + C
                for grp in 0..<G {
                    var m1 = 0.0, m2 = 0.0
                    for c in (grp * cpg)..<((grp + 1) * cpg) {
                        let off = c * n + b * hw
                        let scale1 = film.map { 1 + $0[b * 2 * C + c] } ?? 1
                        let r = siluFiLMBackwardPlane(dh + off, sigmoid + off, h + off, xhat + off, hw,
                                                      gamma: gamma[c], beta: beta[c], scale1: scale1)
                        // r: Σdm, Σdm·n, Σdn·x̂, Σdn (dx̂ = dn·γ is formed in the second pass)
                        if let dfilm { dfilm[b * 2 * C + c] = r.dmn; dfilm[b * 2 * C + C + c] = r.dm }
                        dgamma[c] = r.dnx
                        dbeta[c] = r.dn
                        m1 += Double(r.dn * gamma[c])
                        m2 += Double(r.dnx * gamma[c])
                    }
                    let count = Double(cpg * hw)
                    let mean1 = Float(m1 / count), mean2 = Float(m2 / count), r = rstd[b * G + grp]
                    for c in (grp * cpg)..<((grp + 1) * cpg) {
                        let off = c * n + b * hw
                        let scale1 = film.map { 1 + $0[b * 2 * C + c] } ?? 1
                        groupNormInputGradPlane(dh + off, sigmoid + off, h + off, xhat + off, hw,
                                                k: scale1 * gamma[c], mean1: mean1, mean2: mean2, rstd: r,
                                                into: dx + off, accumulate: accumulate)
                    }
                }
            }
        }
        let dg = store.grads + gammaOffset, db = store.grads + betaOffset
        for b in 0..<g.batch {                                  // sum over images in a fixed order
            for c in 0..<C { dg[c] += partial[b * 2 * C + c]; db[c] += partial[b * 2 * C + C + c] }
        }
    }
}

@inline(__always) func planeSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = F8(repeating: 0), i = 0
    while i + 8 <= n { acc = acc + load8(p + i); i += 8 }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

@inline(__always) func planeSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, _ mean: Float) -> Float {
    let m = F8(repeating: mean)
    var acc = F8(repeating: 0), i = 0
    while i + 8 <= n { let d = load8(p + i) - m; acc = acc + d * d; i += 8 }
    var s = acc.sum()
    while i < n { let d = p[i] - mean; s += d * d; i += 1 }
    return s
}

/// One plane: x̂ = (x − μ)·r, m = a·x̂ + o, s = σ(m), h = m·s.
@inline(__always) func normSiLUPlane(_ x: UnsafePointer<Float>, _ n: Int, mean: Float, rstd: Float, a: Float, o: Float,
                                     xhat: UnsafeMutablePointer<Float>?, sigmoid: UnsafeMutablePointer<Float>?,
                                     out: UnsafeMutablePointer<Float>) {
    let mv = F8(repeating: mean), rv = F8(repeating: rstd), av = F8(repeating: a), ov = F8(repeating: o)
    var i = 0
    while i + 8 <= n {
        let xh = (load8(x + i) - mv) * rv
        let m = av * xh + ov
        let s = sigmoid8(m)
        if let xhat { store8(xh, xhat + i) }
        if let sigmoid { store8(s, sigmoid + i) }
        store8(m * s, out + i)
        i += 8
    }
    while i < n {
        let xh = (x[i] - mean) * rstd
        let m = a * xh + o
        let s = sigmoid1(m)
        xhat?[i] = xh
        sigmoid?[i] = s
        out[i] = m * s
        i += 1
    }
}

/// One plane of the backward's first pass: sums of dm, dm·n, dn·x̂ and dn, where
/// `dm = dh·(s + h(1 − s))`, `n = γx̂ + β`, `dn = dm·(1 + scale)`.
@inline(__always) func siluFiLMBackwardPlane(_ dh: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                             _ xhat: UnsafePointer<Float>, _ n: Int, gamma: Float, beta: Float, scale1: Float)
    -> (dm: Float, dmn: Float, dnx: Float, dn: Float)
{
    let one = F8(repeating: 1), gv = F8(repeating: gamma), bv = F8(repeating: beta)
    var sdm = F8(repeating: 0), sdmn = F8(repeating: 0), sdmx = F8(repeating: 0)
    var i = 0
    while i + 8 <= n {
        let sv = load8(s + i), xh = load8(xhat + i)
        let dm = load8(dh + i) * (sv + load8(h + i) * (one - sv))
        sdm = sdm + dm
        sdmn = sdmn + dm * (gv * xh + bv)
        sdmx = sdmx + dm * xh
        i += 8
    }
    var dm0 = sdm.sum(), dmn0 = sdmn.sum(), dmx0 = sdmx.sum()
    while i < n {
        let dm = dh[i] * (s[i] + h[i] * (1 - s[i]))
        dm0 += dm
        dmn0 += dm * (gamma * xhat[i] + beta)
        dmx0 += dm * xhat[i]
        i += 1
    }
    return (dm0, dmn0, dmx0 * scale1, dm0 * scale1)
}

/// One plane of the second pass: `dx (+)= r·(k·dm − mean1 − x̂·mean2)`, with
/// `k·dm = dx̂ = γ(1 + scale)·dm`.
@inline(__always) func groupNormInputGradPlane(_ dh: UnsafePointer<Float>, _ s: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
                                               _ xhat: UnsafePointer<Float>, _ n: Int, k: Float, mean1: Float, mean2: Float,
                                               rstd: Float, into dx: UnsafeMutablePointer<Float>, accumulate: Bool) {
    let one = F8(repeating: 1), kv = F8(repeating: k), m1 = F8(repeating: mean1), m2 = F8(repeating: mean2)
    let rv = F8(repeating: rstd)
    var i = 0
    while i + 8 <= n {
        let sv = load8(s + i)
        let dm = load8(dh + i) * (sv + load8(h + i) * (one - sv))
        var v = rv * (kv * dm - m1 - load8(xhat + i) * m2)
        if accumulate { v = v + load8(dx + i) }
        store8(v, dx + i)
        i += 8
    }
    while i < n {
        let dm = dh[i] * (s[i] + h[i] * (1 - s[i]))
        let v = rstd * (k * dm - mean1 - xhat[i] * mean2)
        dx[i] = accumulate ? dx[i] + v : v
        i += 1
    }
}
