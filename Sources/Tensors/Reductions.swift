/// Reductions, accumulated in Double so that sums over 10⁶ Float32 values keep
/// their digits.
extension Tensor {
    /// Sum of all elements.
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for x in p { s += Double(x) }
            return s
        }
    }

    /// Mean of all elements (NaN when empty).
    public func mean() -> Float { count == 0 ? .nan : Float(sum() / Double(count)) }

    /// Population standard deviation of all elements (two-pass).
    public func standardDeviation() -> Double {
        guard count > 0 else { return .nan }
        let m = sum() / Double(count)
        return scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for x in p { let d = Double(x) - m; s += d * d }
            return (s / Double(count)).squareRoot()
        }
    }

    /// Smallest and largest element (nil when empty); NaNs are skipped.
    public func minMax() -> (min: Float, max: Float)? {
        var lo = Float.infinity, hi = -Float.infinity
        for x in scalars where !x.isNaN { lo = Swift.min(lo, x); hi = Swift.max(hi, x) }
        return lo <= hi ? (lo, hi) : nil
    }

    /// Sum over the first axis: `[n, d…] → [d…]` (e.g. a bias gradient).
    public func sumRows() -> Tensor {
        precondition(rank >= 1)
        let n = shape[0], c = columns
        var acc = [Double](repeating: 0, count: c)
        scalars.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let base = i * c
                for j in 0..<c { acc[j] += Double(p[base + j]) }
            }
        }
        return Tensor(shape: Array(shape.dropFirst()), scalars: acc.map(Float.init))
    }

    /// Whether every element is finite.
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }

    /// Euclidean norm of all elements.
    public func norm() -> Double {
        scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for x in p { s += Double(x) * Double(x) }
            return s.squareRoot()
        }
    }
}
