import Foundation

/// A decreasing grid of noise levels `σ_0 > σ_1 > … > σ_{N−1} > 0` on the VE (EDM)
/// scale, where `x_σ = x_0 + σ·z`. Solvers take `N − 1` steps along it.
public struct SigmaGrid: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case karras(sigmaMin: Double, sigmaMax: Double, rho: Double)
        case vp(timesteps: [Int])
        case custom
    }
    public let sigmas: [Double]
    public let kind: Kind

    public var count: Int { sigmas.count }
    public var sigmaMax: Double { sigmas[0] }
    public var sigmaMin: Double { sigmas[sigmas.count - 1] }

    /// A grid from explicit σ values, which must be finite, positive and strictly decreasing.
    public init(sigmas: [Double]) throws(DiffusionError) {
        try self.init(checked: sigmas, kind: .custom)
    }

    init(checked sigmas: [Double], kind: Kind) throws(DiffusionError) {
        guard sigmas.count >= 2 else {
            throw DiffusionError("a grid needs at least 2 noise levels, got \(sigmas.count)")
        }
        for (i, s) in sigmas.enumerated() {
            guard s.isFinite && s > 0 else { throw DiffusionError("σ_\(i) = \(s) is not a positive finite number") }
            if i > 0 && !(s < sigmas[i - 1]) {
                throw DiffusionError("σ must decrease: σ_\(i) = \(s) ≥ σ_\(i - 1) = \(sigmas[i - 1])")
            }
        }
        self.sigmas = sigmas
        self.kind = kind
    }

    /// The Karras et al. (2022) grid, `i = 0 … N−1`:
    /// `σ_i = (σ_max^{1/ρ} + i/(N−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ`.
    public static func karras(
        n: Int, sigmaMin: Double = 0.002, sigmaMax: Double = 80, rho: Double = 7
    ) throws(DiffusionError) -> SigmaGrid {
        guard n >= 2 else { throw DiffusionError("n = \(n): a Karras grid needs n ≥ 2 points") }
        guard n <= 1_000_000 else { throw DiffusionError("n = \(n) is too large (at most 1,000,000)") }
        guard sigmaMin.isFinite && sigmaMin > 0 else {
            throw DiffusionError("sigma_min = \(sigmaMin) must be a positive number")
        }
        guard sigmaMax.isFinite && sigmaMax > 0 else {
            throw DiffusionError("sigma_max = \(sigmaMax) must be a positive number")
        }
        guard sigmaMin < sigmaMax else {
            throw DiffusionError("sigma_min = \(sigmaMin) must be below sigma_max = \(sigmaMax)")
        }
        guard rho.isFinite && rho > 0 else { throw DiffusionError("rho = \(rho) must be a positive number") }
        let a = pow(sigmaMax, 1 / rho), b = pow(sigmaMin, 1 / rho)
        var s = (0..<n).map { i in pow(a + Double(i) / Double(n - 1) * (b - a), rho) }
        s[0] = sigmaMax; s[n - 1] = sigmaMin // exact end points
        return try SigmaGrid(checked: s, kind: .karras(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho))
    }

    /// The VP/DDPM grid of Stable Diffusion's schedule (the paper's code): scaled-linear
    /// `β_t = (√β_start + t/(T−1)·(√β_end − √β_start))²`, `β` 0.00085 … 0.012, `T = 1000`,
    /// `ᾱ_t = Π_{s≤t}(1 − β_s)`. The grid takes `N` timesteps evenly spaced from `T − 1`
    /// down to 0 (rounded to integers) and maps each to the VE scale:
    /// `σ = σ_t/α_t = √((1 − ᾱ_t)/ᾱ_t)`, `x_VE = x_VP/α_t`.
    public static func vp(
        n: Int, betaStart: Double = 0.00085, betaEnd: Double = 0.012, steps T: Int = 1000
    ) throws(DiffusionError) -> SigmaGrid {
        guard n >= 2 else { throw DiffusionError("n = \(n): a VP grid needs n ≥ 2 points") }
        guard T >= 2 else { throw DiffusionError("T = \(T) training timesteps: need T ≥ 2") }
        guard n <= T else { throw DiffusionError("n = \(n) exceeds the \(T) timesteps of the schedule") }
        guard betaStart.isFinite, betaEnd.isFinite, betaStart > 0, betaEnd > betaStart, betaEnd < 1 else {
            throw DiffusionError("betas \(betaStart) … \(betaEnd) must satisfy 0 < beta_start < beta_end < 1")
        }
        let alphaBar = VPSchedule(betaStart: betaStart, betaEnd: betaEnd, steps: T).alphaBar
        let t = (0..<n).map { i in Int((Double(T - 1) * (1 - Double(i) / Double(n - 1))).rounded()) }
        let s = t.map { ((1 - alphaBar[$0]) / alphaBar[$0]).squareRoot() }
        return try SigmaGrid(checked: s, kind: .vp(timesteps: t))
    }

    public var description: String {
        switch kind {
        case let .karras(lo, hi, rho): return "karras(n: \(count), sigma_min: \(lo), sigma_max: \(hi), rho: \(rho))"
        case .vp:
            return "vp(n: \(count), sigma \(String(format: "%.4g", sigmaMax)) … \(String(format: "%.4g", sigmaMin)))"
        case .custom:
            return "grid(n: \(count), sigma \(String(format: "%.4g", sigmaMax)) … \(String(format: "%.4g", sigmaMin)))"
        }
    }
}

/// The discrete VP (DDPM) schedule with scaled-linear β.
public struct VPSchedule: Sendable {
    public let betas: [Double]
    public let alphaBar: [Double]

    public init(betaStart: Double = 0.00085, betaEnd: Double = 0.012, steps T: Int = 1000) {
        let a = betaStart.squareRoot(), b = betaEnd.squareRoot()
        betas = (0..<T).map { t in
            let r = a + Double(t) / Double(T - 1) * (b - a); return r * r
        }
        var acc = 1.0
        alphaBar = betas.map {
            acc *= (1 - $0); return acc
        }
    }
}
