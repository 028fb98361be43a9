import Foundation

/// A counter-based random generator: Philox4x32-10 (Salmon et al., SC'11).
///
/// Every draw is a pure function of `(seed, stream, index)`. There is no hidden
/// state to advance, so the `i`-th normal of a noise tensor is the same whether the
/// tensor is drawn at once, in chunks, or on several threads — the property that lets
/// a teacher and its students start from identical noise at any batch size.
public struct RNG: Sendable, Hashable {
    public let seed: UInt64
    public let stream: UInt64

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// An independent generator for a named purpose or an iteration number:
    /// `(seed, mix(stream, s))`.
    public func stream(_ s: UInt64) -> RNG {
        RNG(seed: seed, stream: splitmix64(stream &* 0x9E37_79B9_7F4A_7C15 ^ splitmix64(s &+ 1)))
    }

    /// The 128 random bits of counter `index`.
    @inlinable
    public func bits(at index: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        philox4x32_10(
            counter: (
                UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32),
                UInt32(truncatingIfNeeded: stream), UInt32(truncatingIfNeeded: stream >> 32)
            ),
            key: (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    @inlinable
    public func uniform(at index: UInt64) -> Double {
        let b = bits(at: index)
        return unitInterval(b.0, b.1)
    }

    /// A standard normal draw (Box–Muller on the two halves of counter `index`).
    @inlinable
    public func normal(at index: UInt64) -> Double {
        let b = bits(at: index)
        let u1 = 1.0 - unitInterval(b.0, b.1) // (0, 1]: log is finite
        let u2 = unitInterval(b.2, b.3)
        return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// A uniform integer in `0..<n`, `n > 0` (multiply-shift on 64 bits; bias below 2⁻³²·n).
    @inlinable
    public func integer(at index: UInt64, below n: Int) -> Int {
        precondition(n > 0)
        let b = bits(at: index)
        let x = UInt64(b.0) | (UInt64(b.1) << 32)
        return Int(x.multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Standard normals for indices `offset ..< offset + count`, in Double.
    public func normals(count: Int, offset: UInt64 = 0) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { p in
            let p = p
            Parallel.forEachChunk(count, chunk: 512) { r in
                for i in r { p[i] = normal(at: offset &+ UInt64(i)) }
            }
        }
        return out
    }

    /// A `[count, dims]` batch of standard normals; element `(i, j)` is draw `i·dims + j`,
    /// so row `i` is the same in any batch that starts at the same row.
    public func normalBatch(count: Int, dims: Int, firstRow: Int = 0) -> Batch {
        Batch(count: count, dims: dims, values: normals(count: count * dims, offset: UInt64(firstRow * dims)))
    }

    /// A Float32 tensor of standard normals of the given shape (draw `i` at flat index `i`).
    public func normalTensor(shape: [Int], offset: UInt64 = 0) -> Tensor {
        let n = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { p in
            let p = p
            Parallel.forEachChunk(n, chunk: 512) { r in
                for i in r { p[i] = Float(normal(at: offset &+ UInt64(i))) }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

@inlinable
func unitInterval(_ lo: UInt32, _ hi: UInt32) -> Double {
    let x = (UInt64(hi) << 32 | UInt64(lo)) >> 11
    return Double(x) * 0x1.0p-53
}

@inlinable
func splitmix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Philox4x32 with 10 rounds: the Random123 constants and round function.
@inlinable
public func philox4x32_10(
    counter c: (UInt32, UInt32, UInt32, UInt32), key k: (UInt32, UInt32)
)
    -> (UInt32, UInt32, UInt32, UInt32)
{
    let m0: UInt64 = 0xD251_1F53, m1: UInt64 = 0xCD9E_8D57
    let w0: UInt32 = 0x9E37_79B9, w1: UInt32 = 0xBB67_AE85
    var (c0, c1, c2, c3) = c
    var (k0, k1) = k
    for round in 0..<10 {
        let p0 = m0 &* UInt64(c0), p1 = m1 &* UInt64(c2)
        let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
        let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
        (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        if round < 9 { k0 = k0 &+ w0; k1 = k1 &+ w1 }
    }
    return (c0, c1, c2, c3)
}
