/// Which distance a consistency loss uses, as a run's configuration names it (the
/// pseudo-Huber `c` is a number of its own, ``DistillationConfig/huberC``).
public enum DistanceKind: String, Sendable, CaseIterable, Codable {
    /// Squared Euclidean distance (the paper's choice).
    case l2
    case l1
    /// Pseudo-Huber.
    case huber

    /// Parses "l2" (also "squared-l2", "mse"), "l1", "huber" (also "pseudo-huber",
    /// "pseudohuber"), in any case.
    public init(named name: String) throws(DistillationError) {
        switch name.lowercased() {
        case "l2", "squared-l2", "mse": self = .l2
        case "l1": self = .l1
        case "huber", "pseudo-huber", "pseudohuber": self = .huber
        default: throw DistillationError("unknown distance '\(name)'; expected l2, l1 or huber")
        }
    }

    /// Reads any name ``init(named:)`` accepts, so configurations saved with another
    /// spelling still load.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        do { self = try DistanceKind(named: name) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }
}

/// The distance `d(a, b)` of a consistency loss, per sample.
public enum Distance: Sendable, Equatable, CustomStringConvertible {
    /// Squared Euclidean distance `‖a − b‖²` (the paper's choice).
    case l2
    /// `‖a − b‖₁`.
    case l1
    /// Pseudo-Huber `√(‖a − b‖² + c²) − c` (Song & Dhariwal 2023): L2-like near 0, L1-like far.
    case pseudoHuber(c: Double)

    /// The distance of `kind`; pseudo-Huber takes `c` (default 0.00054·√dims as in iCT).
    public init(_ kind: DistanceKind, c: Double? = nil, dims: Int) throws(DistillationError) {
        switch kind {
        case .l2: self = .l2
        case .l1: self = .l1
        case .huber:
            let c = c ?? 0.00054 * Double(dims).squareRoot()
            guard c.isFinite && c > 0 else { throw DistillationError("pseudo-Huber c = \(c) must be positive") }
            self = .pseudoHuber(c: c)
        }
    }

    /// Parses "l2", "l1", "huber"/"pseudo-huber" (see ``DistanceKind/init(named:)``), with `c` as above.
    public init(named name: String, c: Double? = nil, dims: Int) throws(DistillationError) {
        try self.init(try DistanceKind(named: name), c: c, dims: dims)
    }

    public var description: String {
        switch self {
        case .l2: "l2"
        case .l1: "l1"
        case let .pseudoHuber(c): "huber(c: \(c))"
        }
    }

    /// Mean over the `B` rows of `d(a_i, b_i)`, with `∂(mean)/∂a` written into `grad`.
    /// `a`, `b`, `grad` are `[B, dims]` row-major.
    public func meanAndGradient(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows B: Int, dims: Int,
        gradient grad: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        let invB = 1 / Double(B)
        for i in 0..<B {
            let base = i * dims
            switch self {
            case .l2:
                var s = 0.0
                for j in 0..<dims {
                    let e = Double(a[base + j]) - Double(b[base + j])
                    s += e * e
                    grad[base + j] = Float(2 * e * invB)
                }
                total += s
            case .l1:
                var s = 0.0
                for j in 0..<dims {
                    let e = Double(a[base + j]) - Double(b[base + j])
                    s += abs(e)
                    grad[base + j] = Float((e > 0 ? 1 : (e < 0 ? -1 : 0)) * invB)
                }
                total += s
            case let .pseudoHuber(c):
                var s2 = 0.0
                for j in 0..<dims { let e = Double(a[base + j]) - Double(b[base + j]); s2 += e * e }
                let r = (s2 + c * c).squareRoot()
                for j in 0..<dims { grad[base + j] = Float((Double(a[base + j]) - Double(b[base + j])) / r * invB) }
                total += r - c
            }
        }
        return total * invB
    }
}

/// A bad distillation parameter or file, with a message naming the value.
public struct DistillationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
