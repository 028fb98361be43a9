import Tensors

/// The activation and gradient buffers of a ``UNet`` for one batch size, allocated once
/// and reused by every step. Activations are CHWB with the batch padded to
/// `ImageGeometry.padded(batch)` images; inference workspaces keep nothing.
///
/// Per resolution level k (at H/2ᵏ, `Nₖ` values per channel, `Cₖ` channels: C, then 2C):
/// the down block's input, its output `sₖ₊₁` (the skip), the up block's input (a concat)
/// and output, and in training their gradients.
final class UNetWorkspace {
    /// Images of the caller's batch, and the padded lane count of every activation.
    let batch: Int, lanes: Int
    let training: Bool
    /// The geometry of each level: full, half (and quarter) resolution.
    let levels: [ImageGeometry]
    /// Full resolution.
    var g: ImageGeometry { levels[0] }
    let noise: Buffer // [Bp] c_noise, zero-padded
    let xin: Buffer // [Ci, N]
    /// The down block's input: conv_in's output `[C, N]` at level 0, the level above's skip
    /// pooled `[Cₖ₋₁, Nₖ]` below.
    let down: [Buffer]
    /// The up block's input `[2C + Cₖ, Nₖ]`: what comes from below (the middle block's
    /// output at the innermost level, the level below's up block upsampled elsewhere), then
    /// the skip `sₖ₊₁` (the down block's output, written in place).
    let cat: [Buffer]
    /// The up block's output `[Cₖ, Nₖ]`.
    let up: [Buffer]
    let hOut: Buffer // [C, N]
    let meanOut, rstdOut: Buffer // [Bp·G]
    let y: Buffer // [Ci, N]
    let blocks: [ResBlock.Buffers]
    let emb: NoiseEmbedding.Buffers
    /// Convolution scratch, the largest any layer needs.
    let scratch: Buffer
    let partial: Buffer // [Bp, 2·maxC]
    let dy, dhOut, dxin: Buffer
    /// Per level, the gradients of ``down``, ``cat`` and ``up``, and of the skip `sₖ₊₁` `[Cₖ, Nₖ]`.
    let dDown, dCat, dUp, dSkip: [Buffer]

    /// A training workspace (keeping what the backward needs) or an inference one.
    init(_ net: UNet, batch: Int, training t: Bool = false) {
        let c = net.configuration, C = c.baseWidth, ci = c.channels, L = c.levels
        self.batch = batch
        lanes = ImageGeometry.padded(batch)
        training = t
        var levels = [ImageGeometry(batch: lanes, height: c.height, width: c.width)]
        while levels.count < L { levels.append(levels[levels.count - 1].half) }
        self.levels = levels
        let w = UNet.levelWidths(C, levels: L), k = t ? 1 : 0, n = levels[0].count
        let counts = levels.map(\.count), inner = 2 * C
        noise = Buffer(lanes)
        xin = Buffer(ci * n)
        down = (0..<L).map { Buffer(($0 == 0 ? C : w[$0 - 1]) * counts[$0]) }
        cat = (0..<L).map { Buffer((inner + w[$0]) * counts[$0]) }
        up = (0..<L).map { Buffer(w[$0] * counts[$0]) }
        hOut = Buffer(C * n)
        meanOut = Buffer(lanes * net.normOut.groups); rstdOut = Buffer(lanes * net.normOut.groups); y = Buffer(ci * n)
        let geometries = net.blockLevels.map { levels[$0] }
        blocks = zip(net.blocks, geometries).map { ResBlock.Buffers($0, $1, training: t) }
        emb = NoiseEmbedding.Buffers(batch: lanes, fourierWidth: net.fourier.width, dims: c.embedDims)
        var scratchSizes = [net.convIn.scratchCount(levels[0]), net.convOut.scratchCount(levels[0])]
        for (b, geo) in zip(net.blocks, geometries) { scratchSizes.append(b.scratchCount(geo)) }
        scratch = Buffer(scratchSizes.max()!)
        partial = Buffer(lanes * 2 * net.blocks.map { max($0.inChannels, $0.outChannels) }.max()!)
        dy = Buffer(k * ci * n); dhOut = Buffer(k * C * n); dxin = Buffer(k * ci * n)
        dDown = down.map { Buffer(k * $0.count) }
        dCat = cat.map { Buffer(k * $0.count) }
        dUp = up.map { Buffer(k * $0.count) }
        dSkip = (0..<L).map { Buffer(k * w[$0] * counts[$0]) }
    }
}
