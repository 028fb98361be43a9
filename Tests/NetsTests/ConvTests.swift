import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// Convolution, group norm and resampling checked against independent references:
/// a direct (seven-loop) convolution, and central finite differences of a scalar loss.
/// Activations are CHWB `[C, H, W, B]` with B a multiple of 4 (16 for group norm).
@Suite struct ConvTests {
    /// Random values `N(0, s²)`, draw `i` at index `i`.
    static func random(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        RNG(seed: seed).normalTensor(shape: [n]).scalars.map { $0 * scale }
    }

    /// Direct convolution of x `[Cin, H, W, B]` (CHWB), stride 1, zero padding k/2, in Double.
    static func directConv(
        _ x: [Float], _ w: [Float], _ bias: [Float], cin: Int, cout: Int, k: Int, _ g: ImageGeometry
    ) -> [Double] {
        let n = g.count, pad = k / 2
        var y = [Double](repeating: 0, count: cout * n)
        for co in 0..<cout {
            for b in 0..<g.batch {
                for i in 0..<g.height {
                    for j in 0..<g.width {
                        var s = Double(bias[co])
                        for c in 0..<cin {
                            for u in 0..<k {
                                for v in 0..<k {
                                    let yy = i + u - pad, xx = j + v - pad
                                    guard yy >= 0, yy < g.height, xx >= 0, xx < g.width else { continue }
                                    s +=
                                        Double(w[((co * cin + c) * k + u) * k + v])
                                        * Double(x[c * n + (yy * g.width + xx) * g.batch + b])
                                }
                            }
                        }
                        y[co * n + (i * g.width + j) * g.batch + b] = s
                    }
                }
            }
        }
        return y
    }

    /// Odd and even sizes (Winograd tiles that overhang the image), with 3 → 4 channels
    /// (a 3 × 3 kernel runs directly, ``Conv2d/isDirect``) and 5 → 6 (Winograd).
    /// Tolerance: relative to `S = max_out Σ |w·x|` over the terms of an output, the scale
    /// any Float32 summation error is proportional to. A direct Float32 sum of
    /// `9·Cin + 1` terms stays below `(9·Cin + 1)·ε·S` (2.2e-6·S at Cin = 3); F(4×4, 3×3)
    /// transforms carry coefficients up to 8 and 5 and lose a few more bits (Lavin & Gray
    /// report ~1e-5 relative for this tile size).
    @Test(arguments: [
        (1, 5, 6, 3, 4), (3, 5, 6, 3, 4), (3, 7, 7, 3, 4), (3, 4, 3, 3, 4), (1, 2, 2, 3, 4), (3, 14, 14, 3, 4),
        (3, 5, 6, 5, 6), (3, 7, 7, 5, 6), (3, 4, 3, 5, 6), (3, 14, 14, 5, 6),
    ])
    func convolutionMatchesTheDirectSum(kernel: Int, height: Int, width: Int, cin: Int, cout: Int) {
        let g = ImageGeometry(batch: 8, height: height, width: width)
        let store = ParameterStore(layout: Conv2d.layout("c", inChannels: cin, outChannels: cout, kernel: kernel))
        let conv = Conv2d("c", in: store)
        let w = Self.random(cout * cin * kernel * kernel, seed: 1), b = Self.random(cout, seed: 2)
        store.setValue("c.weight", Tensor(shape: [cout, cin, kernel, kernel], scalars: w))
        store.setValue("c.bias", Tensor(shape: [cout], scalars: b))
        let x = Self.random(cin * g.count, seed: 3)
        let scratch = Buffer(conv.scratchCount(g)), y = Buffer(cout * g.count)
        x.withUnsafeBufferPointer { conv.forward($0.baseAddress!, g, kept: nil, scratch: scratch.p, store, into: y.p) }
        let ref = Self.directConv(x, w, b, cin: cin, cout: cout, k: kernel, g)
        let scale = Self.directConv(x.map(abs), w.map(abs), b.map(abs), cin: cin, cout: cout, k: kernel, g).max()!
        let err = (0..<ref.count).map { abs(Double(y.p[$0]) - ref[$0]) }.max()!
        let direct = kernel == 1 || conv.isDirect
        #expect(conv.isDirect == (kernel == 3 && cin == 3))
        let bound = direct ? Double(9 * cin + 1) * Double(Float.ulpOfOne) : 1e-5
        #expect(err < bound * scale, "max |conv − direct| = \(err), S = \(scale)")
    }

    /// Sum of `weights ⊙ f()` in Double.
    static func dot(_ a: UnsafePointer<Float>, _ w: [Float]) -> Double {
        (0..<w.count).reduce(0.0) { $0 + Double(a[$1]) * Double(w[$1]) }
    }

    /// Checks analytic against central-difference gradients at the given coordinates:
    /// ‖fd − analytic‖ ≤ 1e-2·‖analytic‖ + `floor` (Float32 network, h = 1e-2; `floor`
    /// absorbs the rounding noise of the differences where the gradient is exactly zero).
    static func expectClose(_ analytic: [Double], _ fd: [Double], _ what: String, floor: Double = 0) {
        let diff = zip(analytic, fd).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = analytic.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(norm > 0 || floor > 0, "\(what): gradient is zero")
        #expect(diff <= 1e-2 * norm + floor, "\(what): ‖fd − analytic‖ = \(diff), ‖analytic‖ = \(norm)")
    }

    /// A 1 × 1 kernel; a 3 × 3 that keeps `U` and `V` (whole batches); a 3 × 3 that keeps
    /// nothing and transforms its input again in the backward (the U-Net's slices, with
    /// prepared filters), on 16 images so that the weight gradient's products run on
    /// whole vectors; each 3 × 3 with 5 → 6 channels (Winograd) and 3 → 2 (direct, whose
    /// backward always reads the input).
    @Test(arguments: [(1, false, 3, 2), (3, false, 5, 6), (3, true, 5, 6), (3, false, 3, 2), (3, true, 3, 2)])
    func convolutionBackwardMatchesFiniteDifferences(kernel: Int, again: Bool, cin: Int, cout: Int) {
        let g = ImageGeometry(batch: again ? 16 : 8, height: 4, width: 5)
        let store = ParameterStore(layout: Conv2d.layout("c", inChannels: cin, outChannels: cout, kernel: kernel))
        let conv = Conv2d("c", in: store)
        for i in 0..<store.count { store.values[i] = Self.random(store.count, seed: 4, scale: 0.5)[i] }
        var x = Self.random(cin * g.count, seed: 5)
        let wOut = Self.random(cout * g.count, seed: 6)
        let kept = Buffer(conv.keptCount(g)), scratch = Buffer(conv.scratchCount(g))
        let y = Buffer(cout * g.count), dx = Buffer(cin * g.count)
        let filters = WinogradFilters([conv])
        func loss() -> Double {
            filters.prepare(store)
            return x.withUnsafeBufferPointer {
                conv.forward(
                    $0.baseAddress!, g, kept: again ? nil : kept.p, scratch: scratch.p, store,
                    filters: again ? filters : nil, into: y.p)
                return Self.dot(y.p, wOut)
            }
        }
        _ = loss()
        store.zeroGrad()
        wOut.withUnsafeBufferPointer { w in
            x.withUnsafeBufferPointer { xp in
                conv.backward(
                    gradOutput: w.baseAddress!, kept: kernel == 3 && !again ? UnsafePointer(kept.p) : nil,
                    input: kernel == 1 || again || conv.isDirect ? xp.baseAddress! : nil, g, store, scratch: scratch.p,
                    filters: again ? filters : nil, gradInput: dx.p)
            }
        }
        let h: Float = 1e-2
        var an: [Double] = [], fd: [Double] = []
        for e in store.entries {
            for i in 0..<e.count {
                let k = e.offset + i, v = store.values[k]
                store.values[k] = v + h; let lp = loss()
                store.values[k] = v - h; let lm = loss()
                store.values[k] = v
                an.append(Double(store.grads[k])); fd.append((lp - lm) / Double(2 * h))
            }
        }
        Self.expectClose(an, fd, "conv k=\(kernel) \(cin)→\(cout) parameters")
        an = []; fd = []
        for i in 0..<x.count {
            let v = x[i]
            x[i] = v + h; let lp = loss()
            x[i] = v - h; let lm = loss()
            x[i] = v
            an.append(Double(dx.p[i])); fd.append((lp - lm) / Double(2 * h))
        }
        Self.expectClose(an, fd, "conv k=\(kernel) \(cin)→\(cout) input")
    }

    @Test(arguments: [false, true]) func groupNormSiLUBackwardMatchesFiniteDifferences(film: Bool) {
        let g = ImageGeometry(batch: 16, height: 3, width: 4), C = 6
        let store = ParameterStore(layout: GroupNormSiLU.layout("n", channels: C))
        let norm = GroupNormSiLU("n", in: store, groups: 3)
        let r = Self.random(store.count, seed: 7, scale: 0.3)
        for i in 0..<store.count { store.values[i] = r[i] }
        for c in 0..<C { store.values[norm.gammaOffset + c] += 1 }
        var x = Self.random(C * g.count, seed: 8, scale: 2).map { $0 + 0.5 }
        var f = Self.random(g.batch * 2 * C, seed: 9, scale: 0.5)
        let wOut = Self.random(C * g.count, seed: 10)
        let out = Buffer(C * g.count), mean = Buffer(g.batch * 3), rstd = Buffer(g.batch * 3)
        let dx = Buffer(C * g.count), dfilm = Buffer(g.batch * 2 * C), partial = Buffer(g.batch * 2 * C)
        func loss() -> Double {
            x.withUnsafeBufferPointer { xp in
                f.withUnsafeBufferPointer { fp in
                    norm.forward(
                        xp.baseAddress!, g, film: film ? fp.baseAddress! : nil, store, mean: mean.p, rstd: rstd.p,
                        into: out.p)
                }
            }
            return Self.dot(out.p, wOut)
        }
        _ = loss()
        store.zeroGrad()
        var dh = wOut // the backward overwrites dh
        dh.withUnsafeMutableBufferPointer { w in
            f.withUnsafeBufferPointer { fp in
                norm.backward(
                    gradOutput: w.baseAddress!, g, film: film ? fp.baseAddress! : nil, input: x, mean: mean.p,
                    rstd: rstd.p, store, dfilm: film ? dfilm.p : nil, partial: partial.p, gradInput: dx.p,
                    accumulate: false)
            }
        }
        let h: Float = 1e-2
        func check(
            count: Int, _ get: (Int) -> Float, _ set: (Int, Float) -> Void, _ analytic: (Int) -> Float, _ what: String
        ) {
            var an: [Double] = [], fd: [Double] = []
            for i in 0..<count {
                let v = get(i)
                set(i, v + h); let lp = loss()
                set(i, v - h); let lm = loss()
                set(i, v)
                an.append(Double(analytic(i))); fd.append((lp - lm) / Double(2 * h))
            }
            Self.expectClose(an, fd, what)
        }
        check(count: x.count, { x[$0] }, { x[$0] = $1 }, { dx.p[$0] }, "group norm input")
        if film { check(count: f.count, { f[$0] }, { f[$0] = $1 }, { dfilm.p[$0] }, "FiLM scale/shift") }
        var an: [Double] = [], fd: [Double] = []
        for k in 0..<(2 * C) {
            let o = k < C ? norm.gammaOffset + k : norm.betaOffset + k - C, v = store.values[o]
            store.values[o] = v + h; let lp = loss()
            store.values[o] = v - h; let lm = loss()
            store.values[o] = v
            an.append(Double(store.grads[o])); fd.append((lp - lm) / Double(2 * h))
        }
        Self.expectClose(an, fd, "group norm γ, β")
    }

    /// The backward passes of pooling and up-sampling are adjoints: ⟨A x, y⟩ = ⟨x, Aᵀ y⟩;
    /// and pooling averages the 2 × 2 block of the same image.
    @Test func resamplingBackwardIsTheAdjoint() {
        let channels = 5, g = ImageGeometry(batch: 8, height: 4, width: 6), h = g.half
        let x = Self.random(channels * g.count, seed: 11), y = Self.random(channels * h.count, seed: 12)
        let ax = Buffer(channels * h.count), aty = Buffer(channels * g.count)
        x.withUnsafeBufferPointer { Resample.avgPool2($0.baseAddress!, g, channels: channels, into: ax.p) }
        y.withUnsafeBufferPointer {
            Resample.avgPool2Backward($0.baseAddress!, g, channels: channels, into: aty.p, accumulate: false)
        }
        #expect(abs(Self.dot(ax.p, y) - Self.dot(aty.p, x)) < 1e-4)
        let ux = Buffer(channels * g.count), uty = Buffer(channels * h.count)
        y.withUnsafeBufferPointer { Resample.upsampleNearest2($0.baseAddress!, h, channels: channels, into: ux.p) }
        x.withUnsafeBufferPointer {
            Resample.upsampleNearest2Backward($0.baseAddress!, h, channels: channels, into: uty.p)
        }
        #expect(abs(Self.dot(ux.p, x) - Self.dot(uty.p, y)) < 1e-4)
        // Channel 1, output pixel (1, 2), image 3: the block at rows 2–3, columns 4–5.
        func at(_ c: Int, _ i: Int, _ j: Int, _ b: Int) -> Float { x[c * g.count + (i * g.width + j) * g.batch + b] }
        #expect(
            ax.p[h.count + (1 * h.width + 2) * h.batch + 3] == 0.25
                * ((at(1, 2, 4, 3) + at(1, 2, 5, 3)) + (at(1, 3, 4, 3) + at(1, 3, 5, 3))))
    }

    /// The layout conversions are inverse to each other and pad with zeros.
    @Test func channelsLastRoundTrip() {
        let B = 3, L = ImageGeometry.padded(B), C = 2, P = 5
        let x = Self.random(B * C * P, seed: 13)
        let chwb = Buffer(C * P * L), back = Buffer(B * C * P)
        x.withUnsafeBufferPointer { toCHWB($0.baseAddress!, batch: B, padded: L, channels: C, plane: P, into: chwb.p) }
        #expect(chwb.p[(1 * P + 4) * L + 2] == x[(2 * C + 1) * P + 4])
        #expect((0..<C * P).allSatisfy { q in (B..<L).allSatisfy { chwb.p[q * L + $0] == 0 } })
        fromCHWB(chwb.p, batch: B, padded: L, channels: C, plane: P, into: back.p)
        #expect((0..<x.count).allSatisfy { back.p[$0] == x[$0] })
    }

    /// The four-lane sigmoid is the scalar one, lane by lane, bit for bit (NaN stays NaN).
    @Test func vectorSigmoidEqualsScalar() {
        let z: [Float] = [-200, -90, -20, -1, -1e-3, 0, 1e-3, 0.7, 3, 20, 90, 200]
        for k in stride(from: 0, to: z.count, by: 4) {
            let v = fastSigmoid(F4(z[k], z[k + 1], z[k + 2], z[k + 3]))
            for l in 0..<4 { #expect(v[l] == fastSigmoid(z[k + l]), "z = \(z[k + l])") }
        }
        #expect(fastSigmoid(F4(repeating: .nan))[0].isNaN)
    }
}
