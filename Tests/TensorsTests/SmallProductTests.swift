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
        // AVX-512's other strips: 32 wide; 64 = 32 + 32; 256 = 4·48 + 2·32 with a last
        // row tile of one row; 16 wide with 16-row tiles (the second half empty); 121 =
        // 2·48 + 16 + 9 masked; 112 = 48 + 2·32; 8 rows or fewer with a 16-wide rest.
        (32, 32, 40), (20, 64, 9), (17, 256, 5), (24, 16, 11), (40, 121, 3), (33, 112, 6), (7, 30, 4),
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

    /// A product over k = k₁ + k₂ as an NN product over the first k₁ rows of B and a
    /// chained one over the rest is bit for bit one NN product over k: the chain continues.
    @Test func chainedProductsContinueTheChains() {
        for level in Self.levels {
            for (m, n, k1, k2) in [(32, 32, 64, 64), (17, 53, 5, 9), (9, 256, 100, 1), (64, 121, 3, 30)] {
                let k = k1 + k2, ldb = n + 3, ldc = n + 1
                let a = Self.values(m * k, seed: 11), b = Self.values(k * ldb, seed: 12)
                var one = [Float](repeating: 0, count: m * ldc), two = one
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        let a = ap.baseAddress!, b = bp.baseAddress!
                        one.withUnsafeMutableBufferPointer {
                            _ = ck_small_sgemm_nn(level, m, n, k, a, k, 1, b, ldb, $0.baseAddress!, ldc, false)
                        }
                        two.withUnsafeMutableBufferPointer {
                            _ = ck_small_sgemm_nn(level, m, n, k1, a, k, 1, b, ldb, $0.baseAddress!, ldc, false)
                            _ = ck_small_sgemm_nn_chain(
                                level, m, n, k2, a + k1, k, 1, b + k1 * ldb, ldb, $0.baseAddress!, ldc)
                        }
                    }
                }
                #expect(
                    zip(one, two).allSatisfy { $0.bitPattern == $1.bitPattern }, "level \(level), \(m)×\(n)×\(k)")
                // Not merely the same as two products added.
                var added = [Float](repeating: 0, count: m * ldc)
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        added.withUnsafeMutableBufferPointer {
                            let a = ap.baseAddress!, b = bp.baseAddress!
                            _ = ck_small_sgemm_nn(level, m, n, k1, a, k, 1, b, ldb, $0.baseAddress!, ldc, false)
                            _ = ck_small_sgemm_nn(
                                level, m, n, k2, a + k1, k, 1, b + k1 * ldb, ldb, $0.baseAddress!, ldc, true)
                        }
                    }
                }
                if k1 > 1 && k2 > 1 { #expect(zip(one, added).contains { $0.bitPattern != $1.bitPattern }) }
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

    /// ck_transpose is a copy: B[j][i] is A[i][j] bit for bit at every level (0: element by
    /// element), for blocks that fill 16 × 16 and 8 × 8 registers and edges that do not,
    /// and nothing outside the cols × rows block of B changes.
    @Test func transposeIsAnExactCopy() {
        for level in [0] + Self.levels {
            for (rows, cols) in [(16, 16), (32, 48), (96, 256), (17, 35), (3, 32), (1, 20), (8, 8), (24, 9)] {
                let lda = cols + 5, ldb = rows + 3
                let a = Self.values(rows * lda, seed: 10)
                let b0 = Self.values(cols * ldb, seed: 11)
                var b = b0
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeMutableBufferPointer { bp in
                        ck_transpose(level, rows, cols, ap.baseAddress!, lda, bp.baseAddress!, ldb)
                    }
                }
                var wrong = 0, touched = 0
                for j in 0..<cols {
                    for i in 0..<ldb {
                        let got = b[j * ldb + i].bitPattern
                        if i < rows {
                            wrong += got == a[i * lda + j].bitPattern ? 0 : 1
                        } else {
                            touched += got == b0[j * ldb + i].bitPattern ? 0 : 1
                        }
                    }
                }
                #expect(
                    wrong == 0 && touched == 0, "level \(level), \(rows)×\(cols): \(wrong) wrong, \(touched) outside")
            }
        }
    }

    /// smallProductNTShort (Bᵀ in chunks, each an NN product): each element is, bit for
    /// bit, the fused chain of each chunk of ``SmallProducts/ntShortChunk(m:)`` values in
    /// order, the chunks added one after another (onto C with `accumulate`): the NN form's
    /// rule applied to the transposed operand. Inner lengths below, at and past a chunk.
    @Test(arguments: [false, true])
    func ntShortIsTheNNChainOverChunks(accumulate: Bool) {
        guard !Self.levels.isEmpty else { return }
        for (m, n, k) in [(32, 32, 256), (64, 96, 64), (64, 128, 600), (1, 32, 784), (32, 1, 40), (5, 19, 23)] {
            let lda = k + 3, ldb = k + 7, ldc = n + 2
            let a = Self.values(m * lda, seed: 12), b = Self.values(n * ldb, seed: 13)
            let c0 = Self.values(m * ldc, seed: 14)
            var c = c0
            var scratch = [Float](repeating: .nan, count: SmallProducts.ntShortScratch(n: n))
            smallProductNTShort(
                m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, accumulate: accumulate, &c, ldc: ldc, scratch: &scratch)
            let chunk = SmallProducts.ntShortChunk(m: m)
            var wrong = 0, touched = 0
            for i in 0..<m {
                for j in 0..<ldc {
                    guard j < n else {
                        if c[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern { touched += 1 }
                        continue
                    }
                    var total = c0[i * ldc + j]
                    for (q, p0) in stride(from: 0, to: k, by: chunk).enumerated() {
                        var s: Float = 0
                        for p in p0..<min(k, p0 + chunk) { s = s.addingProduct(a[i * lda + p], b[j * ldb + p]) }
                        total = q == 0 && !accumulate ? s : total + s
                    }
                    if c[i * ldc + j].bitPattern != total.bitPattern { wrong += 1 }
                }
            }
            #expect(
                wrong == 0 && touched == 0,
                "\(m)×\(n)×\(k), accumulate \(accumulate): \(wrong) wrong, \(touched) outside")
        }
    }
}
