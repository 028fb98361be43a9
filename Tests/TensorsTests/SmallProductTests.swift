import CKernels
import Testing

@testable import Tensors

/// CKernels' small products (smallgemm.c) against two independent computations:
/// - NN form: each element must be *bit for bit* the Swift chain
///   `s = 0; for p in 0..<k { s = s.addingProduct(a[i][p], b[p][j]) }` (then `c + s`),
///   the order the kernels state; the AVX2 and AVX-512 bodies must both match it.
/// - NT form (lane-wise partial sums): within the bound for a sum of k products
///   rounded in any order, |ĉ − c| ≤ γ_{k+1}·(Σ_p |a_ip·b_jp| + |c₀|) with
///   γ_n = n·u/(1 − n·u), u = 2⁻²⁴, against the sum in Double.
/// Shapes with remainders in every direction (rows past a tile, columns past a vector,
/// a masked last vector, an inner length that is not a multiple of the lanes), row
/// strides larger than the rows, and sentinels around C that must stay untouched.
@Suite struct SmallProductTests {
    /// The vector levels this CPU can run (1: AVX2, 2: AVX-512).
    static var levels: [Int32] {
        let top = ck_vector_kernels() ? ck_cpu_vector_level() : 0
        return (1...2).filter { $0 <= top }.map { Int32($0) }
    }

    static func values(_ n: Int, seed: UInt64) -> [Float] {
        RNG(seed: seed).normalTensor(shape: [n]).scalars
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (32, 2048, 32), (64, 512, 32), (5, 53, 7), (9, 17, 3), (1, 1, 1), (13, 100, 64), (8, 48, 192), (3, 7, 1),
    ]

    @Test func theMachineRunsAVector() {
        #expect(!Self.levels.isEmpty, "this machine's CPU has AVX2 + FMA, so the kernels must run")
    }

    @Test(arguments: [false, true], [false, true])
    func nnIsOneFusedChainPerElement(transA: Bool, accumulate: Bool) {
        for level in Self.levels {
            for (m, n, k) in Self.shapes {
                let lda = transA ? m + 3 : k + 5, ldb = n + 9, ldc = n + 4
                let a = Self.values((transA ? k : m) * lda, seed: 1), b = Self.values(k * ldb, seed: 2)
                let c0 = Self.values(m * ldc, seed: 3)
                var c = c0
                let ran = a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            ck_small_sgemm_nn(
                                level, m, n, k, ap.baseAddress!, transA ? 1 : lda, transA ? lda : 1,
                                bp.baseAddress!, ldb, cp.baseAddress!, ldc, accumulate)
                        }
                    }
                }
                #expect(ran == level)
                var wrong = 0, touched = 0
                for i in 0..<m {
                    for j in 0..<ldc {
                        guard j < n else {
                            if c[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern { touched += 1 }
                            continue
                        }
                        var s: Float = 0
                        for p in 0..<k { s = s.addingProduct(transA ? a[p * lda + i] : a[i * lda + p], b[p * ldb + j]) }
                        let expected = accumulate ? c0[i * ldc + j] + s : s
                        if c[i * ldc + j].bitPattern != expected.bitPattern { wrong += 1 }
                    }
                }
                #expect(wrong == 0, "level \(level), \(m)×\(n)×\(k), transA \(transA), accumulate \(accumulate)")
                #expect(touched == 0, "wrote past column n: level \(level), \(m)×\(n)×\(k)")
            }
        }
    }

    @Test(arguments: [false, true])
    func ntIsWithinTheBoundOfAnyOrder(accumulate: Bool) {
        let u = Double(Float.ulpOfOne) / 2
        for level in Self.levels {
            for (m, n, k) in [(32, 32, 2048), (5, 7, 13), (4, 3, 512), (9, 10, 1100), (1, 1, 17), (33, 65, 600)] {
                let lda = k + 3, ldb = k + 7, ldc = n + 2
                let a = Self.values(m * lda, seed: 4), b = Self.values(n * ldb, seed: 5)
                let c0 = Self.values(m * ldc, seed: 6)
                var c = c0
                let ran = a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            ck_small_sgemm_nt(
                                level, m, n, k, ap.baseAddress!, lda, bp.baseAddress!, ldb, cp.baseAddress!, ldc,
                                accumulate)
                        }
                    }
                }
                #expect(ran == level)
                let gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
                var worst = 0.0, touched = 0
                for i in 0..<m {
                    for j in 0..<ldc {
                        guard j < n else {
                            if c[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern { touched += 1 }
                            continue
                        }
                        var exact = accumulate ? Double(c0[i * ldc + j]) : 0
                        var size = accumulate ? abs(exact) : 0
                        for p in 0..<k {
                            let t = Double(a[i * lda + p]) * Double(b[j * ldb + p])
                            exact += t; size += abs(t)
                        }
                        worst = max(worst, abs(Double(c[i * ldc + j]) - exact) / (gamma * size))
                    }
                }
                #expect(worst <= 1, "level \(level), \(m)×\(n)×\(k): error \(worst) of the bound")
                #expect(touched == 0, "wrote past column n: level \(level), \(m)×\(n)×\(k)")
            }
        }
    }

    @Test func noVectorLevelWritesNothing() {
        var c: [Float] = [7, 7, 7, 7]
        let a: [Float] = [1, 2, 3, 4]
        let ran = c.withUnsafeMutableBufferPointer { cp in
            ck_small_sgemm_nn(0, 2, 2, 2, a, 2, 1, a, 2, cp.baseAddress!, 2, false)
                + ck_small_sgemm_nt(0, 2, 2, 2, a, 2, a, 2, cp.baseAddress!, 2, false)
        }
        #expect(ran == 0 && c == [7, 7, 7, 7])
    }

    /// The Swift entry points against OpenBLAS on the same operands (either path:
    /// kernels or OpenBLAS itself), within the any-order bound.
    @Test(arguments: [false, true])
    func entryPointsAgreeWithOpenBLAS(transA: Bool) {
        let (m, n, k) = (12, 70, 40)
        let u = Double(Float.ulpOfOne) / 2, gamma = Double(2 * k) * u
        let lda = transA ? m : k
        let a = Self.values(m * k, seed: 7), b = Self.values(k * n, seed: 8), bt = Self.values(n * k, seed: 9)
        var mine = [Float](repeating: 0, count: m * n), blas = mine, mineNT = mine, blasNT = mine
        smallProduct(transA: transA, m: m, n: n, k: k, a, lda: lda, b, ldb: n, &mine, ldc: n)
        sgemm(transA: transA, m: m, n: n, k: k, a, lda: lda, b, ldb: n, &blas, ldc: n)
        smallProductNT(m: m, n: n, k: k, a, lda: k, bt, ldb: k, &mineNT, ldc: n)
        sgemm(transB: true, m: m, n: n, k: k, a, lda: k, bt, ldb: k, &blasNT, ldc: n)
        var outside = 0, outsideNT = 0
        for i in 0..<m {
            for j in 0..<n {
                var size = 0.0, sizeNT = 0.0
                for p in 0..<k {
                    size += abs(Double(transA ? a[p * m + i] : a[i * k + p]) * Double(b[p * n + j]))
                    sizeNT += abs(Double(a[i * k + p]) * Double(bt[j * k + p]))
                }
                if abs(Double(mine[i * n + j] - blas[i * n + j])) > gamma * size { outside += 1 }
                if abs(Double(mineNT[i * n + j] - blasNT[i * n + j])) > gamma * sizeNT { outsideNT += 1 }
            }
        }
        #expect(outside == 0 && outsideNT == 0, "elements outside the bound: \(outside) (A·B), \(outsideNT) (A·Bᵀ)")
    }
}
