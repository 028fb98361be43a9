import Foundation

/// A dense, contiguous, row-major tensor of `Float` (32-bit) with a shape.
///
/// Networks run in Float32 (docs/architecture.md); solvers and exact teachers use ``Batch``,
/// its Double-precision sibling. `Tensor` is a value type: copies share storage
/// until one of them is written (Swift's copy-on-write arrays).
public struct Tensor: Sendable, Equatable {
    /// Extent of each axis, outermost first. A scalar has shape `[]`.
    public private(set) var shape: [Int]
    /// The elements in row-major (C) order; `scalars.count == shape.product`.
    public var scalars: [Float]
    /// Whether the elements are truth values (1 true, 0 false), as comparisons give: such a
    /// tensor is a mask that selects elements by indexing. Arithmetic gives plain numbers.
    public var isBoolean = false

    /// A tensor of the given shape holding `scalars` in row-major order.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A rank-0 tensor.
    public init(_ value: Float) { self.init(shape: [], scalars: [value]) }

    /// Number of elements.
    @inlinable public var count: Int { scalars.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }

    /// Rows of a matrix-like tensor: the first axis (1 for a scalar).
    public var rows: Int { shape.first ?? 1 }
    /// Elements per row: the product of all axes after the first.
    public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same scalars under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Element at a multi-index (bounds are checked).
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "index \(index) out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }

    /// Rows `range` of the first axis, as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(
            rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of shape \(shape)")
        let c = columns
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, scalars: Array(scalars[(range.lowerBound * c)..<(range.upperBound * c)]))
    }
}

extension Tensor: CustomStringConvertible {
    /// A one-line summary: shape, dtype, mean and standard deviation.
    public var description: String {
        if isBoolean {
            let trues = scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
            return "Tensor(\(shape.map(String.init).joined(separator: "×")), bool, \(trues) true)"
        }
        let m = mean()
        let sd = count > 0 ? Float(standardDeviation()) : .nan
        return
            "Tensor(\(shape.map(String.init).joined(separator: "×")), f32, mean \(formatShort(Double(m))), std \(formatShort(Double(sd))))"
    }
}

/// Four significant digits, the way summaries print numbers.
public func formatShort(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == 0 { return "0" }
    let a = abs(x)
    if a >= 1e-3 && a < 1e5 {
        var s = String(format: "%.4g", x)
        if s.contains("e") { s = String(format: "%.4f", x) }
        return s
    }
    return String(format: "%.3e", x)
}
