import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

@Suite struct FrechetDistanceTests {
    // MARK: Independent references, written for the tests.

    static func matmul(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] } } }
        return c
    }

    /// Gauss–Jordan inverse with partial pivoting.
    static func inverse(_ a: [Double], _ n: Int) -> [Double] {
        var m = a, inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inv[i * n + i] = 1 }
        for col in 0..<n {
            let p = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            for j in 0..<n { m.swapAt(col * n + j, p * n + j); inv.swapAt(col * n + j, p * n + j) }
            let d = m[col * n + col]
            for j in 0..<n { m[col * n + j] /= d; inv[col * n + j] /= d }
            for r in 0..<n where r != col {
                let f = m[r * n + col]
                for j in 0..<n { m[r * n + j] -= f * m[col * n + j]; inv[r * n + j] -= f * inv[col * n + j] }
            }
        }
        return inv
    }

    /// Tr(A^{1/2}) by the Denman–Beavers iteration Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from
    /// Y = A, Z = I (Y → A^{1/2} for A with positive real eigenvalues; A need not be symmetric).
    static func traceSqrtDenmanBeavers(_ a: [Double], _ n: Int) -> Double {
        var y = a, z = [Double](repeating: 0, count: n * n)
        for i in 0..<n { z[i * n + i] = 1 }
        for _ in 0..<60 {
            let yi = inverse(y, n), zi = inverse(z, n)
            y = zip(y, zi).map { ($0 + $1) / 2 }
            z = zip(z, yi).map { ($0 + $1) / 2 }
        }
        return (0..<n).reduce(0) { $0 + y[$1 * n + $1] }
    }

    /// A random symmetric positive-definite matrix B·Bᵀ + εI.
    static func randomSPD(_ n: Int, seed: UInt64) -> [Double] {
        let b = RNG(seed: seed).normalBatch(count: n, dims: n).values
        var s = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                for k in 0..<n { s[i * n + j] += b[i * n + k] * b[j * n + k] }
                if i == j { s[i * n + j] += 0.1 }
            }
        }
        return s
    }

    // MARK: Tests

    /// Commuting covariances (diagonal, then both rotated by the same orthogonal Q):
    /// `FD = ‖Δμ‖² + Σ_k (√λ₁ₖ − √λ₂ₖ)²` (1e-12 absolute; 1e-10 after rotation).
    @Test func commutingCovariancesMatchClosedForm() throws {
        let l1 = [1.0, 4, 0.25], l2 = [2.0, 1, 0.25], m1 = [0.0, 1, 2], m2 = [1.0, 1, -1]
        var exact = 1.0 + 9
        for k in 0..<3 { let e = l1[k].squareRoot() - l2[k].squareRoot(); exact += e * e }
        func diag(_ l: [Double]) -> [Double] { (0..<9).map { $0 % 4 == 0 ? l[$0 / 4] : 0 } }
        let fd = try frechetDistance(
            GaussianMoments(mean: m1, covariance: diag(l1)), GaussianMoments(mean: m2, covariance: diag(l2)))
        #expect(abs(fd - exact) < 1e-12, "\(fd) vs \(exact)")
        // Q = rotation by 0.7 about z, then by 0.3 about x.
        let (c1, s1, c2, s2) = (cos(0.7), sin(0.7), cos(0.3), sin(0.3))
        let q = Self.matmul([c1, -s1, 0, s1, c1, 0, 0, 0, 1], [1, 0, 0, 0, c2, -s2, 0, s2, c2], 3)
        let qt: [Double] = (0..<9).map { (i: Int) -> Double in q[(i % 3) * 3 + i / 3] }
        func rotate(_ s: [Double]) -> [Double] {
            let r = Self.matmul(Self.matmul(q, s, 3), qt, 3)
            return (0..<9).map { (i: Int) -> Double in
                let t: Double = r[(i % 3) * 3 + i / 3]
                return (r[i] + t) / 2
            }
        }
        let fdRot = try frechetDistance(
            GaussianMoments(mean: m1, covariance: rotate(diag(l1))),
            GaussianMoments(mean: m2, covariance: rotate(diag(l2))))
        #expect(abs(fdRot - exact) < 1e-10, "\(fdRot) vs \(exact)")
    }

    /// Non-commuting 2×2 covariances. Two independent values of Tr((Σ₁Σ₂)^{1/2}): the 2×2
    /// identity `√λ₁ + √λ₂ = √(tr A + 2√det A)`, and Denman–Beavers on the non-symmetric
    /// product. FD against both to 1e-12.
    @Test func nonCommuting2x2() throws {
        let s1 = [2.0, 0.5, 0.5, 1], s2 = [1.0, -0.3, -0.3, 0.5]
        let a = Self.matmul(s1, s2, 2)
        let tr = a[0] + a[3], det = a[0] * a[3] - a[1] * a[2]
        let traceSqrt = (tr + 2 * det.squareRoot()).squareRoot()
        #expect(abs(Self.traceSqrtDenmanBeavers(a, 2) - traceSqrt) < 1e-12)
        let exact = 0.09 + 0.16 + (3.0 + 1.5 - 2 * traceSqrt)
        let fd = try frechetDistance(
            GaussianMoments(mean: [0.3, 0], covariance: s1), GaussianMoments(mean: [0, -0.4], covariance: s2))
        #expect(abs(fd - exact) < 1e-12, "\(fd) vs \(exact)")
    }

    /// Random non-commuting 6×6 covariances against Denman–Beavers (1e-9 relative to Tr Σ).
    @Test func nonCommuting6x6() throws {
        let n = 6, s1 = Self.randomSPD(n, seed: 1), s2 = Self.randomSPD(n, seed: 2)
        let traces = (0..<n).reduce(0.0) { $0 + s1[$1 * n + $1] + s2[$1 * n + $1] }
        let exact = traces - 2 * Self.traceSqrtDenmanBeavers(Self.matmul(s1, s2, n), n)
        let zero = [Double](repeating: 0, count: n)
        let fd = try frechetDistance(
            GaussianMoments(mean: zero, covariance: s1), GaussianMoments(mean: zero, covariance: s2))
        #expect(abs(fd - exact) < 1e-9 * traces, "\(fd) vs \(exact)")
    }

    /// From samples: FD(X, X) = 0 (1e-10); two 2-D Gaussians N(0, I) and N((1, 0), 0.25 I)
    /// against the closed form 1 + 2·(1 − 0.5)² = 1.5, n = 20,000 per set. The error is led by
    /// the sample means: sd ≈ 2‖Δμ‖·sd(x̄₁ − ȳ₁) = 2·√(1.25/20,000) ≈ 0.016; tolerance 0.08 (5 sd).
    /// (Over 40 other seeds the largest error was 0.04.)
    @Test func fromSamples() throws {
        let x = RNG(seed: 4).normalBatch(count: 20_000, dims: 2)
        #expect(abs(try frechetDistance(x, x)) < 1e-10)
        let y = RNG(seed: 5).normalBatch(count: 20_000, dims: 2).map { $0 * 0.5 }
        let yShift = Batch(
            count: y.count, dims: 2,
            values: y.values.enumerated().map { $0.offset % 2 == 0 ? $0.element + 1 : $0.element })
        let fd = try frechetDistance(x, yShift)
        #expect(abs(fd - 1.5) < 0.08, "\(fd)")
        // Features: doubling every coordinate scales FD by 4 exactly (up to rounding).
        let fd2 = try frechetDistance(x, yShift) { $0.map { 2 * $0 } }
        #expect(abs(fd2 - 4 * fd) < 1e-10)
    }

    /// Sample moments: mean and unbiased covariance against direct sums (1e-12).
    @Test func momentsMatchDirectSums() throws {
        let x = RNG(seed: 6).normalBatch(count: 50, dims: 3)
        let m = try GaussianMoments(x)
        for a in 0..<3 {
            let mu = (0..<50).reduce(0.0) { $0 + x.values[$1 * 3 + a] } / 50
            #expect(abs(m.mean[a] - mu) < 1e-12)
            for b in 0..<3 {
                let mub = (0..<50).reduce(0.0) { $0 + x.values[$1 * 3 + b] } / 50
                let c = (0..<50).reduce(0.0) { $0 + (x.values[$1 * 3 + a] - mu) * (x.values[$1 * 3 + b] - mub) } / 49
                #expect(abs(m.covariance[a * 3 + b] - c) < 1e-12)
            }
        }
    }

    /// The Jacobi solver: A·V = V·Λ and VᵀV = I for a random symmetric 12×12 (1e-12·‖A‖),
    /// ascending eigenvalues, and [[2, 1], [1, 2]] → {1, 3}.
    @Test func symmetricEigen() {
        let n = 12, b = RNG(seed: 7).normalBatch(count: n, dims: n).values
        let a = (0..<(n * n)).map { (b[$0] + b[($0 % n) * n + $0 / n]) / 2 }
        let e = SymmetricEigen(a, n: n)
        let scale = a.reduce(0) { max($0, abs($1)) } * Double(n)
        for k in 0..<n {
            for i in 0..<n {
                let av = (0..<n).reduce(0.0) { $0 + a[i * n + $1] * e.vectors[$1 * n + k] }
                #expect(abs(av - e.values[k] * e.vectors[i * n + k]) < 1e-12 * scale)
            }
        }
        for k in 0..<n {
            for l in 0..<n {
                let dot = (0..<n).reduce(0.0) { $0 + e.vectors[$1 * n + k] * e.vectors[$1 * n + l] }
                #expect(abs(dot - (k == l ? 1 : 0)) < 1e-12)
            }
        }
        #expect(e.values == e.values.sorted())
        let two = SymmetricEigen([2, 1, 1, 2], n: 2)
        #expect(abs(two.values[0] - 1) < 1e-15 && abs(two.values[1] - 3) < 1e-15)
    }

    /// 128×128 (the largest feature size planned): converges well before the sweep cap, with
    /// eigenvalues summing to the trace (1e-12 relative).
    @Test func symmetricEigenConvergesAt128() {
        let n = 128, a = Self.randomSPD(n, seed: 8)
        let e = SymmetricEigen(a, n: n)
        #expect(e.sweeps < 20, "sweeps \(e.sweeps)")
        let trace = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }
        #expect(abs(e.values.reduce(0, +) - trace) < 1e-12 * trace)
    }

    /// Rank-deficient covariances (10 points in 20-D, rank 9): finite, and FD(X, X) ≈ 0. The
    /// square root of eigenvalues that should be 0 but carry rounding of size ε‖Σ‖² gives
    /// errors up to √ε·‖Σ‖ ≈ 1e-8·‖Σ‖; tolerance 1e-6·Tr Σ.
    @Test func rankDeficientCovariances() throws {
        let x = RNG(seed: 9).normalBatch(count: 10, dims: 20), y = RNG(seed: 10).normalBatch(count: 10, dims: 20)
        let m = try GaussianMoments(x)
        let trace = (0..<20).reduce(0.0) { $0 + m.covariance[$1 * 20 + $1] }
        #expect(abs(try frechetDistance(x, x)) < 1e-6 * trace)
        #expect(try frechetDistance(x, y).isFinite)
    }

    @Test func rejectsBadInputs() {
        #expect(throws: MetricError.self) { try frechetDistance(batch([[0, 0]]), batch([[0, 0], [1, 1]])) }
        #expect(throws: MetricError.self) { try frechetDistance(batch([[0, 0], [1, 1]]), batch([[0], [1]])) }
        #expect(throws: MetricError.self) { try GaussianMoments(mean: [0, 0], covariance: [1, 0.5, 0, 1]) }
        #expect(throws: MetricError.self) { try GaussianMoments(mean: [0, 0], covariance: [1]) }
    }
}
