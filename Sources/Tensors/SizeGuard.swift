import Foundation

/// The one check every size that comes from a user or a file passes before anything is
/// allocated: the builtins' counts and shapes, `.npy` and `.safetensors` headers, JSON
/// and CSV readers, plot bins.
///
/// A shape is accepted when no extent is negative, the product of its non-zero extents
/// fits the element limit (so strides and offsets computed from it can never overflow,
/// even for an empty array such as `[0, 8e15, 8e15]`), and its bytes fit half the
/// machine's physical memory. Products are overflow-checked.
public enum SizeGuard {
    /// The default element limit (also the language's `Limits.maxElements`).
    public static let defaultMaxElements = 100_000_000

    /// The most bytes one array may take: half of physical memory.
    public static var maxBytes: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
    }

    /// The element count of `shape`, or a ``SizeError`` saying why it is refused.
    /// `what` names the thing in the message (e.g. "noise(…)", "the header's shape").
    @discardableResult
    public static func elements(
        _ shape: [Int], bytesPerElement: Int = 4,
        maxElements: Int = defaultMaxElements,
        what: String = "shape"
    ) throws -> Int {
        var count = 1, extent = 1
        for d in shape {
            guard d >= 0 else { throw SizeError("\(what) \(shape) has a negative extent") }
            let (p, o) = extent.multipliedReportingOverflow(by: max(d, 1))
            guard !o else {
                throw SizeError("\(what) \(shape) is too large: the product of its extents overflows a 64-bit integer")
            }
            guard p <= maxElements else {
                throw SizeError("\(what) \(shape) is too large: more than the limit of \(maxElements) elements")
            }
            extent = p
            count *= d // ≤ extent, so no overflow
        }
        let (bytes, o) = count.multipliedReportingOverflow(by: max(bytesPerElement, 1))
        guard !o, bytes <= maxBytes else {
            throw SizeError("\(what) \(shape) needs \(bytes) bytes, more than half this machine's memory")
        }
        return count
    }

    /// A count (list items, bins, directions …) checked against `limit`.
    public static func count(_ n: Int, limit: Int, what: String) throws -> Int {
        guard n >= 0 else { throw SizeError("\(what) must be zero or more, got \(n)") }
        guard n <= limit else { throw SizeError("\(what) is \(n), more than the limit of \(limit)") }
        return n
    }
}

/// A size refused by ``SizeGuard``.
public struct SizeError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
