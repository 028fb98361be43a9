import Tensors

/// All trainable parameters of a model in one contiguous Float32 buffer, with their
/// gradients in a second buffer of the same layout.
///
/// Layers hold offsets into the store instead of owning arrays, so an optimiser, an
/// EMA, gradient clipping and a checkpoint are each one loop over `count` floats, and
/// any model that exposes a store works with all of them.
public final class ParameterStore {
    /// One named tensor inside the flat buffer.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        /// First scalar of this tensor in `values` / `grads`.
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    public let entries: [Entry]
    /// Total number of scalars.
    public let count: Int
    /// The parameters, `[count]`, 64-byte aligned.
    public let values: UnsafeMutablePointer<Float>
    /// Their gradients, `[count]`, same layout.
    public let grads: UnsafeMutablePointer<Float>

    /// A zero-filled store holding the named shapes in order.
    public init(layout: [(name: String, shape: [Int])]) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in layout {
            precondition(!entries.contains { $0.name == name }, "duplicate parameter name \(name)")
            entries.append(Entry(name: name, shape: shape, offset: offset))
            // Keep every tensor 16-float (64-byte) aligned for the vector loops.
            offset += (shape.reduce(1, *) + 15) / 16 * 16
        }
        self.entries = entries
        self.count = offset
        values = Self.allocate(offset)
        grads = Self.allocate(offset)
        valuesOwner = nil
    }

    /// The store whose values this one shares (a gradient view), or nil when it owns them.
    private let valuesOwner: ParameterStore?

    /// A store that shares `owner`'s values and layout and has zero gradients of its
    /// own: one slice of a batch accumulates its gradient here, apart from the others,
    /// and the slices are then added in a fixed order (``UNet``).
    init(gradientsFor owner: ParameterStore) {
        entries = owner.entries
        count = owner.count
        values = owner.values
        grads = Self.allocate(owner.count)
        valuesOwner = owner
    }

    deinit {
        if valuesOwner == nil { values.deallocate() }
        grads.deallocate()
    }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, n) * 4, alignment: 64)
        let p = raw.bindMemory(to: Float.self, capacity: max(1, n))
        p.initialize(repeating: 0, count: max(1, n))
        return p
    }

    /// The entry called `name`, if any.
    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// Sets every gradient to zero (gradients accumulate across `backward` calls).
    public func zeroGrad() {
        let g = grads
        Parallel.forEachChunk(count, chunk: 1 << 16) { r in (g + r.lowerBound).update(repeating: 0, count: r.count) }
    }

    /// Copies all values from a store of the same layout (e.g. online → target network).
    public func copyValues(from other: ParameterStore) {
        precondition(other.entries == entries, "parameter layouts differ")
        copyFloats(from: other.values, to: values, count: count)
    }

    /// The parameters as tensors, in layout order (copies).
    public var parameters: [Tensor] { entries.map { tensor($0, values) } }
    /// The gradients as tensors, in layout order (copies).
    public var gradients: [Tensor] { entries.map { tensor($0, grads) } }

    private func tensor(_ e: Entry, _ base: UnsafeMutablePointer<Float>) -> Tensor {
        Tensor(shape: e.shape, scalars: Array(UnsafeBufferPointer(start: base + e.offset, count: e.count)))
    }

    /// Value of the parameter `name` as a tensor (a copy).
    public func value(_ name: String) -> Tensor? { entry(name).map { tensor($0, values) } }
    /// Gradient of the parameter `name` as a tensor (a copy).
    public func gradient(_ name: String) -> Tensor? { entry(name).map { tensor($0, grads) } }

    /// Overwrites the parameter `name`; the tensor must have the entry's shape.
    public func setValue(_ name: String, _ t: Tensor) {
        guard let e = entry(name) else { preconditionFailure("no parameter \(name)") }
        precondition(e.shape == t.shape, "parameter \(name) has shape \(e.shape), got \(t.shape)")
        t.scalars.withUnsafeBufferPointer { (values + e.offset).update(from: $0.baseAddress!, count: e.count) }
    }

    /// Euclidean norm of all gradients, accumulated in Double in a fixed chunk order.
    public func gradientNorm() -> Double {
        let g = grads
        return Parallel.sum(count, chunk: 1 << 15) { r in
            // Four independent accumulators break the add-latency chain (the order is
            // fixed, so the result is still deterministic).
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var i = r.lowerBound
            while i + 4 <= r.upperBound {
                let a = Double(g[i]), b = Double(g[i + 1]), c = Double(g[i + 2]), d = Double(g[i + 3])
                s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
                i += 4
            }
            while i < r.upperBound { let a = Double(g[i]); s0 += a * a; i += 1 }
            return (s0 + s1) + (s2 + s3)
        }.squareRoot()
    }
}

/// A model whose trainable parameters live in one ``ParameterStore``.
public protocol Module: AnyObject {
    var store: ParameterStore { get }
}

extension Module {
    public var parameters: [Tensor] { store.parameters }
    public var gradients: [Tensor] { store.gradients }
    public func zeroGrad() { store.zeroGrad() }
}

/// `count` floats from `source` to `destination` (not overlapping), in chunks over the
/// cores: a 0.8 MB copy done serially costs about as much as one layer's activation pass.
func copyFloats(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    Parallel.forEachChunk(count, chunk: 1 << 16) { r in
        (destination + r.lowerBound).update(from: source + r.lowerBound, count: r.count)
    }
}
