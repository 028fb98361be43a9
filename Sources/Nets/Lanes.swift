// Eight-lane Float vectors for the hand-written convolution and normalisation loops.
// The target is baseline x86-64 (SSE2, no FMA): plain `a * b + c` on SIMD8 lanes,
// which the compiler lowers to pairs of SSE instructions.

typealias F8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> F8 {
    UnsafeRawPointer(p).loadUnaligned(as: F8.self)
}

@inline(__always) func store8(_ v: F8, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F8.self)
}

/// The logistic sigmoid on 8 lanes, lane by lane through ``fastSigmoid(_:)``.
@inline(__always) func sigmoid8(_ z: F8) -> F8 {
    var r = z
    for i in 0..<8 { r[i] = fastSigmoid(z[i]) }
    return r
}

/// The scalar sigmoid that agrees with ``sigmoid8(_:)`` (for ragged tails).
@inline(__always) func sigmoid1(_ z: Float) -> Float { fastSigmoid(z) }
