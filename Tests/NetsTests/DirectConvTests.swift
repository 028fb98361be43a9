import CKernels
import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// The direct 3 × 3 convolution of thin layers (CKernels' conv3direct.c, ``Conv2d/isDirect``):
/// its vector levels and channel chunks (core counts) give the same bits, and its filter gradient is the
/// Double sum it stands for. (Its forward and its gradients against a Double convolution
/// and finite differences: ``ConvTests``.)
@Suite struct DirectConvTests {
    static func random(_ n: Int, seed: UInt64) -> [Float] { RNG(seed: seed).normalTensor(shape: [n]).scalars }

    /// Levels to compare: AVX-512 where the CPU has it, AVX2, portable.
    static var levels: [Int32] { (ck_vector_level() >= 2 ? [2] : []) + [1, 0] }

    /// Every level gives the bits of the portable body: forward with a bias, onto an
    /// existing output (`accumulate`), and the filter gradient onto a nonzero gradient.
    /// B = 20 runs one vector of 16 lanes and four lanes one at a time; W = 7 runs pixel
    /// blocks of 4, 2 and 1; 6 output channels a tile of 4 and two single channels.
    @Test(arguments: [(3, 6, 5, 7, 20), (1, 32, 14, 14, 16), (32, 1, 7, 7, 16), (2, 5, 2, 3, 1)])
    func levelsGiveTheSameBits(ci: Int, co: Int, height: Int, width: Int, batch: Int) {
        let n = height * width * batch
        let x = Self.random(ci * n, seed: 1), w = Self.random(co * ci * 9, seed: 2), bias = Self.random(co, seed: 3)
        let dy = Self.random(co * n, seed: 4), base = Self.random(co * n, seed: 5)
        let dw0 = Self.random(co * ci * 9, seed: 6)
        var xp = [Float](repeating: .nan, count: ci * (height + 2) * (width + 2) * batch)
        ck_conv3_pad(x, ci, height, width, batch, &xp)
        var results: [[UInt32]] = []
        for level in Self.levels {
            var y = [Float](repeating: .nan, count: co * n), acc = base, dw = dw0
            ck_conv3_direct(level, xp, ci, height, width, batch, w, co, bias, false, &y)
            ck_conv3_direct(level, xp, ci, height, width, batch, w, co, nil, true, &acc)
            ck_conv3_direct_filter_grad(level, dy, co, xp, ci, height, width, batch, &dw)
            results.append((y + acc + dw).map(\.bitPattern))
        }
        for (level, r) in zip(Self.levels, results) {
            #expect(r == results.last!, "level \(level) differs from the portable body")
        }
        // The forward against a Double sum over the padded input (zero border) within
        // (9·Cin + 1)·ε of Σ|terms|, and `accumulate` adds the same sum onto `base`.
        var y = [Float](repeating: 0, count: co * n), acc = base
        ck_conv3_direct(0, xp, ci, height, width, batch, w, co, bias, false, &y)
        ck_conv3_direct(0, xp, ci, height, width, batch, w, co, nil, true, &acc)
        let wp = width + 2, hp = height + 2
        for o in 0..<co {
            for h in 0..<height {
                for j in 0..<width {
                    for b in 0..<batch {
                        var s = 0.0, mag = 0.0
                        for c in 0..<ci {
                            for kh in 0..<3 {
                                for kw in 0..<3 {
                                    let t =
                                        Double(w[(o * ci + c) * 9 + kh * 3 + kw])
                                        * Double(xp[((c * hp + h + kh) * wp + j + kw) * batch + b])
                                    s += t; mag += abs(t)
                                }
                            }
                        }
                        let i = ((o * height + h) * width + j) * batch + b, eps = Double(Float.ulpOfOne)
                        let bound = Double(9 * ci + 1) * eps * (mag + abs(Double(bias[o])) + abs(Double(base[i])))
                        #expect(abs(Double(y[i]) - (s + Double(bias[o]))) <= bound)
                        #expect(abs(Double(acc[i]) - (s + Double(base[i]))) <= bound)
                    }
                }
            }
        }
    }

    /// The filter gradient is `Σ_lanes Σ_pixels dY·x` of the tap, in Double within
    /// (pixels + lanes)·ε of the sum of magnitudes (two Float32 sums in turn).
    @Test func filterGradientIsTheDoubleSum() {
        let ci = 3, co = 5, height = 6, width = 5, batch = 20, n = height * width * batch
        let x = Self.random(ci * n, seed: 7), dy = Self.random(co * n, seed: 8)
        var xp = [Float](repeating: 0, count: ci * (height + 2) * (width + 2) * batch)
        ck_conv3_pad(x, ci, height, width, batch, &xp)
        var dw = [Float](repeating: 0, count: co * ci * 9)
        ck_conv3_direct_filter_grad(2, dy, co, xp, ci, height, width, batch, &dw)
        let eps = Double(Float.ulpOfOne)
        for o in 0..<co {
            for c in 0..<ci {
                for kh in 0..<3 {
                    for kw in 0..<3 {
                        var s = 0.0, mag = 0.0
                        for h in 0..<height {
                            for j in 0..<width {
                                let hh = h + kh - 1, jj = j + kw - 1
                                guard hh >= 0, hh < height, jj >= 0, jj < width else { continue }
                                for b in 0..<batch {
                                    let t =
                                        Double(dy[((o * height + h) * width + j) * batch + b])
                                        * Double(x[((c * height + hh) * width + jj) * batch + b])
                                    s += t; mag += abs(t)
                                }
                            }
                        }
                        let got = Double(dw[(o * ci + c) * 9 + kh * 3 + kw])
                        #expect(
                            abs(got - s) <= Double(height * width + batch) * eps * mag, "dw[\(o), \(c), \(kh), \(kw)]")
                    }
                }
            }
        }
    }

    /// A whole batch spreads the output channels over the cores in chunks of four
    /// (`Conv2d.directForward`, `directBackward`): whatever the core count, each output
    /// channel is computed alone, so the kernels over all channels at once and over chunks
    /// of four give the same bits, forward and filter gradient. (The global thread count
    /// is left alone: other suites run beside this one.)
    @Test func channelChunksGiveTheSameBits() {
        let ci = 3, co = 10, height = 6, width = 7, batch = 16, n = height * width * batch
        let x = Self.random(ci * n, seed: 9), w = Self.random(co * ci * 9, seed: 10), bias = Self.random(co, seed: 11)
        let dy = Self.random(co * n, seed: 12)
        var xp = [Float](repeating: 0, count: ci * (height + 2) * (width + 2) * batch)
        ck_conv3_pad(x, ci, height, width, batch, &xp)
        var whole = [Float](repeating: .nan, count: co * n), chunked = whole
        var dwWhole = [Float](repeating: 0, count: co * ci * 9), dwChunked = dwWhole
        ck_conv3_direct(2, xp, ci, height, width, batch, w, co, bias, false, &whole)
        ck_conv3_direct_filter_grad(2, dy, co, xp, ci, height, width, batch, &dwWhole)
        for lo in stride(from: 0, to: co, by: 4) {
            let count = min(4, co - lo)
            chunked.withUnsafeMutableBufferPointer { y in
                dwChunked.withUnsafeMutableBufferPointer { dw in
                    ck_conv3_direct(
                        2, xp, ci, height, width, batch, Array(w[(lo * ci * 9)...]), count, Array(bias[lo...]), false,
                        y.baseAddress! + lo * n)
                    ck_conv3_direct_filter_grad(
                        2, Array(dy[(lo * n)...]), count, xp, ci, height, width, batch, dw.baseAddress! + lo * ci * 9)
                }
            }
        }
        #expect(whole.map(\.bitPattern) == chunked.map(\.bitPattern))
        #expect(dwWhole.map(\.bitPattern) == dwChunked.map(\.bitPattern))
    }
}
