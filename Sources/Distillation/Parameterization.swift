import Foundation

/// The consistency-model parameterisation (Song et al. 2023, Appendix C, with EDM's σ_data):
/// `f_θ(x, σ) = c_skip(σ)·x + c_out(σ)·F_θ(c_in(σ)·x, c_noise(σ))`, where
/// `c_skip = σ_d²/((σ − σ_min)² + σ_d²)`, `c_out = (σ − σ_min)·σ_d/√(σ² + σ_d²)`,
/// `c_in = 1/√(σ² + σ_d²)`, `c_noise = ¼·ln σ`.
/// At σ = σ_min, `c_skip = 1` and `c_out = 0`: the boundary condition `f(x, σ_min) = x`
/// holds exactly, whatever the network.
public struct ConsistencyParameterization: Sendable, Equatable, Codable {
    public var sigmaMin: Double
    public var sigmaData: Double

    public init(sigmaMin: Double = 0.002, sigmaData: Double = 0.5) {
        self.sigmaMin = sigmaMin
        self.sigmaData = sigmaData
    }

    public func cSkip(_ sigma: Double) -> Double {
        let s = sigma - sigmaMin
        return sigmaData * sigmaData / (s * s + sigmaData * sigmaData)
    }
    public func cOut(_ sigma: Double) -> Double {
        (sigma - sigmaMin) * sigmaData / (sigma * sigma + sigmaData * sigmaData).squareRoot()
    }
    public func cIn(_ sigma: Double) -> Double { 1 / (sigma * sigma + sigmaData * sigmaData).squareRoot() }
    public func cNoise(_ sigma: Double) -> Double { 0.25 * log(sigma) }
}
