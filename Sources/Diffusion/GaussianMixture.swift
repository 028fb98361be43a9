import CKernels
import Foundation
import Tensors

/// An isotropic Gaussian mixture `p_0 = Σ_k π_k N(μ_k, s_k² I)` and its exact
/// denoiser — a teacher that needs no training.
///
/// Noised by `x_σ = x_0 + σ z`, each component stays Gaussian:
/// `p_σ = Σ_k π_k N(μ_k, (s_k² + σ²) I)`, and Tweedie's formula gives
/// `D(x; σ) = E[x_0 | x_σ] = Σ_k w_k(x)·(μ_k + s_k²/(s_k² + σ²)·(x − μ_k))` with
/// posterior weights `w = softmax_k(log π_k + log N(x; μ_k, (s_k² + σ²) I))`.
/// Everything is Double and the softmax uses log-sum-exp, so far-away points
/// (σ = 0.002 and |x| = 100) keep finite weights instead of 0/0.
public final class GaussianMixture: Denoiser, @unchecked Sendable {
    public let dims: Int
    public let name: String
    /// Pure arithmetic on immutable data: safe to call concurrently.
    public var supportsConcurrentCalls: Bool { true }
    /// Mixture weights π_k, summing to 1.
    public let weights: [Double]
    /// Component means, `[K, dims]`.
    public let means: Batch
    /// Component standard deviations s_k.
    public let stds: [Double]

    public var components: Int { weights.count }
    let logWeights: [Double]

    /// Weights are normalised; they, the stds and the means must be finite, stds and weights positive.
    public convenience init(
        weights: [Double], means: Batch, stds: [Double], name: String = "mixture"
    ) throws(DiffusionError) {
        guard !weights.isEmpty else { throw DiffusionError("a mixture needs at least one component") }
        guard means.count == weights.count, stds.count == weights.count else {
            throw DiffusionError("mixture has \(weights.count) weights, \(means.count) means and \(stds.count) stds")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DiffusionError("mixture weights must be positive, got \(weights)")
        }
        guard stds.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DiffusionError("component stds must be positive, got \(stds)")
        }
        guard means.values.allSatisfy(\.isFinite) else { throw DiffusionError("component means must be finite") }
        self.init(valid: weights, means: means, stds: stds, name: name)
    }

    /// A mixture from parameters already known to be valid (the checks above, or a preset:
    /// the recipes in Datasets, `MixtureRecipes.swift`).
    @_spi(Recipes) public init(valid weights: [Double], means: Batch, stds: [Double], name: String) {
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        self.logWeights = self.weights.map { Foundation.log($0) }
        self.means = means
        self.stds = stds
        self.dims = means.dims
        self.name = name
    }

    /// A single Gaussian `N(μ, s² I)`: its ODE has a closed form (``singleGaussianFlow``).
    public static func gaussian(mean: [Double], std: Double) throws(DiffusionError) -> GaussianMixture {
        try GaussianMixture(
            weights: [1], means: Batch(count: 1, dims: mean.count, values: mean), stds: [std], name: "gaussian")
    }

    // MARK: Density, score, denoiser

    /// Log posterior weights and log-density of one point `x` at noise level σ:
    /// `ℓ_k = log π_k − (d/2)·log(2π v_k) − ‖x − μ_k‖²/(2 v_k)`, `v_k = s_k² + σ²`.
    @inline(__always)
    func logTerms(_ x: UnsafePointer<Double>, sigma: Double, into l: UnsafeMutablePointer<Double>) -> Double {
        let d = dims
        var maxL = -Double.infinity
        means.values.withUnsafeBufferPointer { mu in
            for k in 0..<components {
                let v = stds[k] * stds[k] + sigma * sigma
                var r2 = 0.0
                for j in 0..<d { let e = x[j] - mu[k * d + j]; r2 += e * e }
                let lk = logWeights[k] - 0.5 * Double(d) * Foundation.log(2 * Double.pi * v) - 0.5 * r2 / v
                l[k] = lk
                maxL = Swift.max(maxL, lk)
            }
        }
        var s = 0.0
        for k in 0..<components { s += Foundation.exp(l[k] - maxL) }
        return maxL + Foundation.log(s)
    }

    /// `log p_σ(x)` for every row (σ = 0 gives the data density).
    public func logDensity(_ x: Batch, sigma: Double = 0) -> [Double] {
        precondition(x.dims == dims, "points have \(x.dims) dims, mixture has \(dims)")
        var out = [Double](repeating: 0, count: x.count)
        out.withUnsafeMutableBufferPointer { o in
            let o = o
            Parallel.forEachChunk(x.count, chunk: 1024) { rows in
                var l = [Double](repeating: 0, count: components)
                x.values.withUnsafeBufferPointer { xv in
                    l.withUnsafeMutableBufferPointer { lp in
                        for i in rows {
                            o[i] = logTerms(xv.baseAddress! + i * dims, sigma: sigma, into: lp.baseAddress!)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The score `∇ log p_σ(x) = (D(x; σ) − x)/σ²` (for σ > 0), by Tweedie's formula.
    public func score(_ x: Batch, sigma: Double) -> Batch {
        let D = denoise(x, sigma: sigma)
        return Batch.zip(D, x) { ($0 - $1) / (sigma * sigma) }
    }

    public func denoise(_ x: Batch, sigma: [Double]) -> Batch { denoise(x, sigma: sigma, vectorKernel: true) }

    /// ``denoise(_:sigma:)`` with CKernels' AVX2 body (`vectorKernel`, where the CPU has
    /// it) or its portable one: tests compare the two.
    func denoise(_ x: Batch, sigma: [Double], vectorKernel: Bool) -> Batch {
        precondition(x.dims == dims, "points have \(x.dims) dims, mixture has \(dims)")
        precondition(sigma.count == x.count, "need one σ per row")
        var out = Batch(count: x.count, dims: dims)
        let d = dims, K = components
        // Per-component constants depend on σ only, and a batch holds few distinct σ (a
        // grid's): c_k = log π_k − (d/2)·log(2π v_k), 1/(2 v_k) and the shrink s_k²/v_k,
        // computed once per distinct σ (a CM step's rows each sit at their own σ_n; a
        // solve's step has one σ for all rows, and needs no slot per row).
        var table: [Double] = []
        table.reserveCapacity(3 * K)
        func addConstants(_ s: Double) {
            for c in 0..<K {
                let sk2 = stds[c] * stds[c], v = sk2 + s * s
                table += [logWeights[c] - 0.5 * Double(d) * Foundation.log(2 * Double.pi * v), 0.5 / v, sk2 / v]
            }
        }
        var slot: [Int] = []
        if let s0 = sigma.first, sigma.allSatisfy({ $0 == s0 }) {
            addConstants(s0)
        } else {
            var slotOf: [Double: Int] = [:], last = Double.nan, lastSlot = 0
            slot = [Int](repeating: 0, count: x.count)
            for (i, s) in sigma.enumerated() {
                if s == last { slot[i] = lastSlot; continue } // runs of one σ skip the lookup
                let k: Int
                if let known = slotOf[s] {
                    k = known
                } else {
                    k = slotOf.count
                    slotOf[s] = k
                    addConstants(s)
                }
                slot[i] = k
                last = s
                lastSlot = k
            }
        }
        // The row loop is C (CKernels): for points in the plane, four rows per AVX2
        // register with libmvec's exp where the CPU has AVX2 and FMA; otherwise row by
        // row with libm's exp.
        let scratchCount = ck_mixture_scratch(K)
        out.values.withUnsafeMutableBufferPointer { o in
            let o = o
            Parallel.forEachChunk(x.count, chunk: 256) { rows in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { scratch in
                    x.values.withUnsafeBufferPointer { xv in
                        means.values.withUnsafeBufferPointer { mu in
                            table.withUnsafeBufferPointer { tb in
                                slot.withUnsafeBufferPointer { sl in
                                    let r0 = rows.lowerBound
                                    ck_mixture_denoise(
                                        vectorKernel, rows.count, d, K, xv.baseAddress! + r0 * d, mu.baseAddress!,
                                        tb.baseAddress!, slot.isEmpty ? nil : sl.baseAddress! + r0,
                                        o.baseAddress! + r0 * d, scratch.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `count` samples of `p_0`: row `i` uses counters `i` (component) and `i` of a second
    /// stream (offsets), so samples do not depend on how many are drawn.
    public func sample(count: Int, rng: RNG) -> Batch {
        let cum = weights.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1) }
        let pick = rng.stream(1), noise = rng.stream(2)
        var out = Batch(count: count, dims: dims)
        out.values.withUnsafeMutableBufferPointer { o in
            let o = o
            Parallel.forEachChunk(count, chunk: 256) { rows in
                for i in rows {
                    let u = pick.uniform(at: UInt64(i))
                    var k = cum.firstIndex { u < $0 } ?? (components - 1)
                    k = Swift.min(k, components - 1)
                    for j in 0..<dims {
                        o[i * dims + j] = means.values[k * dims + j] + stds[k] * noise.normal(at: UInt64(i * dims + j))
                    }
                }
            }
        }
        return out
    }

    /// The exact probability-flow ODE solution for a *single* Gaussian `N(μ, s² I)`:
    /// `x(σ_b) = μ + √((s² + σ_b²)/(s² + σ_a²))·(x(σ_a) − μ)` — the oracle for solver tests.
    public func singleGaussianFlow(_ x: Batch, from sigmaA: Double, to sigmaB: Double) -> Batch {
        precondition(components == 1, "the closed-form flow holds for a single Gaussian")
        let s2 = stds[0] * stds[0]
        let r = ((s2 + sigmaB * sigmaB) / (s2 + sigmaA * sigmaA)).squareRoot()
        var out = x
        for i in 0..<x.count {
            for j in 0..<dims {
                let m = means.values[j]
                out.values[i * dims + j] = m + r * (x.values[i * dims + j] - m)
            }
        }
        return out
    }
}
