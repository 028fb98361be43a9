import Foundation
import Tensors

/// The weights a network's forward reads in another layout than the store's, computed
/// once and read by many passes: the Winograd-transformed filters `U_ξ = G g Gᵀ` of its
/// 3 × 3 convolutions, and the transposes `Wᵀ` of its linear layers (for
/// ``Linear/multiplySmallBatch(_:batch:transposed:into:)``). A prediction or training
/// step split into per-core passes over slices of the batch prepares them once per
/// call, not once per slice. Filled by ``prepare(_:)`` from the store's current weights;
/// read-only after.
///
/// A prediction calls ``prepareForInference(_:)`` instead, which keeps a copy of the
/// weights it prepared from and prepares again only when they differ bit for bit: a
/// frozen network (a teacher, a sampler's student) is prepared once. Comparing is a read
/// of the weights; preparing took 0.45 ms of a 29 ms prediction on one core at 14 × 14,
/// on one core before the slices start (2026-12-07).
final class WinogradFilters: @unchecked Sendable {
    private let buffer: Buffer
    /// Offset of each layer's prepared weights in the buffer, by the layer's weight offset.
    private let offsets: [Int: Int]
    private let convolutions: [Conv2d]
    private let linears: [Linear]
    /// The store's ranges the prepared weights come from (offset, count), and a copy of
    /// them as ``prepareForInference(_:)`` last prepared them, valid while `current`.
    private let sources: [(offset: Int, count: Int)]
    private let snapshot: Buffer
    private var current = false
    private let lock = NSLock()

    init(_ convolutions: [Conv2d], linears: [Linear] = []) {
        self.convolutions = convolutions.filter { $0.kernel == 3 && !$0.isDirect }
        self.linears = linears
        var offsets: [Int: Int] = [:], total = 0
        for c in self.convolutions {
            offsets[c.weightOffset] = total
            total += c.transformedCount
        }
        for l in linears {
            offsets[l.weightOffset] = total
            total += l.inputs * l.outputs
        }
        self.offsets = offsets
        buffer = Buffer(total)
        sources =
            self.convolutions.map { ($0.weightOffset, $0.outChannels * $0.inChannels * 9) }
            + linears.map { ($0.weightOffset, $0.inputs * $0.outputs) }
        snapshot = Buffer(sources.reduce(0) { $0 + $1.count })
    }

    /// `U` of every convolution and `Wᵀ` of every linear layer from the store's current weights.
    func prepare(_ store: ParameterStore) {
        lock.withLock {
            current = false
            transform(store)
        }
    }

    /// ``prepare(_:)`` unless the weights are bit for bit those of the last call.
    func prepareForInference(_ store: ParameterStore) {
        lock.withLock {
            var at = 0, same = current
            for (offset, count) in sources where same {
                same = memcmp(snapshot.p + at, store.values + offset, count * MemoryLayout<Float>.stride) == 0
                at += count
            }
            if same { return }
            transform(store)
            at = 0
            for (offset, count) in sources {
                (snapshot.p + at).update(from: store.values + offset, count: count)
                at += count
            }
            current = true
        }
    }

    private func transform(_ store: ParameterStore) {
        for c in convolutions {
            winogradFilterTransform(
                store.values + c.weightOffset, outChannels: c.outChannels, inChannels: c.inChannels,
                into: buffer.p + offsets[c.weightOffset]!)
        }
        for l in linears { l.transposeWeights(store, into: buffer.p + offsets[l.weightOffset]!) }
    }

    /// `U` of `conv`, or nil when it is not one of these convolutions.
    func transformed(_ conv: Conv2d) -> UnsafePointer<Float>? {
        guard conv.kernel == 3, !conv.isDirect else { return nil }
        return offsets[conv.weightOffset].map { UnsafePointer(buffer.p + $0) }
    }

    /// `Wᵀ` `[in, out]` of `linear`, or nil when it is not one of these layers.
    func transposed(_ linear: Linear) -> UnsafePointer<Float>? {
        offsets[linear.weightOffset].map { UnsafePointer(buffer.p + $0) }
    }
}
