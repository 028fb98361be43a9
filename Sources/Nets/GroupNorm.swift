import CKernels
import Foundation
import Tensors

/// Group normalisation (Wu & He 2018) followed by an optional FiLM modulation and SiLU,
/// fused in one pass over a CHWB activation `[C, H, W, B]` (``ImageGeometry``):
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
///
/// Every statistic is per image, and images are the innermost index, so the kernels run
/// sixteen images at once (``L16``: one cache line of each pixel row, four SSE
/// registers); a task owns 16 consecutive images, and sums run in a fixed order
/// (deterministic on any core count). The batch must be a multiple of 16.
///
/// Float32 throughout. Where a multiply feeds an add (Σ (x − μ)², a·x̂ + o, 2^f's
/// polynomial, the backward's sums) the two are one fused multiply–add (`addingProduct`,
/// CKernels' `FMA`): on one core and sixteen images, the forward's pixel pass took
/// 31 µs instead of 42 per 14 × 14 channel-slice and the backward's first pass 50
/// instead of 64 (2026-12-07).
public struct GroupNormSiLU: Sendable {
    public let channels: Int
    public let groups: Int
    public let gammaOffset: Int
    public let betaOffset: Int
    public let epsilon: Float = 1e-5

    public init(_ name: String, in store: ParameterStore, groups: Int) {
        guard let g = store.entry(name + ".weight"), let b = store.entry(name + ".bias"), g.shape == b.shape,
            g.shape.count == 1
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
    /// `mean` and `rstd` `[B·G]` receive μ and 1/√(σ² + ε) per image and group, which is
    /// all the backward keeps besides x (it computes x̂, σ(m) and h again); `h` may alias
    /// `x` when no backward follows. `vectorLevel`: the widest CKernels body the pixel pass
    /// may use (0 this Swift body, 1 AVX2, 2 AVX-512; each bit for bit the Swift body).
    func forward(
        _ x: UnsafePointer<Float>, _ g: ImageGeometry, film: UnsafePointer<Float>?, _ store: ParameterStore,
        mean means: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        into h: UnsafeMutablePointer<Float>, vectorLevel: Int32 = 2
    ) {
        let n = g.count, P = g.plane, B = g.batch, cpg = channels / groups, C = channels, G = groups
        precondition(B % 16 == 0, "group norm needs a batch padded to a multiple of 16")
        let gamma = store.values + gammaOffset, beta = store.values + betaOffset
        let count = Float(cpg * P), eps = L16(repeating: epsilon)
        Parallel.forEachChunk(B / 16, chunk: 1) { blocks in
            // Each group's mean and Σ (x − mean)² per image (two passes), for all groups of a
            // block at once by CKernels' vector body up to `vectorLevel` where it runs (bit
            // for bit the loops below, one group at a time).
            withUnsafeTemporaryAllocation(of: L16.self, capacity: 2 * G) { stats in
                let groupMeans = stats.baseAddress!, groupSquares = groupMeans + G
                for block in blocks {
                    let l = 16 * block
                    let statsDone =
                        vectorLevel > 0
                        && ck_group_norm_stats(
                            vectorLevel, x + l, n, G, cpg, P, B, count, Self.floats(groupMeans),
                            Self.floats(groupSquares))
                    for grp in 0..<G {
                        let cs = (grp * cpg)..<((grp + 1) * cpg)
                        var mean = L16(repeating: 0), sq = L16(repeating: 0)
                        if statsDone {
                            mean = groupMeans[grp]
                            sq = groupSquares[grp]
                        } else {
                            var sum = L16(repeating: 0)
                            for c in cs { let row = x + c * n + l; for p in 0..<P { sum += load16(row + p * B) } }
                            mean = sum / count
                            for c in cs {
                                let row = x + c * n + l
                                for p in 0..<P { let d = load16(row + p * B) - mean; sq = sq.addingProduct(d, d) }
                            }
                        }
                        let r = 1 / (sq / count + eps).squareRoot()
                        for k in 0..<16 {
                            rstd[(l + k) * G + grp] = r[k]
                            means[(l + k) * G + grp] = mean[k]
                        }
                        for c in cs {
                            let (a, o) = Self.affine(
                                gamma[c], beta[c], Self.film(film, lane: l, channel: c, channels: C))
                            let off = c * n + l
                            let src = x + off, dst = h + off
                            // CKernels' AVX-512 or AVX2 body up to `vectorLevel` (bit for bit the loop below).
                            let vectorDone =
                                vectorLevel > 0
                                && withUnsafePointer(to: (mean, r, a, o)) { q in
                                    let f = UnsafeRawPointer(q).assumingMemoryBound(to: Float.self) // four L16 in a row
                                    return ck_group_norm_silu_pixels(
                                        vectorLevel, src, P, B, f, f + 16, f + 32, f + 48, dst)
                                }
                            if vectorDone { continue }
                            for p in 0..<P {
                                let (_, m, s) = Self.point(load16(src + p * B), mean, r, a, o)
                                store16(m * s, dst + p * B)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `m = a·x̂ + o` of a channel with `γ`, `β` for sixteen images with FiLM's `1 + scale`
    /// and `shift`: `a = γ(1 + scale)`, `o = β(1 + scale) + shift`.
    @inline(__always)
    static func affine(_ gamma: Float, _ beta: Float, _ film: (scale1: L16, shift: L16)) -> (a: L16, o: L16) {
        (gamma * film.scale1, beta * film.scale1 + film.shift)
    }

    /// x̂ = (x − μ)·r, m = a·x̂ + o (fused), s = σ(m) for sixteen lanes: the forward's operations,
    /// which the backward repeats bit for bit.
    @inline(__always)
    static func point(_ x: L16, _ mean: L16, _ r: L16, _ a: L16, _ o: L16) -> (xhat: L16, m: L16, s: L16) {
        let xh = (x - mean) * r
        let m = o.addingProduct(a, xh)
        return (xh, m, fastSigmoid(m, fused: true))
    }

    /// `(1 + scale, shift)` of channel `c` for the sixteen images from `lane`.
    @inline(__always)
    static func film(_ film: UnsafePointer<Float>?, lane l: Int, channel c: Int, channels C: Int) -> (L16, L16) {
        guard let film else { return (L16(repeating: 1), L16(repeating: 0)) }
        var scale1 = L16(repeating: 1), shift = L16(repeating: 0)
        let f0 = film + l * 2 * C + c
        for k in 0..<16 { scale1[k] += f0[2 * C * k]; shift[k] = f0[2 * C * k + C] }
        return (scale1, shift)
    }

    /// The sixteen floats of an ``L16``, for a C kernel.
    @inline(__always)
    static func floats(_ v: UnsafeMutablePointer<L16>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(v).assumingMemoryBound(to: Float.self)
    }

    /// Backward through the last training forward, from its input `x` and the `mean` and
    /// `rstd` it wrote (x̂, σ(m) and h = m·σ(m) computed again, bit for bit the forward's).
    /// `dh` `[C, N]` → dx `[C, N]` (written, or added with `accumulate`); dγ, dβ are added
    /// to the store's gradients; with FiLM, `dfilm` `[B, 2C]` receives (dscale, dshift).
    /// `partial` `[B, 2C]` is scratch, and `dh` is overwritten with `dL/dm` (the first
    /// pass keeps it for the second). `vectorLevel` as in ``forward``.
    func backward(
        gradOutput dh: UnsafeMutablePointer<Float>, _ g: ImageGeometry, film: UnsafePointer<Float>?,
        input x: UnsafePointer<Float>, mean means: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
        _ store: ParameterStore, dfilm: UnsafeMutablePointer<Float>?, partial: UnsafeMutablePointer<Float>,
        gradInput dx: UnsafeMutablePointer<Float>, accumulate: Bool, vectorLevel: Int32 = 2
    ) {
        let n = g.count, P = g.plane, B = g.batch, cpg = channels / groups, C = channels, G = groups
        precondition(B % 16 == 0, "group norm needs a batch padded to a multiple of 16")
        let gamma = store.values + gammaOffset, beta = store.values + betaOffset
        let count = Float(cpg * P), one = L16(repeating: 1)
        Parallel.forEachChunk(B / 16, chunk: 1) { blocks in
            for block in blocks {
                let l = 16 * block
                for grp in 0..<G {
                    let cs = (grp * cpg)..<((grp + 1) * cpg)
                    var mean = L16(repeating: 0), r = L16(repeating: 0)
                    for k in 0..<16 {
                        mean[k] = means[(l + k) * G + grp]
                        r[k] = rstd[(l + k) * G + grp]
                    }
                    var m1 = L16(repeating: 0), m2 = L16(repeating: 0)
                    for c in cs {
                        let f = Self.film(film, lane: l, channel: c, channels: C), scale1 = f.0
                        let (a, o) = Self.affine(gamma[c], beta[c], f)
                        let gv = L16(repeating: gamma[c]), bv = L16(repeating: beta[c]), off = c * n + l
                        // Σ dm, Σ dm·n, Σ dm·x̂ with dm = dh·(s + h(1 − s)), n = γx̂ + β.
                        var sdm = L16(repeating: 0), sdmn = L16(repeating: 0), sdmx = L16(repeating: 0)
                        // CKernels' AVX-512 or AVX2 body up to `vectorLevel` (bit for bit the loop below).
                        let vectorDone =
                            vectorLevel > 0
                            && withUnsafePointer(to: (mean, r, a, o)) { q in
                                let f = UnsafeRawPointer(q).assumingMemoryBound(to: Float.self) // four L16 in a row
                                return withUnsafeMutablePointer(to: &sdm) { s0 in
                                    withUnsafeMutablePointer(to: &sdmn) { s1 in
                                        withUnsafeMutablePointer(to: &sdmx) { s2 in
                                            ck_group_norm_silu_backward_sums(
                                                vectorLevel, dh + off, x + off, P, B, f, f + 16, f + 32, f + 48,
                                                gamma[c], beta[c], Self.floats(s0), Self.floats(s1), Self.floats(s2))
                                        }
                                    }
                                }
                            }
                        for p in 0..<P where !vectorDone {
                            let q = off + p * B
                            let (xh, m, sv) = Self.point(load16(x + q), mean, r, a, o)
                            let dm = load16(dh + q) * sv.addingProduct(m * sv, one - sv)
                            store16(dm, dh + q)
                            sdm += dm
                            sdmn = sdmn.addingProduct(dm, bv.addingProduct(gv, xh))
                            sdmx = sdmx.addingProduct(dm, xh)
                        }
                        let dn = sdm * scale1, dnx = sdmx * scale1 // Σ dn, Σ dn·x̂
                        for k in 0..<16 {
                            let row = (l + k) * 2 * C
                            if let dfilm { dfilm[row + c] = sdmn[k]; dfilm[row + C + c] = sdm[k] }
                            partial[row + c] = dnx[k]
                            partial[row + C + c] = dn[k]
                        }
                        m1 += dn * gv
                        m2 += dnx * gv
                    }
                    let mean1 = m1 / count, mean2 = m2 / count
                    for c in cs {
                        let (scale1, _) = Self.film(film, lane: l, channel: c, channels: C)
                        let k = scale1 * gamma[c], off = c * n + l
                        // dx (+)= r·(k·dm − mean1 − x̂·mean2), k·dm = dx̂.
                        let vectorDone =
                            vectorLevel > 0
                            && withUnsafePointer(to: (mean, r, k, mean1, mean2)) { q in
                                let f = UnsafeRawPointer(q).assumingMemoryBound(to: Float.self) // five L16 in a row
                                return ck_group_norm_input_gradient(
                                    vectorLevel, dh + off, x + off, P, B, f, f + 16, f + 32, f + 48, f + 64,
                                    accumulate, dx + off)
                            }
                        for p in 0..<P where !vectorDone {
                            let q = off + p * B
                            let xh = (load16(x + q) - mean) * r
                            var v = r * (-mean1).addingProduct(k, load16(dh + q)).addingProduct(-xh, mean2)
                            if accumulate { v += load16(dx + q) }
                            store16(v, dx + q)
                        }
                    }
                }
            }
        }
        let dg = store.grads + gammaOffset, db = store.grads + betaOffset
        for b in 0..<B { // sum over images in a fixed order
            for c in 0..<C { dg[c] += partial[b * 2 * C + c]; db[c] += partial[b * 2 * C + C + c] }
        }
    }
}
