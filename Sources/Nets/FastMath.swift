import Foundation

// Vectorised elementary functions for the hand-written loops. The target is baseline
// x86-64 (SSE2, no FMA), so everything is written as plain `a * b + c` on SIMD8 lanes,
// which the compiler lowers to pairs of SSE instructions. libm's scalar `expf`/`sinf`
// would cost more than the matrix products on a 4×256 MLP.

typealias F8 = SIMD8<Float>
typealias I8 = SIMD8<Int32>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> F8 {
    UnsafeRawPointer(p).loadUnaligned(as: F8.self)
}

@inline(__always) func store8(_ v: F8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
}

@inline(__always) func bits(_ v: F8) -> I8 { unsafeBitCast(v, to: I8.self) }
@inline(__always) func floats(_ v: I8) -> F8 { unsafeBitCast(v, to: F8.self) }

/// Lane-wise `min`/`max` through a comparison mask (no libm call, no branches).
@inline(__always) func clamp8(_ x: F8, _ lo: Float, _ hi: Float) -> F8 {
    let l = F8(repeating: lo), h = F8(repeating: hi)
    let a = floats(bits(x) & ~(unsafeBitCast(x .< l, to: I8.self)) | (bits(l) & unsafeBitCast(x .< l, to: I8.self)))
    let m = unsafeBitCast(a .> h, to: I8.self)
    return floats((bits(a) & ~m) | (bits(h) & m))
}

/// `e^x` for 8 lanes, relative error ≈ 2 ulp on [−87, 88] (inputs are clamped there).
///
/// Cody–Waite reduction `x = n·ln2 + r`, `|r| ≤ ln2/2`, a degree-6 Taylor polynomial
/// for `e^r` (truncation `r⁷/7! < 1.2e−7`), and `2^n` built in the exponent bits.
/// Rounding to the nearest integer uses the 1.5·2²³ trick, valid in the default
/// round-to-nearest mode, so no SSE4.1 `roundps` is needed.
@inline(__always) func exp8(_ x: F8) -> F8 {
    let x = clamp8(x, -87.0, 88.0)
    let magic = F8(repeating: 12_582_912)               // 1.5·2²³
    let t = x * F8(repeating: 1.442_695_04) + magic     // n + magic, n = round(x / ln2)
    let n = t - magic
    let r = (x - n * F8(repeating: 0.693_145_751_95)) - n * F8(repeating: 1.428_606_765e-6)
    var p = F8(repeating: 1.0 / 720)
    p = p * r + F8(repeating: 1.0 / 120)
    p = p * r + F8(repeating: 1.0 / 24)
    p = p * r + F8(repeating: 1.0 / 6)
    p = p * r + F8(repeating: 0.5)
    p = p * r + F8(repeating: 1)
    p = p * r + F8(repeating: 1)
    let k = bits(t) &- bits(magic)                      // n as an integer
    return p * floats((k &+ 127) &<< 23)
}

/// The logistic sigmoid `1 / (1 + e^−z)` for 8 lanes.
@inline(__always) func sigmoid8(_ z: F8) -> F8 {
    F8(repeating: 1) / (F8(repeating: 1) + exp8(-z))
}

/// Scalar sigmoid that agrees with `sigmoid8` lane by lane (for ragged tails).
@inline(__always) func sigmoid1(_ z: Float) -> Float {
    sigmoid8(F8(repeating: z))[0]
}

/// `(sin θ, cos θ)` for 8 lanes; absolute error ≈ 1e−7 for |θ| ≲ 10⁴.
///
/// Reduction `θ = k·π/2 + r` with π/2 split in three parts (Cody–Waite), minimax-free
/// Taylor polynomials on |r| ≤ π/4 (sin to r¹¹, cos to r¹²), and quadrant swaps and
/// sign flips done on the bits.
@inline(__always) func sincos8(_ theta: F8) -> (sin: F8, cos: F8) {
    let magic = F8(repeating: 12_582_912)
    let t = theta * F8(repeating: 0.636_619_772) + magic   // k + magic, k = round(θ·2/π)
    let k = t - magic
    var r = theta - k * F8(repeating: 1.570_312_5)
    r = r - k * F8(repeating: 4.837_512_969_970_703e-4)
    r = r - k * F8(repeating: 7.549_789_948_768_648e-8)
    let r2 = r * r
    var s = F8(repeating: -1.0 / 39_916_800)
    s = s * r2 + F8(repeating: 1.0 / 362_880)
    s = s * r2 + F8(repeating: -1.0 / 5040)
    s = s * r2 + F8(repeating: 1.0 / 120)
    s = s * r2 + F8(repeating: -1.0 / 6)
    s = (s * r2) * r + r
    var c = F8(repeating: 1.0 / 479_001_600)
    c = c * r2 + F8(repeating: -1.0 / 3_628_800)
    c = c * r2 + F8(repeating: 1.0 / 40320)
    c = c * r2 + F8(repeating: -1.0 / 720)
    c = c * r2 + F8(repeating: 1.0 / 24)
    c = c * r2 + F8(repeating: -0.5)
    c = c * r2 + F8(repeating: 1)
    let q = bits(t) &- bits(magic)                         // quadrant k (two's complement)
    let swap = I8(repeating: 0) &- (q & 1)                  // all ones where k is odd
    let sinBase = (bits(s) & ~swap) | (bits(c) & swap)
    let cosBase = (bits(c) & ~swap) | (bits(s) & swap)
    // sin(k·π/2 + r): sign flips for k ≡ 2, 3 (mod 4); cos: for k ≡ 1, 2 (mod 4).
    let sinSign = (q & 2) &<< 30
    let cosSign = ((q &+ 1) & 2) &<< 30
    return (floats(sinBase ^ sinSign), floats(cosBase ^ cosSign))
}
