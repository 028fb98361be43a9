import Foundation

/// How data values map to positions along an axis.
///
/// Noise levels σ run from 0.002 to 80 — more than four decades — and losses fall by
/// orders of magnitude; on a linear axis everything but the largest values collapses
/// onto zero. A log axis spaces decades evenly instead.
public enum Scale: Equatable {
    case linear
    case log

    /// The coordinate in which the axis is linear: the value itself, or log₁₀ of it.
    /// Non-positive values on a log scale map to −∞ and are dropped by the marks.
    @inlinable public func forward(_ v: Double) -> Double {
        switch self {
        case .linear: return v
        case .log: return v > 0 ? Foundation.log10(v) : -.infinity
        }
    }

    /// The inverse of ``forward(_:)``.
    @inlinable public func inverse(_ u: Double) -> Double {
        switch self {
        case .linear: return u
        case .log: return Foundation.pow(10, u)
        }
    }

    /// Whether a value can be placed on this scale.
    @inlinable public func admits(_ v: Double) -> Bool {
        v.isFinite && (self == .linear || v > 0)
    }
}

/// The affine map from data to page coordinates of one panel (points, y down).
///
/// Marks draw through it, and tests use it to find the pixel where a data point lands.
public struct Transform {
    public let xScale: Scale, yScale: Scale
    public let xLimits: ClosedRange<Double>, yLimits: ClosedRange<Double>
    /// The plotting area on the page, in points from the top-left corner.
    public let frame: Rect

    let ax: Double, bx: Double, ay: Double, by: Double

    init(xScale: Scale, yScale: Scale, xLimits: ClosedRange<Double>, yLimits: ClosedRange<Double>, frame: Rect) {
        self.xScale = xScale; self.yScale = yScale
        self.xLimits = xLimits; self.yLimits = yLimits
        self.frame = frame
        let x0 = xScale.forward(xLimits.lowerBound), x1 = xScale.forward(xLimits.upperBound)
        let y0 = yScale.forward(yLimits.lowerBound), y1 = yScale.forward(yLimits.upperBound)
        ax = frame.width / (x1 - x0); bx = frame.x - ax * x0
        ay = -frame.height / (y1 - y0); by = frame.y + frame.height - ay * y0
    }

    /// Page x (points) of data x.
    public func px(_ x: Double) -> Double { ax * xScale.forward(x) + bx }
    /// Page y (points, downwards) of data y.
    public func py(_ y: Double) -> Double { ay * yScale.forward(y) + by }
    /// Page position of a data point.
    public func point(_ x: Double, _ y: Double) -> (x: Double, y: Double) { (px(x), py(y)) }
}

/// A rectangle in page points, origin top-left.
public struct Rect: Equatable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    func inset(top: Double = 0, left: Double = 0, bottom: Double = 0, right: Double = 0) -> Rect {
        Rect(x: x + left, y: y + top, width: max(width - left - right, 1), height: max(height - top - bottom, 1))
    }
    func intersects(_ o: Rect) -> Bool { x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY }
    func contains(_ px: Double, _ py: Double) -> Bool { px >= x && px <= maxX && py >= y && py <= maxY }
}
