import Tensors

/// The activation and gradient buffers of a ``UNet`` for one batch size, allocated once
/// and reused by every step. Activations are CHWB with the batch padded to
/// `ImageGeometry.padded(batch)` images; inference workspaces keep nothing.
final class UNetWorkspace {
    /// Images of the caller's batch, and the padded lane count of every activation.
    let batch: Int, lanes: Int
    let training: Bool
    /// Full and half resolution.
    let g: ImageGeometry, h: ImageGeometry
    let noise: Buffer // [Bp] c_noise, zero-padded
    let xin, h0: Buffer // [Ci, N], [C, N]
    let cat1: Buffer // [3C, N]: up(d₂) then s₁
    let p: Buffer // [C, N/4]
    let cat2: Buffer // [4C, N/4]: RB₃'s output then s₂
    let d2: Buffer // [2C, N/4]
    let d1, xhatOut, sigOut, hOut: Buffer // [C, N]
    let rstdOut: Buffer // [Bp·G]
    let y: Buffer // [Ci, N]
    let blocks: [ResBlock.Buffers]
    let emb: NoiseEmbedding.Buffers
    /// Convolution scratch, the largest any layer needs.
    let scratch: Buffer
    let partial: Buffer // [Bp, 2·maxC]
    let dy, dhOut, dd1, dcat1, dd2, dcat2, ds2, dp, ds1, dh0, dxin: Buffer

    /// A training workspace (keeping what the backward needs) or an inference one.
    init(_ net: UNet, batch: Int, training t: Bool = false) {
        let c = net.configuration, C = c.baseWidth, ci = c.channels
        self.batch = batch
        lanes = ImageGeometry.padded(batch)
        training = t
        g = ImageGeometry(batch: lanes, height: c.height, width: c.width)
        h = g.half
        let n = g.count, q = h.count, k = t ? 1 : 0
        noise = Buffer(lanes)
        xin = Buffer(ci * n); h0 = Buffer(C * n)
        cat1 = Buffer(3 * C * n); p = Buffer(C * q); cat2 = Buffer(4 * C * q); d2 = Buffer(2 * C * q)
        d1 = Buffer(C * n); xhatOut = Buffer(k * C * n); sigOut = Buffer(k * C * n); hOut = Buffer(C * n)
        rstdOut = Buffer(lanes * net.normOut.groups); y = Buffer(ci * n)
        let geometries = [g, h, h, h, g]
        blocks = zip(net.blocks, geometries).map { ResBlock.Buffers($0, $1, training: t) }
        emb = NoiseEmbedding.Buffers(batch: lanes, fourierWidth: net.fourier.width, dims: c.embedDims)
        var scratchSizes = [net.convIn.scratchCount(g), net.convOut.scratchCount(g)]
        for (b, geo) in zip(net.blocks, geometries) { scratchSizes.append(b.scratchCount(geo)) }
        scratch = Buffer(scratchSizes.max()!)
        partial = Buffer(lanes * 2 * 4 * C)
        dy = Buffer(k * ci * n); dhOut = Buffer(k * C * n); dd1 = Buffer(k * C * n); dcat1 = Buffer(k * 3 * C * n)
        dd2 = Buffer(k * 2 * C * q); dcat2 = Buffer(k * 4 * C * q); ds2 = Buffer(k * 2 * C * q); dp = Buffer(k * C * q)
        ds1 = Buffer(k * C * n); dh0 = Buffer(k * C * n); dxin = Buffer(k * ci * n)
    }
}
