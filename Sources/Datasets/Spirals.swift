import Foundation
import Tensors

/// `arms` Archimedean spiral arms around the origin, plus isotropic Gaussian noise.
///
/// Row `i`: arm `a ~ U{0 … arms−1}`, position `u ~ U(0, 1)`, radius `r = u`,
/// angle `θ = 2π·turns·u + 2πa/arms`, `x = r·(cos θ, sin θ) + noise·z`.
/// So `E‖x‖² = E u² + 2·noise² = 1/3 + 2·noise²`, and for `arms ≥ 2` the arms'
/// rotations cancel: `E x = 0`. No exact density (noise around a curve).
public struct Spirals: ToyDistribution {
    public let arms: Int
    public let noise: Double
    public let turns: Double
    public var name: String { "spirals\(arms)" }
    public var dims: Int { 2 }

    public init(arms: Int = 2, noise: Double = 0.02, turns: Double = 1) throws(DatasetError) {
        guard arms >= 1 && arms <= 1000 else { throw DatasetError("spirals: arms = \(arms), need 1 … 1000") }
        guard noise.isFinite && noise >= 0 else {
            throw DatasetError("spirals: noise = \(noise) must be a non-negative number")
        }
        guard turns.isFinite && turns > 0 else {
            throw DatasetError("spirals: turns = \(turns) must be a positive number")
        }
        self.arms = arms
        self.noise = noise
        self.turns = turns
    }

    public func sample(count: Int, rng: RNG) -> Batch {
        let pick = rng.stream(1), along = rng.stream(2), z = rng.stream(3)
        var out = Batch(count: count, dims: 2)
        for i in 0..<count {
            let a = pick.integer(at: UInt64(i), below: arms)
            let u = along.uniform(at: UInt64(i))
            let theta = 2 * Double.pi * (turns * u + Double(a) / Double(arms))
            out.values[2 * i] = u * cos(theta) + noise * z.normal(at: UInt64(2 * i))
            out.values[2 * i + 1] = u * sin(theta) + noise * z.normal(at: UInt64(2 * i + 1))
        }
        return out
    }
}
