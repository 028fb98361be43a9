import CKernels
import Tensors

/// A 3 × 3 convolution with few channels on one side, computed directly: 9·Ci·Co fused
/// multiply-adds per pixel and lane (CKernels' `ck_conv3_direct`).
///
/// Winograd's F(4×4, 3×3) spends, per tile of 16 pixels, an input transform per input
/// channel and an output transform per output channel on top of 36·Ci·Co products. With
/// one channel on a side (a U-Net's first layer, 1 → 32, and its last, 32 → 1) the
/// products are tiny and the transforms of the other side are nearly all the work, while
/// the direct sum costs 144·Ci·Co multiply-adds per tile and reads each pixel from the
/// cache. On one core at 14 × 14, batch 128 (2026-12-07), the U-Net's first and last layers
/// took 6.0 ms of a 108 ms training step with Winograd, 2.2 ms now (docs/speed.md, "Thin
/// layers, fused group norm, filters kept").
///
/// The sums run in Float32, one FMA chain per output from zero (over input channels, then
/// kernel rows, then columns), so every core count and vector level gives the same bits.
extension Conv2d {
    /// Layers whose smaller side has at most this many channels run directly. A forward,
    /// filter gradient and input gradient of a slice (16 images, 14 × 14, one core,
    /// 2026-12-07) took, directly against Winograd: 1 → 32 71 against 219 µs, 3 → 32 166
    /// against 230, 4 → 32 184 against 233, 8 → 32 347 against 262; 32 → 1, 4, 8: 90,
    /// 199, 360 against 244, 251, 268.
    static let directChannels = 4

    /// Whether this layer is a 3 × 3 convolution computed directly.
    public var isDirect: Bool { kernel == 3 && min(inChannels, outChannels) <= Self.directChannels }

    /// Floats of scratch a direct forward or backward needs: the larger side's planes
    /// with a zero border, and the flipped filters of the input gradient.
    func directScratchCount(_ g: ImageGeometry) -> Int {
        max(inChannels, outChannels) * (g.height + 2) * (g.width + 2) * g.batch + 9 * inChannels * outChannels
    }

    /// `y = conv(x) + b` directly, the output channels spread over the cores.
    func directForward(
        _ x: UnsafePointer<Float>, _ g: ImageGeometry, _ store: ParameterStore, scratch: UnsafeMutablePointer<Float>,
        bias: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>
    ) {
        ck_conv3_pad(x, inChannels, g.height, g.width, g.batch, scratch)
        Self.overChannels(outChannels, g) { lo, count in
            ck_conv3_direct(
                Self.level, scratch, inChannels, g.height, g.width, g.batch,
                store.values + weightOffset + lo * inChannels * 9, count, bias + lo, false,
                y + lo * g.count)
        }
    }

    /// `dW += Σ dY ⋆ x` and, when `gradInput` is given, dX = (or with `accumulate` +=) the
    /// convolution of dY with the filters flipped and transposed.
    func directBackward(
        gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, _ g: ImageGeometry,
        _ store: ParameterStore, scratch: UnsafeMutablePointer<Float>, gradInput dx: UnsafeMutablePointer<Float>?,
        accumulate: Bool
    ) {
        let ci = inChannels, co = outChannels, w = store.values + weightOffset, dw = store.grads + weightOffset
        ck_conv3_pad(x, ci, g.height, g.width, g.batch, scratch)
        Self.overChannels(co, g) { lo, count in
            ck_conv3_direct_filter_grad(
                Self.level, dy + lo * g.count, count, scratch, ci, g.height, g.width, g.batch, dw + lo * ci * 9)
        }
        guard let dx else { return }
        // dX[c] = Σ_o w[o, c] flipped ⋆ dY[o]: a forward over dY with w'[c, o, kh, kw] = w[o, c, 2−kh, 2−kw].
        let flipped = scratch + max(ci, co) * (g.height + 2) * (g.width + 2) * g.batch
        for c in 0..<ci {
            for o in 0..<co {
                for t in 0..<9 { flipped[(c * co + o) * 9 + t] = w[(o * ci + c) * 9 + 8 - t] }
            }
        }
        ck_conv3_pad(dy, co, g.height, g.width, g.batch, scratch)
        Self.overChannels(ci, g) { lo, count in
            ck_conv3_direct(
                Self.level, scratch, co, g.height, g.width, g.batch, flipped + lo * co * 9, count, nil, accumulate,
                dx + lo * g.count)
        }
    }

    /// The vector level of the direct kernels (their bits do not depend on it).
    private static var level: Int32 { 2 }

    /// Runs `body(first, count)` over chunks of `channels`, spread over the cores when the
    /// layer is large enough to share (a whole batch; a U-Net slice runs on its core).
    private static func overChannels(_ channels: Int, _ g: ImageGeometry, _ body: (Int, Int) -> Void) {
        let chunk = g.count * channels >= 1 << 16 ? 4 : channels
        Parallel.forEachChunk(channels, chunk: chunk) { r in body(r.lowerBound, r.count) }
    }
}
