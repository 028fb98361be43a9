/// A batch of `count` vectors of dimension `dims`, in Double precision, row-major.
///
/// Solver states, exact-teacher inputs and outputs and metric inputs are batches:
/// solver arithmetic and exact teachers run in Double, networks in
/// Float32, with the conversion made explicit at the boundary (``init(_:)-tensor``,
/// ``tensor``).
public struct Batch: Sendable, Equatable {
    /// Number of vectors (rows).
    public let count: Int
    /// Dimension of each vector (columns).
    public let dims: Int
    /// `count × dims` values, row `i` at `values[i*dims ..< (i+1)*dims]`.
    public var values: [Double]

    public init(count: Int, dims: Int, values: [Double]) {
        precondition(
            count >= 0 && dims >= 0 && values.count == count * dims,
            "batch [\(count), \(dims)] needs \(count * dims) values, got \(values.count)")
        self.count = count
        self.dims = dims
        self.values = values
    }

    public init(count: Int, dims: Int, repeating value: Double = 0) {
        self.init(count: count, dims: dims, values: [Double](repeating: value, count: count * dims))
    }

    /// A batch from a Float32 tensor of shape `[n, d…]` (trailing axes flattened).
    public init(_ tensor: Tensor) {
        self.init(
            count: tensor.rows, dims: tensor.rank == 0 ? 1 : tensor.columns,
            values: tensor.scalars.map(Double.init))
    }

    /// The batch as a Float32 tensor of shape `[count, dims]`.
    public var tensor: Tensor {
        Tensor(shape: [count, dims], scalars: values.map(Float.init))
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * dims)..<((i + 1) * dims)] }

    /// Rows `range`, as a new batch.
    public func rows(_ range: Range<Int>) -> Batch {
        Batch(
            count: range.count, dims: dims, values: Array(values[(range.lowerBound * dims)..<(range.upperBound * dims)])
        )
    }

    /// Rows at the given indices, in order.
    public func rows(at indices: [Int]) -> Batch {
        var out = [Double](); out.reserveCapacity(indices.count * dims)
        for i in indices { out.append(contentsOf: row(i)) }
        return Batch(count: indices.count, dims: dims, values: out)
    }

    // MARK: Arithmetic used by solvers (one allocation per call).

    /// `a + s·b`, element-wise.
    @inlinable public static func axpy(_ a: Batch, _ s: Double, _ b: Batch) -> Batch {
        precondition(a.count == b.count && a.dims == b.dims, "shape mismatch")
        var out = a
        out.values.withUnsafeMutableBufferPointer { o in
            b.values.withUnsafeBufferPointer { bb in
                for i in 0..<o.count { o[i] = s * bb[i] + o[i] }
            }
        }
        return out
    }

    /// Element-wise `f(a, b)`.
    @inlinable public static func zip(_ a: Batch, _ b: Batch, _ f: (Double, Double) -> Double) -> Batch {
        precondition(a.count == b.count && a.dims == b.dims, "shape mismatch")
        var out = [Double](repeating: 0, count: a.values.count)
        a.values.withUnsafeBufferPointer { aa in
            b.values.withUnsafeBufferPointer { bb in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<o.count { o[i] = f(aa[i], bb[i]) }
                }
            }
        }
        return Batch(count: a.count, dims: a.dims, values: out)
    }

    /// Element-wise `f(a)`.
    @inlinable public func map(_ f: (Double) -> Double) -> Batch {
        Batch(count: count, dims: dims, values: values.map(f))
    }

    /// Mean over all rows of the squared Euclidean distance to `other`, per row summed over dims:
    /// `mean_i ‖a_i − b_i‖²`.
    public func meanSquaredDistance(to other: Batch) -> Double {
        precondition(count == other.count && dims == other.dims, "shape mismatch")
        guard count > 0 else { return .nan }
        var s = 0.0
        for i in 0..<values.count { let d = values[i] - other.values[i]; s += d * d }
        return s / Double(count)
    }
}
