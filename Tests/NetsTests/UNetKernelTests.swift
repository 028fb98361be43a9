import CKernels
import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// The U-Net's AVX2 bodies (CKernels' winograd.c) against the Swift bodies they replace:
/// the same operations in the same order, so the results must agree bit for bit, not
/// merely within a tolerance. Image sizes with overhanging tiles (14 × 14, 7 × 7) and a
/// NaN and infinities in the inputs check the edges and the special values.
@Suite struct UNetKernelTests {
    static func random(_ n: Int, seed: UInt64, scale: Float) -> [Float] {
        RNG(seed: seed).normalTensor(shape: [n]).scalars.map { $0 * scale }
    }

    /// The group norm's bodies to compare, the Swift body (0) last: AVX-512 where the CPU
    /// has it, AVX2.
    static var levels: [Int32] { (ck_vector_level() >= 2 ? [2] : []) + [1, 0] }

    /// Equal bit patterns (so NaNs compare equal to themselves).
    static func bits(_ p: UnsafePointer<Float>, _ n: Int) -> [UInt32] { (0..<n).map { p[$0].bitPattern } }

    /// Positions where two bit patterns differ (a count keeps a failure's message short).
    static func differences(_ a: [UInt32], _ b: [UInt32]) -> Int {
        a.count != b.count ? -1 : zip(a, b).filter { $0 != $1 }.count
    }

    @Test(arguments: [(14, 14, 16), (7, 7, 32), (4, 5, 16)])
    func winogradTransformsAreTheSwiftBodies(height: Int, width: Int, batch: Int) {
        #expect(ck_vector_kernels(), "this machine's CPU has AVX2 + FMA, so the vector bodies must run")
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g), C = 3
        var x = Self.random(C * g.count, seed: 21, scale: 3)
        x[5] = .nan; x[17] = .infinity; x[40] = -.greatestFiniteMagnitude
        let size = C * wg.rowStride
        let v1 = UnsafeMutablePointer<Float>.allocate(capacity: size),
            v2 = UnsafeMutablePointer<Float>.allocate(capacity: size)
        let y1 = UnsafeMutablePointer<Float>.allocate(capacity: C * g.count),
            y2 = UnsafeMutablePointer<Float>.allocate(capacity: C * g.count)
        defer { v1.deallocate(); v2.deallocate(); y1.deallocate(); y2.deallocate() }
        v1.initialize(repeating: 0, count: size); v2.initialize(repeating: 0, count: size)
        x.withUnsafeBufferPointer { xp in
            wg.inputTransform(xp.baseAddress!, channels: C, into: v1, vectorKernel: true)
            wg.inputTransform(xp.baseAddress!, channels: C, into: v2, vectorKernel: false)
        }
        #expect(
            Self.differences(Self.bits(v1, size), Self.bits(v2, size)) == 0,
            "input transform \(height)×\(width)×\(batch)")
        // The output transform of a transformed activation (any values serve).
        let m = Self.random(size, seed: 22, scale: 2), bias = Self.random(C, seed: 23, scale: 1)
        y1.initialize(repeating: -1, count: C * g.count); y2.initialize(repeating: -1, count: C * g.count)
        m.withUnsafeBufferPointer { mp in
            bias.withUnsafeBufferPointer { bp in
                wg.outputTransform(mp.baseAddress!, channels: C, bias: bp.baseAddress!, into: y1, vectorKernel: true)
                wg.outputTransform(mp.baseAddress!, channels: C, bias: bp.baseAddress!, into: y2, vectorKernel: false)
            }
        }
        #expect(
            Self.differences(Self.bits(y1, C * g.count), Self.bits(y2, C * g.count)) == 0,
            "output transform \(height)×\(width)×\(batch)")
    }

    @Test(arguments: [(14, 14, 16), (7, 7, 32), (4, 5, 16)])
    func winogradGradientTransformsAreTheSwiftBodies(height: Int, width: Int, batch: Int) {
        #expect(ck_vector_kernels())
        let g = ImageGeometry(batch: batch, height: height, width: width), wg = WinogradGeometry(g), C = 3
        let size = C * wg.rowStride, n = C * g.count
        // dM = A dY Aᵀ of a gradient with special values.
        var dy = Self.random(n, seed: 31, scale: 3)
        dy[5] = .nan; dy[17] = .infinity; dy[40] = -.greatestFiniteMagnitude
        var dm: [[UInt32]] = []
        for vector in [true, false] {
            var out = [Float](repeating: -1, count: size)
            dy.withUnsafeBufferPointer { dp in
                out.withUnsafeMutableBufferPointer {
                    wg.gradOutputTransform(dp.baseAddress!, channels: C, into: $0.baseAddress!, vectorKernel: vector)
                }
            }
            dm.append(out.map(\.bitPattern))
        }
        #expect(Self.differences(dm[0], dm[1]) == 0, "gradient of the output transform \(height)×\(width)×\(batch)")
        // dx (+)= Σ_tiles B dV Bᵀ, written and accumulated onto a gradient already there.
        var dv = Self.random(size, seed: 32, scale: 2)
        dv[7] = .nan; dv[size / 2] = .infinity
        let before = Self.random(n, seed: 33, scale: 1)
        for accumulate in [false, true] {
            var dx: [[UInt32]] = []
            for vector in [true, false] {
                var out = before
                dv.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer {
                        wg.gradInputTransform(
                            vp.baseAddress!, channels: C, into: $0.baseAddress!, accumulate: accumulate,
                            vectorKernel: vector)
                    }
                }
                dx.append(out.map(\.bitPattern))
            }
            #expect(
                Self.differences(dx[0], dx[1]) == 0,
                "gradient of the input transform \(height)×\(width)×\(batch), accumulate \(accumulate)")
            #expect(Set(dx[0]).count > n / 2) // not all one value
        }
    }

    @Test(arguments: [false, true], [true, false])
    func groupNormSiLUIsTheSwiftBody(film: Bool, training: Bool) {
        #expect(ck_vector_kernels())
        let g = ImageGeometry(batch: 32, height: 7, width: 7), C = 8
        let store = ParameterStore(layout: GroupNormSiLU.layout("n", channels: C))
        let norm = GroupNormSiLU("n", in: store, groups: 4)
        let r = Self.random(store.count, seed: 7, scale: 0.5)
        for i in 0..<store.count { store.values[i] = r[i] + (i < C ? 1 : 0) }
        // Large activations drive σ into both saturated tails (and the 2^y clamp).
        var x = Self.random(C * g.count, seed: 8, scale: 40)
        x[3] = .nan
        let f = Self.random(g.batch * 2 * C, seed: 9, scale: 2)
        var outs: [[UInt32]] = []
        for level in Self.levels {
            let n = C * g.count
            let xhat = UnsafeMutablePointer<Float>.allocate(capacity: n),
                sig = UnsafeMutablePointer<Float>.allocate(capacity: n)
            let out = UnsafeMutablePointer<Float>.allocate(capacity: n),
                rstd = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * 4)
            defer { xhat.deallocate(); sig.deallocate(); out.deallocate(); rstd.deallocate() }
            xhat.initialize(repeating: 0, count: n); sig.initialize(repeating: 0, count: n)
            x.withUnsafeMutableBufferPointer { xp in
                f.withUnsafeBufferPointer { fp in
                    norm.forward(
                        xp.baseAddress!, g, film: film ? fp.baseAddress! : nil, store, xhat: training ? xhat : nil,
                        sigmoid: training ? sig : nil, rstd: rstd, into: out, vectorLevel: level)
                }
            }
            outs.append(Self.bits(out, n) + Self.bits(xhat, n) + Self.bits(sig, n) + Self.bits(rstd, g.batch * 4))
        }
        for (level, out) in zip(Self.levels, outs).dropLast() {
            #expect(Self.differences(out, outs.last!) == 0, "level \(level), film \(film), training \(training)")
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
        let xhat = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let sig = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let h = UnsafeMutablePointer<Float>.allocate(capacity: n)
        let rstd = UnsafeMutablePointer<Float>.allocate(capacity: g.batch * 4)
        defer { xhat.deallocate(); sig.deallocate(); h.deallocate(); rstd.deallocate() }
        f.withUnsafeBufferPointer { fp in
            x.withUnsafeMutableBufferPointer { xp in
                norm.forward(
                    xp.baseAddress!, g, film: film ? fp.baseAddress! : nil, store, xhat: xhat, sigmoid: sig, rstd: rstd,
                    into: h, vectorLevel: 0)
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
                        gradOutput: &dh, g, film: film ? fp.baseAddress! : nil, xhat: xhat, sigmoid: sig, output: h,
                        rstd: rstd, store, dfilm: film ? dfp.baseAddress! : nil, partial: &partial, gradInput: &dx,
                        accumulate: accumulate, vectorLevel: level)
                }
            }
            outs.append(
                dx.map(\.bitPattern) + dh.map(\.bitPattern) + dfilm.map(\.bitPattern)
                    + Self.bits(store.grads, store.count))
        }
        for (level, out) in zip(Self.levels, outs).dropLast() {
            #expect(Self.differences(out, outs.last!) == 0, "level \(level), film \(film), accumulate \(accumulate)")
        }
        #expect(Set(outs[0]).count > 100) // the gradients are not all one value
    }
}
