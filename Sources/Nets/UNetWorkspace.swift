import Tensors

/// The activation and gradient buffers of a ``UNet`` for one batch size, allocated once
/// and reused by every step. Inference workspaces keep nothing and share one im2col buffer.
final class UNetWorkspace {
    let batch: Int
    let training: Bool
    /// Full and half resolution.
    let g: ImageGeometry, h: ImageGeometry
    let xin, colIn, h0: Buffer                 // [Ci, N], [Ci·9, N], [C, N]
    let cat1: Buffer                           // [3C, N]: up(d₂) then s₁
    let p: Buffer                              // [C, N/4]
    let cat2: Buffer                           // [4C, N/4]: RB₃'s output then s₂
    let d2: Buffer                             // [2C, N/4]
    let d1, xhatOut, sigOut, hOut: Buffer      // [C, N]
    let rstdOut: Buffer                        // [B·G]
    let colOut: Buffer                         // [C·9, N]
    let y: Buffer                              // [Ci, N]
    let blocks: [ResBlock.Buffers]
    let emb: NoiseEmbedding.Buffers
    /// im2col scratch (inference) or dcol scratch (training backward), the largest needed.
    let sharedCol: Buffer
    let partial: Buffer                        // [B, 2·maxC]
    let dy, dhOut, dd1, dcat1, dd2, dcat2, ds2, dp, ds1, dh0, dxin: Buffer
    var forwardDone = false

    init(_ net: UNet, batch: Int, training t: Bool) {
        let c = net.configuration, C = c.baseWidth, ci = c.channels
        self.batch = batch
        training = t
        g = ImageGeometry(batch: batch, height: c.height, width: c.width)
        h = g.half
        let n = g.count, q = h.count, k = t ? 1 : 0
        xin = Buffer(ci * n); colIn = Buffer(k * ci * 9 * n); h0 = Buffer(C * n)
        cat1 = Buffer(3 * C * n); p = Buffer(C * q); cat2 = Buffer(4 * C * q); d2 = Buffer(2 * C * q)
        d1 = Buffer(C * n); xhatOut = Buffer(k * C * n); sigOut = Buffer(k * C * n); hOut = Buffer(C * n)
        rstdOut = Buffer(batch * net.normOut.groups); colOut = Buffer(k * C * 9 * n); y = Buffer(ci * n)
        let geometries = [g, h, h, h, g]
        blocks = zip(net.blocks, geometries).map { ResBlock.Buffers($0, $1, training: t) }
        emb = NoiseEmbedding.Buffers(batch: batch, fourierWidth: net.fourier.width, dims: c.embedDims)
        var cols = [ci * 9 * n, C * 9 * n]
        for (b, geo) in zip(net.blocks, geometries) { cols.append(max(b.inChannels, b.outChannels) * 9 * geo.count) }
        sharedCol = Buffer(cols.max()!)
        partial = Buffer(batch * 2 * 4 * C)
        dy = Buffer(k * ci * n); dhOut = Buffer(k * C * n); dd1 = Buffer(k * C * n); dcat1 = Buffer(k * 3 * C * n)
        dd2 = Buffer(k * 2 * C * q); dcat2 = Buffer(k * 4 * C * q); ds2 = Buffer(k * 2 * C * q); dp = Buffer(k * C * q)
        ds1 = Buffer(k * C * n); dh0 = Buffer(k * C * n); dxin = Buffer(k * ci * n)
    }
}
