import Tensors

/// A fixed-size, 64-byte-aligned Float32 scratch buffer, freed with its owner.
/// Activations and gradients live in these so a training step allocates nothing.
@_spi(Benchmark) public final class Buffer {
    let pointer: UnsafeMutablePointer<Float>
    @_spi(Benchmark) public let count: Int

    @_spi(Benchmark) public init(_ count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    deinit { pointer.deallocate() }

    @_spi(Benchmark) public var p: UnsafeMutablePointer<Float> { pointer }
}
