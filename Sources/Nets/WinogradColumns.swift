/// One slice's columns in a whole batch's transformed input `V` `[Cin, 36, xiStride]` and
/// output gradient `dM` `[Cout, 36, xiStride]`, for a 3 × 3 convolution trained in
/// slices (``UNet``): the slice's forward writes its `V` there and its backward its `dM`,
/// and once every slice is done ``Conv2d/weightGradient(_:store:scratch:)`` forms
/// `dU_ξ = dM_ξ·V_ξᵀ` over all the batch's columns at once: products with an inner
/// length of the whole batch instead of one per slice (a 16-image slice has 64 columns
/// at 7 × 7, too few for a dot-product kernel to pay for its horizontal sums).
struct WinogradColumns {
    let v: UnsafeMutablePointer<Float>
    let dm: UnsafeMutablePointer<Float>
    /// Distance between consecutive ξ rows: the batch's columns plus 16 floats.
    let xiStride: Int
    /// Columns of the whole batch.
    let count: Int
    /// The slice's first column.
    let offset: Int
}

/// The `V` and `dM` buffers of a network's 3 × 3 convolutions for one batch trained in
/// slices, and each slice's place in them. A slice of `L` lanes takes `T·L` consecutive
/// columns (`T` tiles per image at the convolution's resolution), after the slices
/// before it.
final class BatchColumns {
    private let buffers: [Buffer]
    /// Per convolution, the whole batch (offset 0).
    let whole: [WinogradColumns]
    /// Per slice, per convolution.
    let slices: [[WinogradColumns]]
    /// `dU` of the largest convolution, for ``Conv2d/weightGradient(_:store:scratch:)``.
    let scratch: Buffer

    /// `convolutions`: each 3 × 3 convolution with its image height and width; `lanes`:
    /// each slice's padded lane count.
    init(_ convolutions: [(conv: Conv2d, height: Int, width: Int)], lanes: [Int]) {
        var buffers: [Buffer] = [], whole: [WinogradColumns] = []
        var slices = [[WinogradColumns]](repeating: [], count: lanes.count)
        for (conv, height, width) in convolutions {
            precondition(conv.kernel == 3, "only 3 × 3 convolutions keep columns")
            let tiles = WinogradGeometry.tiles(height: height, width: width)
            let count = tiles * lanes.reduce(0, +), xiStride = count + 16
            let rowStride = WinogradGeometry.positions * xiStride
            let v = Buffer(conv.inChannels * rowStride), dm = Buffer(conv.outChannels * rowStride)
            buffers += [v, dm]
            whole.append(WinogradColumns(v: v.p, dm: dm.p, xiStride: xiStride, count: count, offset: 0))
            var offset = 0
            for (s, l) in lanes.enumerated() {
                slices[s].append(WinogradColumns(v: v.p, dm: dm.p, xiStride: xiStride, count: count, offset: offset))
                offset += tiles * l
            }
        }
        self.buffers = buffers
        self.whole = whole
        self.slices = slices
        scratch = Buffer(convolutions.map(\.conv.transformedCount).max() ?? 0)
    }
}
