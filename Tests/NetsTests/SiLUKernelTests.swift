import CKernels
import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// The activation pass runs CKernels' AVX2 + FMA body where the CPU has it and the
/// Swift loops otherwise; both are checked here against Double, on every combination
/// of outputs the networks use and on row lengths with and without a ragged tail.
@Suite struct SiLUKernelTests {
    /// Pre-activations over [−40, 40] (both saturated tails) and a bias per column.
    func inputs(rows: Int, columns: Int) -> (z: [Float], bias: [Float], skip: [Float]) {
        let z = RNG(seed: 11).normals(count: rows * columns).map { Float($0 * 12).clamped(-40, 40) }
        let bias = RNG(seed: 12).normals(count: columns).map { Float($0) }
        let skip = RNG(seed: 13).normals(count: rows * columns).map { Float($0) }
        return (z, bias, skip)
    }

    /// s = σ(z + b) within fastSigmoid's documented 1.6e−7·(1 + |z|) relative (the FMA
    /// body rounds less, not more), u = (z + b)·s within one more ulp, and the residual
    /// output skip + u within an ulp of its magnitude on top.
    @Test(arguments: [true, false], [1, 7, 8, 13, 256])
    func forwardMatchesDouble(vector: Bool, columns: Int) {
        let rows = 5
        let (z, bias, skip) = inputs(rows: rows, columns: columns)
        var zb = z, s = [Float](repeating: 0, count: z.count), u = s, out = s
        zb.withUnsafeMutableBufferPointer { zp in
            bias.withUnsafeBufferPointer { bp in
                s.withUnsafeMutableBufferPointer { sp in
                    u.withUnsafeMutableBufferPointer { up in
                        out.withUnsafeMutableBufferPointer { op in
                            skip.withUnsafeBufferPointer { kp in
                                biasSiLUForward(
                                    z: zp.baseAddress!, bias: bp.baseAddress!, rows: 0..<rows, columns: columns,
                                    sigmoidOut: sp.baseAddress!, siluOut: up.baseAddress!, out: op.baseAddress!,
                                    skip: kp.baseAddress!, vectorKernel: vector)
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<z.count {
            let v = Double(z[i] + bias[i % columns])
            let sd = sigmoidD(v), ud = v * sd
            #expect(abs(Double(s[i]) - sd) <= 1.6e-7 * (1 + abs(v)) * sd + 1e-38, "σ(\(v))")
            #expect(abs(Double(u[i]) - ud) <= 2.2e-7 * (1 + abs(v)) * abs(ud) + 1e-38, "silu(\(v))")
            let rd = Double(skip[i]) + ud
            #expect(abs(Double(out[i]) - rd) <= 2.2e-7 * (1 + abs(v)) * abs(ud) + 6e-8 * abs(rd) + 1e-38)
        }
    }

    /// The inference combination (no kept sigmoid, no bias, in place) gives the same
    /// silu, and a NaN (a diverged network) stays NaN in every output.
    @Test(arguments: [true, false])
    func inPlaceAndNaN(vector: Bool) {
        var z: [Float] = [-3, -0.5, 0, 0.5, 3, .nan, 1, 2, .nan, -7, 40]
        let original = z
        var s = [Float](repeating: 0, count: z.count)
        z.withUnsafeMutableBufferPointer { zp in
            s.withUnsafeMutableBufferPointer { sp in
                biasSiLUForward(
                    z: zp.baseAddress!, bias: nil, rows: 0..<1, columns: zp.count, sigmoidOut: sp.baseAddress!,
                    siluOut: nil, out: zp.baseAddress!, skip: nil, vectorKernel: vector)
            }
        }
        for i in 0..<z.count {
            if original[i].isNaN {
                #expect(z[i].isNaN && s[i].isNaN)
            } else {
                let v = Double(original[i])
                #expect(abs(Double(z[i]) - siluD(v)) <= 2.2e-7 * (1 + abs(v)) * abs(siluD(v)) + 1e-38)
            }
        }
    }

    /// dz = g·(s + u·(1 − s)) to a few ulps of its Double value (one fused or two
    /// rounded operations), and the column sums to Float32 summation error (5 rows).
    @Test(arguments: [true, false], [3, 8, 19])
    func backwardMatchesDouble(vector: Bool, columns: Int) {
        let rows = 5, n = rows * columns
        let s = RNG(seed: 21).normals(count: n).map { Float(sigmoidD($0 * 4)) }
        let u = RNG(seed: 22).normals(count: n).map { Float($0 * 3) }
        let g = RNG(seed: 23).normals(count: n).map { Float($0) }
        var dz = [Float](repeating: 0, count: n), sums = [Float](repeating: 0.5, count: columns)
        g.withUnsafeBufferPointer { gp in
            s.withUnsafeBufferPointer { sp in
                u.withUnsafeBufferPointer { up in
                    dz.withUnsafeMutableBufferPointer { dp in
                        sums.withUnsafeMutableBufferPointer { cp in
                            siluBackward(
                                g: gp.baseAddress!, sigmoid: sp.baseAddress!, output: up.baseAddress!, rows: 0..<rows,
                                columns: columns, into: dp.baseAddress!, columnSums: cp.baseAddress!,
                                vectorKernel: vector)
                        }
                    }
                }
            }
        }
        var expectSums = [Double](repeating: 0.5, count: columns)
        for i in 0..<n {
            let (sd, ud, gd) = (Double(s[i]), Double(u[i]), Double(g[i]))
            let d = gd * (sd + ud * (1 - sd))
            #expect(abs(Double(dz[i]) - d) <= 4e-7 * (abs(gd) * (sd + abs(ud) * (1 - sd))) + 1e-38)
            expectSums[i % columns] += d
        }
        for j in 0..<columns {
            let scale = 0.5 + (0..<rows).map { abs(Double(dz[$0 * columns + j])) }.reduce(0, +)
            #expect(abs(Double(sums[j]) - expectSums[j]) <= 1e-6 * scale)
        }
    }

    /// Where the CPU has AVX2 and FMA (and the environment does not forbid it), the
    /// vector body is the one that runs.
    @Test func dispatchFollowsTheCPU() throws {
        let cpu = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags =
            cpu.split(separator: "\n").first { $0.hasPrefix("flags") }.map { $0.split(separator: " ").map(String.init) }
            ?? []
        let portable =
            ProcessInfo.processInfo.environment["CMLAB_PORTABLE_KERNELS"].map { $0 != "" && $0 != "0" } ?? false
        #expect(ck_vector_kernels() == (flags.contains("avx2") && flags.contains("fma") && !portable))
    }
}

private extension Float {
    func clamped(_ lo: Float, _ hi: Float) -> Float { Swift.min(hi, Swift.max(lo, self)) }
}
