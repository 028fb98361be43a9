import Tensors

/// A fixed-size, 64-byte-aligned Float32 scratch buffer, freed with its owner.
/// Activations and gradients live in these so a training step allocates nothing.
final class Buffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(1, count))
        pointer.initialize(repeating: 0, count: max(1, count))
    }

    deinit { pointer.deallocate() }

    var p: UnsafeMutablePointer<Float> { pointer }
}

/// Row chunks for the element-wise passes: about 8K elements each, depending only on
/// the problem size, so partial sums combine in the same order on any thread count.
@inline(__always)
func rowChunk(columns: Int) -> Int { max(1, 8192 / max(1, columns)) }

@inline(__always)
func chunkCount(rows: Int, columns: Int) -> Int {
    let c = rowChunk(columns: columns)
    return (rows + c - 1) / c
}

/// Runs `body(chunkIndex, rows)` over the row chunks of a `[rows, columns]` block.
@inline(__always)
func forEachRowChunk(rows: Int, columns: Int, _ body: (Int, Range<Int>) -> Void) {
    let c = rowChunk(columns: columns)
    Parallel.forEachChunk(chunkCount(rows: rows, columns: columns), chunk: 1) { chunks in
        for k in chunks { body(k, (k * c)..<min(rows, (k + 1) * c)) }
    }
}
