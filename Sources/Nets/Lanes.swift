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

/// Four-lane vectors (one SSE register) for the CHWB image kernels, whose lanes are
/// four images of the batch at the same channel and pixel.
typealias F4 = SIMD4<Float>

@inline(__always) func load4(_ p: UnsafePointer<Float>) -> F4 {
    UnsafeRawPointer(p).loadUnaligned(as: F4.self)
}

@inline(__always) func store4(_ v: F4, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: F4.self)
}

/// Sixteen-lane vectors (four SSE registers, one 64-byte cache line): sixteen images at
/// one channel and pixel. Group norm works on these so each pass uses whole cache lines
/// and its sums run as four independent chains.
typealias L16 = SIMD16<Float>

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> L16 {
    UnsafeRawPointer(p).loadUnaligned(as: L16.self)
}

@inline(__always) func store16(_ v: L16, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: L16.self)
}
