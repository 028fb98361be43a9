import Tensors

/// The Winograd-transformed filters `U_ξ = G g Gᵀ` of a network's 3 × 3 convolutions,
/// computed once and read by many forward passes: a prediction split into per-core
/// passes over slices of the batch transforms each filter once per call, not once per
/// slice. Filled by ``prepare(_:)`` from the store's current weights; read-only after.
final class WinogradFilters: @unchecked Sendable {
    private let buffer: Buffer
    /// Offset of each convolution's `U` in the buffer, by the convolution's weight offset.
    private let offsets: [Int: Int]
    private let convolutions: [Conv2d]

    init(_ convolutions: [Conv2d]) {
        self.convolutions = convolutions.filter { $0.kernel == 3 }
        var offsets: [Int: Int] = [:], total = 0
        for c in self.convolutions {
            offsets[c.weightOffset] = total
            total += c.transformedCount
        }
        self.offsets = offsets
        buffer = Buffer(total)
    }

    /// `U` of every convolution from the store's current weights.
    func prepare(_ store: ParameterStore) {
        for c in convolutions {
            winogradFilterTransform(
                store.values + c.weightOffset, outChannels: c.outChannels, inChannels: c.inChannels,
                into: buffer.p + offsets[c.weightOffset]!)
        }
    }

    /// `U` of `conv`, or nil when it is not one of these convolutions.
    func transformed(_ conv: Conv2d) -> UnsafePointer<Float>? {
        offsets[conv.weightOffset].map { UnsafePointer(buffer.p + $0) }
    }
}
