import Foundation

// Elementary functions for the hand-written loops, written as branch-free scalar code
// that LLVM's loop vectoriser turns into SSE (the target is baseline x86-64: no FMA,
// no SSE4.1 rounding). libm's `expf`/`sinf`/`sqrtf` are calls that stop vectorisation
// (and `sqrtf` keeps an errno path), and would cost more than the matrix products of a
// 4×256 MLP. Swift's SIMD8 types were tried first: their masks and `squareRoot()`
// lower to per-lane code here, so plain loops it is.

/// `2^y` for y in [−126, 126] (inputs are clamped there; a NaN stays NaN).
///
/// `y = n + f` with `n = round(y)` (the 1.5·2²³ trick, valid in the default
/// round-to-nearest mode, so no SSE4.1 `roundps`) and `|f| ≤ ½` exact; `2^f` by a
/// degree-5 polynomial fitted for minimax relative error on [−½, ½] (7.5e−8 in exact
/// arithmetic, 2.4e−7 evaluated in Float32); `2^n` is built in the exponent bits.
@inline(__always) func fastExp2(_ y0: Float) -> Float {
    // Selects that lower to single maxps/minps and let a NaN through.
    let lo = y0 < -126 ? -126 : y0
    let y = lo > 126 ? 126 : lo
    let magic: Float = 12_582_912 // 1.5·2²³
    let t = y + magic // n + magic
    let n = t - magic
    let f = y - n
    var p: Float = 0.001_327_645_5
    p = p * f + 0.009_675_540_4
    p = p * f + 0.055_507_133
    p = p * f + 0.240_221_197
    p = p * f + 0.693_146_967
    p = p * f + 1.000_000_072
    let k = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern)
    return p * Float(bitPattern: UInt32(bitPattern: (k &+ 127) &<< 23))
}

/// The logistic sigmoid `1 / (1 + e^−z)`, with `e^−z = 2^(−z·log₂e)`.
///
/// Relative error ≤ 1.6e−7·(1 + |z|) (measured on [−40, 40] against Double): the
/// rounding of `z·log₂e` grows with |z|, where σ is either ≈ 1 (error invisible) or
/// ≈ e^z (a relative error of 1e−6 on a number below 1e−7). Going through 2^y instead
/// of a Cody–Waite `e^x` saves a quarter of the work of the forward pass.
@inline(__always) func fastSigmoid(_ z: Float) -> Float { 1 / (1 + fastExp2(z * -1.442_695_04)) }

/// `√x` for `x ≥ 0` without libm: an inverse-square-root bit estimate refined by three
/// Newton steps (relative error ≈ 1e−7), times `x`. Exact zero maps to zero.
@inline(__always) func fastSqrt(_ x: Float) -> Float {
    var y = Float(bitPattern: 0x5F37_59DF &- (x.bitPattern >> 1))
    let h = 0.5 * x
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    return x * y
}

/// `(sin θ, cos θ)`, absolute error ≈ 1e−7 for |θ| ≲ 10⁴.
///
/// Reduction `θ = k·π/2 + r` with π/2 split in three parts (Cody–Waite), Taylor
/// polynomials on |r| ≤ π/4 (sin to r¹¹, cos to r¹²), quadrant swap and signs on bits.
@inline(__always) func fastSinCos(_ theta: Float) -> (sin: Float, cos: Float) {
    let magic: Float = 12_582_912
    let t = theta * 0.636_619_772 + magic // k + magic, k = round(θ·2/π)
    let k = t - magic
    var r = theta - k * 1.570_312_5
    r = r - k * 4.837_512_969_970_703e-4
    r = r - k * 7.549_789_948_768_648e-8
    let r2 = r * r
    var s: Float = -1.0 / 39_916_800
    s = s * r2 + 1.0 / 362_880
    s = s * r2 - 1.0 / 5040
    s = s * r2 + 1.0 / 120
    s = s * r2 - 1.0 / 6
    s = (s * r2) * r + r
    var c: Float = 1.0 / 479_001_600
    c = c * r2 - 1.0 / 3_628_800
    c = c * r2 + 1.0 / 40320
    c = c * r2 - 1.0 / 720
    c = c * r2 + 1.0 / 24
    c = c * r2 - 0.5
    c = c * r2 + 1
    let q = t.bitPattern &- magic.bitPattern // k mod 2³² (two's complement)
    let swap = 0 &- (q & 1) // all ones where k is odd
    let sinBase = (s.bitPattern & ~swap) | (c.bitPattern & swap)
    let cosBase = (c.bitPattern & ~swap) | (s.bitPattern & swap)
    // sin(k·π/2 + r) flips sign for k ≡ 2, 3 (mod 4); cos for k ≡ 1, 2 (mod 4).
    return (Float(bitPattern: sinBase ^ ((q & 2) << 30)), Float(bitPattern: cosBase ^ (((q &+ 1) & 2) << 30)))
}

/// ``fastExp2(_:)`` on four lanes, the same operations in the same order, so each lane
/// equals the scalar result bit for bit. `replacing(with:where:)` lowers to `maxps` /
/// `minps`, which pass a NaN through as the scalar selects do (`pointwiseMin` would be a
/// call per vector). Wider vectors go through this one a register at a time: written
/// generically, the 16-lane version compiled to an out-of-line function 5× slower.
/// With `fused`, each step of the polynomial is one fused multiply–add (`p·f + c`
/// rounded once), as the group norm's CKernels bodies compute it (their `FMA`).
@inline(__always) func fastExp2(_ y0: SIMD4<Float>, fused: Bool = false) -> SIMD4<Float> {
    let lo = y0.replacing(with: -126, where: y0 .< -126)
    let y = lo.replacing(with: 126, where: lo .> 126)
    let magic: Float = 12_582_912
    let t = y + magic
    let n = t - magic
    let f = y - n
    @inline(__always) func step(_ p: SIMD4<Float>, _ c: Float) -> SIMD4<Float> {
        fused ? SIMD4(repeating: c).addingProduct(p, f) : p * f + c
    }
    var p = SIMD4<Float>(repeating: 0.001_327_645_5)
    p = step(p, 0.009_675_540_4)
    p = step(p, 0.055_507_133)
    p = step(p, 0.240_221_197)
    p = step(p, 0.693_146_967)
    p = step(p, 1.000_000_072)
    let k = unsafeBitCast(t, to: SIMD4<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
    return p * unsafeBitCast((k &+ 127) &<< 23, to: SIMD4<Float>.self)
}

/// ``fastSigmoid(_:)`` on four lanes (`fused` as ``fastExp2(_:fused:)``).
@inline(__always) func fastSigmoid(_ z: SIMD4<Float>, fused: Bool = false) -> SIMD4<Float> {
    1 / (1 + fastExp2(z * -1.442_695_04, fused: fused))
}

/// ``fastSigmoid(_:)`` on sixteen lanes, four at a time (`fused`: the group norm's).
@inline(__always) func fastSigmoid(_ z: SIMD16<Float>, fused: Bool = false) -> SIMD16<Float> {
    SIMD16(
        lowHalf: SIMD8(
            lowHalf: fastSigmoid(z.lowHalf.lowHalf, fused: fused),
            highHalf: fastSigmoid(z.lowHalf.highHalf, fused: fused)),
        highHalf: SIMD8(
            lowHalf: fastSigmoid(z.highHalf.lowHalf, fused: fused),
            highHalf: fastSigmoid(z.highHalf.highHalf, fused: fused)))
}
