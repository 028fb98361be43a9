import Foundation

// Elementary functions for the hand-written loops, written as branch-free scalar code
// that LLVM's loop vectoriser turns into SSE (the target is baseline x86-64: no FMA,
// no SSE4.1 rounding). libm's `expf`/`sinf`/`sqrtf` are calls that stop vectorisation
// (and `sqrtf` keeps an errno path), and would cost more than the matrix products of a
// 4×256 MLP. Swift's SIMD8 types were tried first: their masks and `squareRoot()`
// lower to per-lane code here, so plain loops it is.

/// `e^x`, relative error ≈ 2 ulp on [−87, 88] (inputs are clamped there).
///
/// Cody–Waite reduction `x = n·ln2 + r`, `|r| ≤ ln2/2`, a degree-6 Taylor polynomial
/// for `e^r` (truncation `r⁷/7! < 1.2e−7`), and `2^n` built in the exponent bits.
/// Rounding to the nearest integer uses the 1.5·2²³ trick (round-to-nearest mode).
@inline(__always) func fastExp(_ x0: Float) -> Float {
    // Selects that lower to single maxps/minps and let a NaN through (Swift.min/max
    // add blends); a NaN input gives a NaN output, so divergence stays visible.
    let lo = x0 < -87 ? -87 : x0
    let x = lo > 88 ? 88 : lo
    let magic: Float = 12_582_912                      // 1.5·2²³
    let t = x * 1.442_695_04 + magic                   // n + magic, n = round(x / ln2)
    let n = t - magic
    let r = (x - n * 0.693_145_751_95) - n * 1.428_606_765e-6
    var p: Float = 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let k = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: magic.bitPattern)
    return p * Float(bitPattern: UInt32(bitPattern: (k &+ 127) &<< 23))
}

/// The logistic sigmoid `1 / (1 + e^−z)`.
@inline(__always) func fastSigmoid(_ z: Float) -> Float { 1 / (1 + fastExp(-z)) }

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
    let t = theta * 0.636_619_772 + magic              // k + magic, k = round(θ·2/π)
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
    let q = t.bitPattern &- magic.bitPattern           // k mod 2³² (two's complement)
    let swap = 0 &- (q & 1)                            // all ones where k is odd
    let sinBase = (s.bitPattern & ~swap) | (c.bitPattern & swap)
    let cosBase = (c.bitPattern & ~swap) | (s.bitPattern & swap)
    // sin(k·π/2 + r) flips sign for k ≡ 2, 3 (mod 4); cos for k ≡ 1, 2 (mod 4).
    return (Float(bitPattern: sinBase ^ ((q & 2) << 30)), Float(bitPattern: cosBase ^ (((q &+ 1) & 2) << 30)))
}
