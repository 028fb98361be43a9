import Tensors

/// Extents of a CHWB activation `[C, H, W, B]`: channel-major, then pixel, with the
/// batch innermost. Value `(c, y, x, b)` sits at `c·N + (y·W + x)·B + b`, `N = H·W·B`.
///
/// Why batch innermost: every image kernel (Winograd transforms, group norm, pooling)
/// does the same work for every image at one channel and pixel, so four images fill
/// one SSE register with contiguous loads and no edge cases; and a channel is still
/// one contiguous row of `N` values, so a 1 × 1 convolution, a bias or a channel
/// concatenation is a plain `[C, N]` operation. `batch` here is the padded lane count,
/// a multiple of ``lanes``; padded images are zeros that never reach a caller.
@_spi(Benchmark) public struct ImageGeometry: Equatable {
    let batch: Int
    let height: Int
    let width: Int
    /// `batch` images of `height × width` (public to the network benchmarks).
    @_spi(Benchmark) public init(batch: Int, height: Int, width: Int) {
        self.batch = batch; self.height = height; self.width = width
    }
    var plane: Int { height * width }
    /// Values per channel row, `N = H·W·B`.
    var count: Int { batch * height * width }
    /// Half resolution (average pooling by 2), rounding down.
    @_spi(Benchmark) public var half: ImageGeometry {
        ImageGeometry(batch: batch, height: height / 2, width: width / 2)
    }

    /// The batch is padded to a multiple of this many images.
    static let lanes = 16
    /// `b` rounded up to a multiple of ``lanes``.
    static func padded(_ b: Int) -> Int { (b + lanes - 1) / lanes * lanes }
}

/// `[B, C, P]` (rows of images, as callers hold them) → CHWB `[C, P, Bp]`, with the
/// `Bp − B` padding lanes set to zero.
func toCHWB(
    _ x: UnsafePointer<Float>, batch: Int, padded bp: Int, channels: Int, plane: Int,
    into y: UnsafeMutablePointer<Float>
) {
    Parallel.forEachChunk(channels, chunk: 1) { cs in
        for c in cs {
            let out = y + c * plane * bp
            for p in 0..<plane {
                let row = out + p * bp
                for b in 0..<batch { row[b] = x[(b * channels + c) * plane + p] }
                for b in batch..<bp { row[b] = 0 }
            }
        }
    }
}

/// CHWB `[C, P, Bp]` → `[B, C, P]`, dropping the padding lanes.
func fromCHWB(
    _ x: UnsafePointer<Float>, batch: Int, padded bp: Int, channels: Int, plane: Int,
    into y: UnsafeMutablePointer<Float>
) {
    Parallel.forEachChunk(batch, chunk: 16) { bs in
        for b in bs {
            for c in 0..<channels {
                let src = x + c * plane * bp + b, dst = y + (b * channels + c) * plane
                for p in 0..<plane { dst[p] = src[p * bp] }
            }
        }
    }
}
