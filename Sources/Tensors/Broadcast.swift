// NumPy broadcasting for element-wise tensor arithmetic.
//
// Shapes are aligned at their trailing axes; an axis of extent 1 stretches to
// match. Every operation allocates its result once and runs one loop; the common
// cases (equal shapes, a scalar, a row vector against a matrix) take straight paths.

public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The broadcast shape of `a` and `b`, or a `ShapeError` naming both shapes.
public func broadcastShape(_ a: [Int], _ b: [Int]) throws(ShapeError) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
        let da = i < r - a.count ? 1 : a[i - (r - a.count)]
        let db = i < r - b.count ? 1 : b[i - (r - b.count)]
        if da == db || db == 1 {
            out[i] = da
        } else if da == 1 {
            out[i] = db
        } else {
            throw ShapeError("shapes \(fmtShape(a)) and \(fmtShape(b)) do not broadcast (axis \(i): \(da) vs \(db))")
        }
    }
    return out
}

func fmtShape(_ s: [Int]) -> String { "[" + s.map(String.init).joined(separator: ", ") + "]" }

extension Tensor {
    /// Element-wise `f(self, other)` under broadcasting.
    @inlinable
    public func broadcasting(_ other: Tensor, _ f: (Float, Float) -> Float) throws(ShapeError) -> Tensor {
        if shape == other.shape {
            var out = self
            out.scalars.withUnsafeMutableBufferPointer { o in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<o.count { o[i] = f(o[i], b[i]) }
                }
            }
            return out
        }
        if other.count == 1 && other.rank <= rank {
            let s = other.scalars[0]
            var out = self
            out.scalars.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = f(o[i], s) } }
            return out
        }
        if count == 1 && rank <= other.rank {
            let s = scalars[0]
            var out = other
            out.scalars.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = f(s, o[i]) } }
            return out
        }
        let shapeOut = try broadcastShape(shape, other.shape)
        return Tensor.broadcastGeneral(self, other, shapeOut, f)
    }

    @usableFromInline
    static func broadcastGeneral(_ a: Tensor, _ b: Tensor, _ shape: [Int], _ f: (Float, Float) -> Float) -> Tensor {
        let r = shape.count
        // Strides of a and b in the output's index space (0 where broadcast).
        func strides(_ s: [Int]) -> [Int] {
            var st = [Int](repeating: 0, count: r)
            var acc = 1
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                let o = i + (r - s.count)
                st[o] = s[i] == 1 ? 0 : acc
                acc *= s[i]
            }
            return st
        }
        let sa = strides(a.shape), sb = strides(b.shape)
        var out = Tensor(shape: shape)
        let n = out.count
        guard n > 0 else { return out }
        let inner = shape.last ?? 1
        var idx = [Int](repeating: 0, count: r)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { po in
                    var o = 0
                    while o < n {
                        var ia = 0, ib = 0
                        for k in 0..<(r - 1) { ia += idx[k] * sa[k]; ib += idx[k] * sb[k] }
                        let la = r > 0 ? sa[r - 1] : 0, lb = r > 0 ? sb[r - 1] : 0
                        for j in 0..<inner { po[o + j] = f(pa[ia + j * la], pb[ib + j * lb]) }
                        o += inner
                        var k = r - 2
                        while k >= 0 {
                            idx[k] += 1
                            if idx[k] < shape[k] { break }
                            idx[k] = 0; k -= 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// Element-wise `f(self)`.
    @inlinable public func map(_ f: (Float) -> Float) -> Tensor {
        var out = self
        out.scalars.withUnsafeMutableBufferPointer { o in for i in 0..<o.count { o[i] = f(o[i]) } }
        return out
    }

    public static func + (a: Tensor, b: Tensor) throws(ShapeError) -> Tensor { try a.broadcasting(b, +) }
    public static func - (a: Tensor, b: Tensor) throws(ShapeError) -> Tensor { try a.broadcasting(b, -) }
    public static func * (a: Tensor, b: Tensor) throws(ShapeError) -> Tensor { try a.broadcasting(b, *) }
    public static func / (a: Tensor, b: Tensor) throws(ShapeError) -> Tensor { try a.broadcasting(b, /) }

    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { s * $0 } }
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }
}
