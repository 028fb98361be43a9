import CKernels
import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// The U-Net's vector bodies (CKernels' winograd.c and winograd512.c: AVX2
/// and, where the CPU has it, AVX-512) against the Swift bodies they replace: the same
/// operations in the same order, so the results must agree bit for bit (a NaN counts as
/// a NaN whatever its sign), not merely within a tolerance. Image sizes with overhanging
/// tiles (14 × 14, 7 × 7) and a NaN and infinities in the inputs check the edges and the
/// special values.
@Suite struct UNetKernelTests {
    static func random(_ n: Int, seed: UInt64, scale: Float) -> [Float] {
        RNG(seed: seed).normalTensor(shape: [n]).scalars.map { $0 * scale }
    }

    /// The group norm's bodies to compare, the Swift body (0) last: AVX-512 where the CPU
    /// has it, AVX2.
    static var levels: [Int32] { (ck_vector_level() >= 2 ? [2] : []) + [1, 0] }

    /// Bit patterns, every NaN as one pattern: IEEE 754 leaves the sign and payload of an
    /// operation's NaN result open, and the compiler may, for example, fold −(5·x) into
    /// x·(−5), which keeps a NaN's sign where a sign flip would change it. Every other
    /// value (infinities, ±0) must match bit for bit.
    static func bits(_ p: UnsafePointer<Float>, _ n: Int) -> [UInt32] { (0..<n).map { pattern(p[$0]) } }
    static func bits(_ a: [Float]) -> [UInt32] { a.map(pattern) }
    static func pattern(_ x: Float) -> UInt32 { x.isNaN ? Float.nan.bitPattern : x.bitPattern }

    /// Positions where two bit patterns differ (a count keeps a failure's message short).
    static func differences(_ a: [UInt32], _ b: [UInt32]) -> Int {
        a.count != b.count ? -1 : zip(a, b).filter { $0 != $1 }.count
    }

    /// The filter gradient `dg += Gᵀ dU G`: CKernels' 16-pair body against the Swift body,
    /// on pair counts with and without a remainder of 16 (the last pairs run one lane
    /// each), onto a nonzero gradient, with a NaN and an infinity in dU.
    @Test(arguments: [(32, 32), (3, 7), (64, 96), (1, 1)])
    func filterGradientIsTheSwiftBody(outChannels: Int, inChannels: Int) {
        let stride = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
        var du = Self.random(36 * stride, seed: 31, scale: 2)
        du[3] = .nan; du[stride + 1] = .infinity
        let dw0 = Self.random(9 * outChannels * inChannels, seed: 32, scale: 1)
        var results: [[UInt32]] = []
        for level: Int32 in [2, 0] {
            var dw = dw0
            du.withUnsafeBufferPointer { dp in
                dw.withUnsafeMutableBufferPointer {
                    winogradFilterGradient(
                        dp.baseAddress!, outChannels: outChannels, inChannels: inChannels, into: $0.baseAddress!,
                        vectorLevel: level)
                }
            }
            results.append(Self.bits(dw))
        }
        #expect(Self.differences(results[0], results[1]) == 0, "\(outChannels) × \(inChannels)")
        #expect(Self.differences(results[1], Self.bits(dw0)) > 0)
    }

    /// The filter transform `U = G g Gᵀ`: CKernels' 16-pair body against the Swift body (pair
    /// counts with and without a remainder of 16, a NaN, an infinity and a negative zero in
    /// the weights), into a U filled with NaN.
    @Test(arguments: [(32, 32), (3, 7), (64, 96), (1, 1), (17, 2)])
    func filterTransformIsTheSwiftBody(outChannels: Int, inChannels: Int) {
        let stride = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
        var w = Self.random(9 * outChannels * inChannels, seed: 33, scale: 2)
        w[4] = .nan; w[w.count - 1] = .infinity; w[w.count / 2] = -0.0
        var results: [[UInt32]] = []
        for level: Int32 in [2, 0] {
            // An element left unwritten stays NaN where the Swift body's is a number.
            var u = [Float](repeating: .nan, count: 36 * stride)
            w.withUnsafeBufferPointer { wp in
                u.withUnsafeMutableBufferPointer {
                    winogradFilterTransform(
                        wp.baseAddress!, outChannels: outChannels, inChannels: inChannels, into: $0.baseAddress!,
                        vectorLevel: level)
                }
            }
            results.append(Self.bits(u))
        }
        #expect(Self.differences(results[0], results[1]) == 0, "\(outChannels) × \(inChannels)")
    }

    /// The fused forward (a few tiles at a time: input transform, products, output
    /// transform) against the three steps over the whole plane, bit for bit: overhanging
    /// tiles, a last block of fewer tiles (7 × 10: six tiles), a NaN and an infinity in x,
    /// AVX-512 (batches of 16 and 32) and AVX2 (8), and images smaller than a tile (1 × 1,
    /// 3 × 2: most of each patch outside).
    @Test(arguments: [
        (14, 14, 16, 32, 32), (7, 7, 16, 64, 64), (7, 10, 16, 3, 5), (5, 6, 8, 4, 2), (14, 14, 32, 96, 32),
        (1, 1, 16, 4, 4), (3, 2, 16, 5, 3),
    ])
    func fusedForwardIsTheThreeSteps(height: Int, width: Int, batch: Int, inChannels: Int, outChannels: Int) {
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g)
        let us = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
        var x = Self.random(inChannels * g.count, seed: 41, scale: 2)
        x[7] = .nan; x[x.count / 2] = .infinity
        let u = Self.random(36 * us, seed: 42, scale: 0.3), bias = Self.random(outChannels, seed: 43, scale: 1)
        let rs = wg.rowStride, xs = wg.xiStride
        var v = [Float](repeating: 0, count: inChannels * rs), m = [Float](repeating: 0, count: outChannels * rs)
        var steps = [Float](repeating: -1, count: outChannels * g.count), fused = steps
        var scratch = [Float](
            repeating: .nan, count: wg.fusedScratchCount(inChannels: inChannels, outChannels: outChannels))
        #expect(scratch.count <= rs * (inChannels + outChannels))
        var ran = false
        x.withUnsafeBufferPointer { xp in
            u.withUnsafeBufferPointer { up in
                bias.withUnsafeBufferPointer { bp in
                    let x = xp.baseAddress!, u = up.baseAddress!, b = bp.baseAddress!
                    v.withUnsafeMutableBufferPointer { vp in
                        m.withUnsafeMutableBufferPointer { mp in
                            let v = vp.baseAddress!, m = mp.baseAddress!
                            wg.inputTransform(x, channels: inChannels, into: v)
                            for xi in 0..<36 {
                                smallProduct(
                                    m: outChannels, n: wg.columns, k: inChannels, u + xi * us, lda: inChannels,
                                    v + xi * xs, ldb: rs, m + xi * xs, ldc: rs)
                            }
                            steps.withUnsafeMutableBufferPointer {
                                wg.outputTransform(m, channels: outChannels, bias: b, into: $0.baseAddress!)
                            }
                        }
                    }
                    scratch.withUnsafeMutableBufferPointer { sp in
                        fused.withUnsafeMutableBufferPointer {
                            ran = wg.fusedForward(
                                x, inChannels: inChannels, u, filterStride: us, outChannels: outChannels, bias: b,
                                scratch: sp.baseAddress!, into: $0.baseAddress!)
                        }
                    }
                }
            }
        }
        #expect(ran)
        #expect(Self.differences(Self.bits(fused), Self.bits(steps)) == 0, "\(height)×\(width), B \(batch)")
        #expect(steps.contains { $0.isNaN } && steps.contains { !$0.isNaN && $0 != -1 })
        // With a residual (an identity skip) added as y is stored: the steps' output
        // with the residual added after it, y + r, bit for bit.
        var r = Self.random(outChannels * g.count, seed: 44, scale: 1)
        r[5] = -.infinity
        var withResidual = [Float](repeating: -1, count: outChannels * g.count)
        x.withUnsafeBufferPointer { xp in
            u.withUnsafeBufferPointer { up in
                bias.withUnsafeBufferPointer { bp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        withResidual.withUnsafeMutableBufferPointer {
                            ran = wg.fusedForward(
                                xp.baseAddress!, inChannels: inChannels, up.baseAddress!, filterStride: us,
                                outChannels: outChannels, bias: bp.baseAddress!, residual: r, scratch: sp.baseAddress!,
                                into: $0.baseAddress!)
                        }
                    }
                }
            }
        }
        #expect(ran)
        let added = zip(steps, r).map { $0 + $1 }
        #expect(Self.differences(Self.bits(withResidual), Self.bits(added)) == 0, "residual, \(height)×\(width)")
    }

    /// The fused backward (dM, dV, dx, V again and dU a few tiles at a time) against the
    /// plane transforms, one product per ξ for dV and smallProductNTShort for dU, bit for
    /// bit: dx written, added onto a nonzero dx, or not asked for; 28 × 28 has 784
    /// columns, four chunks of the weight gradient (the last of 16), which the blocks must
    /// continue and add as the chunks do; NaN and ∞ in dy. The products of the positions
    /// on the transform's last row and column skip the tiles whose fourth output row or
    /// column is off the image: 14 × 14 (the last tile of each row, the whole last row of
    /// tiles), 7 × 7 (the first tile row; the first tile column, two runs of one tile) and
    /// 7 × 10; images smaller than a tile (1 × 1, 3 × 2).
    @Test(arguments: [
        (14, 14, 16, 32, 32), (7, 10, 16, 5, 3), (5, 6, 8, 2, 4), (14, 14, 32, 32, 96), (28, 28, 16, 8, 4),
        (7, 7, 16, 8, 8), (1, 1, 16, 4, 4), (3, 2, 16, 3, 5),
    ])
    func fusedBackwardIsTheSteps(height: Int, width: Int, batch: Int, outChannels: Int, inChannels: Int) {
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g)
        let us = WinogradGeometry.filterStride(outChannels: outChannels, inChannels: inChannels)
        var dy = Self.random(outChannels * g.count, seed: 51, scale: 2)
        dy[3] = .nan; dy[dy.count - 5] = -.infinity
        let x = Self.random(inChannels * g.count, seed: 54, scale: 1.5)
        let u = Self.random(36 * us, seed: 52, scale: 0.3), dx0 = Self.random(inChannels * g.count, seed: 53, scale: 1)
        let rs = wg.rowStride, xs = wg.xiStride
        for (accumulate, withDx) in [(false, true), (true, true), (false, false)] {
            var dm = [Float](repeating: 0, count: outChannels * rs), v = [Float](repeating: 0, count: inChannels * rs)
            var vt = [Float](repeating: 0, count: SmallProducts.ntShortScratch(n: inChannels))
            var scratch = [Float](
                repeating: .nan, count: wg.fusedBackwardScratchCount(inChannels: inChannels, outChannels: outChannels))
            var duSteps = [Float](repeating: .nan, count: 36 * us), duFused = duSteps
            var dxSteps = dx0, dxFused = dx0
            var ran = false
            dy.withUnsafeBufferPointer { yp in
                x.withUnsafeBufferPointer { xp in
                    u.withUnsafeBufferPointer { up in
                        let dy = yp.baseAddress!, x = xp.baseAddress!, u = up.baseAddress!
                        dm.withUnsafeMutableBufferPointer { mp in
                            v.withUnsafeMutableBufferPointer { vp in
                                let dm = mp.baseAddress!, v = vp.baseAddress!
                                wg.gradOutputTransform(dy, channels: outChannels, into: dm)
                                if withDx {
                                    for xi in 0..<36 {
                                        smallProduct(
                                            transA: true, m: inChannels, n: wg.columns, k: outChannels,
                                            u + xi * us, lda: inChannels, dm + xi * xs, ldb: rs, v + xi * xs,
                                            ldc: rs)
                                    }
                                    dxSteps.withUnsafeMutableBufferPointer {
                                        wg.gradInputTransform(
                                            v, channels: inChannels, into: $0.baseAddress!, accumulate: accumulate)
                                    }
                                }
                                wg.inputTransform(x, channels: inChannels, into: v)
                                vt.withUnsafeMutableBufferPointer { tp in
                                    duSteps.withUnsafeMutableBufferPointer { dp in
                                        for xi in 0..<36 {
                                            smallProductNTShort(
                                                m: outChannels, n: inChannels, k: wg.columns, dm + xi * xs, lda: rs,
                                                v + xi * xs, ldb: rs, dp.baseAddress! + xi * us, ldc: inChannels,
                                                scratch: tp.baseAddress!)
                                        }
                                    }
                                }
                            }
                        }
                        scratch.withUnsafeMutableBufferPointer { sp in
                            duFused.withUnsafeMutableBufferPointer { dp in
                                dxFused.withUnsafeMutableBufferPointer { xp in
                                    ran = wg.fusedBackward(
                                        dy, x, outChannels: outChannels, inChannels: inChannels, u, filterStride: us,
                                        scratch: sp.baseAddress!, gradFilters: dp.baseAddress!,
                                        gradInput: withDx ? xp.baseAddress! : nil, accumulate: accumulate)
                                }
                            }
                        }
                    }
                }
            }
            let what = "\(height)×\(width), B \(batch), accumulate \(accumulate), dx \(withDx)"
            #expect(ran)
            #expect(Self.differences(Self.bits(duFused), Self.bits(duSteps)) == 0, "dU: \(what)")
            #expect(Self.differences(Self.bits(dxFused), Self.bits(dxSteps)) == 0, "dx: \(what)")
            #expect(Self.differences(Self.bits(dxFused), Self.bits(dx0)) == (withDx ? dx0.count : 0), "\(what)")
        }
    }

    /// The columns the fused passes' products cover, summed over the 36 positions, per
    /// image: a tile whose fourth output row and column are on the image needs all 36, one
    /// whose fourth column (or row) is off it 30 (the last column, or row, of positions
    /// dropped), one with both off 25. 14 × 14: 9·36 + 6·30 + 25 = 529; 7 × 7: 36 + 2·30
    /// + 25 = 121; 7 × 10 (2 × 3 tiles, the last row and column overhanging): 2·36 + 3·30
    /// + 25 = 187; 28 × 28: 49·36.
    @Test(arguments: [(14, 14, 529), (7, 7, 121), (7, 10, 187), (28, 28, 49 * 36)])
    func edgeTilesSkipTheirUnusedPositions(height: Int, width: Int, perImage: Int) {
        let wg = WinogradGeometry(ImageGeometry(batch: 16, height: height, width: width))
        #expect((0..<36).map { wg.columns(xi: $0) }.reduce(0, +) == 16 * perImage)
        #expect(wg.columns(xi: 0) == wg.columns) // the first position: every tile
    }

    /// Where the weight gradient's chunks are not whole blocks (200 output channels: chunks
    /// of 81 columns, blocks of 64) the fused backward declines and writes nothing.
    @Test func fusedBackwardDeclinesChunksThatSplitBlocks() {
        let g = ImageGeometry(batch: 16, height: 14, width: 14), wg = WinogradGeometry(g), co = 200, ci = 2
        let us = WinogradGeometry.filterStride(outChannels: co, inChannels: ci)
        let dy = [Float](repeating: 1, count: co * g.count), x = [Float](repeating: 1, count: ci * g.count)
        let u = [Float](repeating: 1, count: 36 * us)
        var scratch = [Float](repeating: 0, count: wg.fusedBackwardScratchCount(inChannels: ci, outChannels: co))
        var du = [Float](repeating: 7, count: 36 * us), dx = [Float](repeating: 7, count: ci * g.count)
        let ran = scratch.withUnsafeMutableBufferPointer { sp in
            du.withUnsafeMutableBufferPointer { dp in
                dx.withUnsafeMutableBufferPointer { xp in
                    wg.fusedBackward(
                        dy, x, outChannels: co, inChannels: ci, u, filterStride: us, scratch: sp.baseAddress!,
                        gradFilters: dp.baseAddress!, gradInput: xp.baseAddress!, accumulate: false)
                }
            }
        }
        #expect(SmallProducts.ntShortChunk(m: co) == 81)
        #expect(!ran && du.allSatisfy { $0 == 7 } && dx.allSatisfy { $0 == 7 })
    }

    /// Batches of 16 and 32 run the AVX-512 bodies where the CPU has them; a batch of 8
    /// runs the AVX2 body at every level (AVX-512 needs 16 lanes).
    @Test(arguments: [(14, 14, 16), (7, 7, 32), (4, 5, 16), (5, 6, 8)])
    func winogradTransformsAreTheSwiftBodies(height: Int, width: Int, batch: Int) {
        #expect(ck_vector_kernels(), "this machine's CPU has AVX2 + FMA, so the vector bodies must run")
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g), C = 3
        var x = Self.random(C * g.count, seed: 21, scale: 3)
        x[5] = .nan; x[17] = .infinity; x[40] = -.greatestFiniteMagnitude
        let size = C * wg.rowStride
        // The output transform of a transformed activation (any values serve).
        let m = Self.random(size, seed: 22, scale: 2), bias = Self.random(C, seed: 23, scale: 1)
        var vs: [[UInt32]] = [], ys: [[UInt32]] = []
        for level in Self.levels {
            var v = [Float](repeating: 0, count: size), y = [Float](repeating: -1, count: C * g.count)
            x.withUnsafeBufferPointer { xp in
                v.withUnsafeMutableBufferPointer {
                    wg.inputTransform(xp.baseAddress!, channels: C, into: $0.baseAddress!, vectorLevel: level)
                }
            }
            m.withUnsafeBufferPointer { mp in
                bias.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer {
                        wg.outputTransform(
                            mp.baseAddress!, channels: C, bias: bp.baseAddress!, into: $0.baseAddress!,
                            vectorLevel: level)
                    }
                }
            }
            vs.append(Self.bits(v)); ys.append(Self.bits(y))
        }
        for (k, level) in Self.levels.enumerated().dropLast() {
            #expect(
                Self.differences(vs[k], vs.last!) == 0, "input transform \(height)×\(width)×\(batch), level \(level)")
            #expect(
                Self.differences(ys[k], ys.last!) == 0, "output transform \(height)×\(width)×\(batch), level \(level)")
        }
    }

    @Test(arguments: [(14, 14, 16), (7, 7, 32), (4, 5, 16), (5, 6, 8)])
    func winogradGradientTransformsAreTheSwiftBodies(height: Int, width: Int, batch: Int) {
        #expect(ck_vector_kernels())
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g), C = 3
        let size = C * wg.rowStride, n = C * g.count
        // dM = A dY Aᵀ of a gradient with special values.
        var dy = Self.random(n, seed: 31, scale: 3)
        dy[5] = .nan; dy[17] = .infinity; dy[40] = -.greatestFiniteMagnitude
        var dm: [[UInt32]] = []
        for level in Self.levels {
            var out = [Float](repeating: -1, count: size)
            dy.withUnsafeBufferPointer { dp in
                out.withUnsafeMutableBufferPointer {
                    wg.gradOutputTransform(dp.baseAddress!, channels: C, into: $0.baseAddress!, vectorLevel: level)
                }
            }
            dm.append(Self.bits(out))
        }
        for (k, level) in Self.levels.enumerated().dropLast() {
            #expect(
                Self.differences(dm[k], dm.last!) == 0,
                "gradient of the output transform \(height)×\(width)×\(batch), level \(level)")
        }
        // dx (+)= Σ_tiles B dV Bᵀ, written and accumulated onto a gradient already there.
        var dv = Self.random(size, seed: 32, scale: 2)
        dv[7] = .nan; dv[size / 2] = .infinity
        let before = Self.random(n, seed: 33, scale: 1)
        for accumulate in [false, true] {
            var dx: [[UInt32]] = []
            for level in Self.levels {
                var out = before
                dv.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer {
                        wg.gradInputTransform(
                            vp.baseAddress!, channels: C, into: $0.baseAddress!, accumulate: accumulate,
                            vectorLevel: level)
                    }
                }
                dx.append(Self.bits(out))
            }
            for (k, level) in Self.levels.enumerated().dropLast() {
                #expect(
                    Self.differences(dx[k], dx.last!) == 0,
                    "gradient of the input transform \(height)×\(width)×\(batch), accumulate \(accumulate), level \(level)"
                )
            }
            #expect(Set(dx[0]).count > n / 2) // not all one value
        }
    }

    /// Groups of (channels, groups): fewer than the four whose statistics the vector body
    /// sums side by side, twice four, and twice four and three more.
    @Test(arguments: [false, true], [(6, 3), (32, 8), (22, 11)])
    func groupNormSiLUIsTheSwiftBody(film: Bool, shape: (channels: Int, groups: Int)) {
        #expect(ck_vector_kernels())
        let g = ImageGeometry(batch: 32, height: 7, width: 7), C = shape.channels, G = shape.groups
        let store = ParameterStore(layout: GroupNormSiLU.layout("n", channels: C))
        let norm = GroupNormSiLU("n", in: store, groups: G)
        let r = Self.random(store.count, seed: 7, scale: 0.5)
        for i in 0..<store.count { store.values[i] = r[i] + (i < C ? 1 : 0) }
        // Large activations drive σ into both saturated tails (and the 2^y clamp).
        var x = Self.random(C * g.count, seed: 8, scale: 40)
        x[3] = .nan
        let f = Self.random(g.batch * 2 * C, seed: 9, scale: 2)
        var outs: [[UInt32]] = []
        for level in Self.levels {
            let n = C * g.count
            let out = UnsafeMutablePointer<Float>.allocate(capacity: n),
                mean = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * G),
                rstd = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * G)
            defer { out.deallocate(); mean.deallocate(); rstd.deallocate() }
            x.withUnsafeMutableBufferPointer { xp in
                f.withUnsafeBufferPointer { fp in
                    norm.forward(
                        xp.baseAddress!, g, film: film ? fp.baseAddress! : nil, store, mean: mean, rstd: rstd,
                        into: out, vectorLevel: level)
                }
            }
            outs.append(Self.bits(out, n) + Self.bits(mean, g.batch * G) + Self.bits(rstd, g.batch * G))
        }
        for (level, out) in zip(Self.levels, outs).dropLast() {
            #expect(
                Self.differences(out, outs.last!) == 0, "level \(level), film \(film), \(C) channels in \(G) groups")
        }
        #expect(Set(outs[0]).count > 100) // the outputs are not all one value
    }

    @Test(arguments: [false, true], [false, true])
    func groupNormBackwardIsTheSwiftBody(film: Bool, accumulate: Bool) {
        #expect(ck_vector_kernels())
        let g = ImageGeometry(batch: 32, height: 7, width: 7), C = 8, n = C * g.count
        let store = ParameterStore(layout: GroupNormSiLU.layout("n", channels: C))
        let norm = GroupNormSiLU("n", in: store, groups: 4)
        let r = Self.random(store.count, seed: 7, scale: 0.5)
        for i in 0..<store.count { store.values[i] = r[i] + (i < C ? 1 : 0) }
        var x = Self.random(n, seed: 8, scale: 3)
        let f = Self.random(g.batch * 2 * C, seed: 9, scale: 2)
        var dy = Self.random(n, seed: 10, scale: 1)
        dy[5] = .nan
        let dx0 = Self.random(n, seed: 11, scale: 1)
        let h = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let mean = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * 4)
        let rstd = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * 4)
        defer { h.deallocate(); mean.deallocate(); rstd.deallocate() }
        f.withUnsafeBufferPointer { fp in
            x.withUnsafeMutableBufferPointer { xp in
                norm.forward(
                    xp.baseAddress!, g, film: film ? fp.baseAddress! : nil, store, mean: mean, rstd: rstd, into: h,
                    vectorLevel: 0)
            }
        }
        var outs: [[UInt32]] = []
        for level in Self.levels {
            var dh = dy, dx = dx0
            var dfilm = [Float](repeating: 0, count: g.batch * 2 * C), partial = dfilm
            store.zeroGrad()
            f.withUnsafeBufferPointer { fp in
                dfilm.withUnsafeMutableBufferPointer { dfp in
                    norm.backward(
                        gradOutput: &dh, g, film: film ? fp.baseAddress! : nil, input: x, mean: mean, rstd: rstd,
                        store, dfilm: film ? dfp.baseAddress! : nil, partial: &partial, gradInput: &dx,
                        accumulate: accumulate, vectorLevel: level)
                }
            }
            outs.append(
                Self.bits(dx) + Self.bits(dh) + Self.bits(dfilm)
                    + Self.bits(store.grads, store.count))
        }
        for (level, out) in zip(Self.levels, outs).dropLast() {
            #expect(Self.differences(out, outs.last!) == 0, "level \(level), film \(film), accumulate \(accumulate)")
        }
        #expect(Set(outs[0]).count > 100) // the gradients are not all one value
    }
}
