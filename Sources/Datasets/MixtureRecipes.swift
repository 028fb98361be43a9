// The mixture recipes (docs/science.md, "Data"): the ring and grid families and the
// standard ring8 and grid25, built from the exact teacher's GaussianMixture (Diffusion).
// The presets use its unchecked constructor: their parameters are valid by construction.
@_spi(Recipes) import Diffusion
import Foundation
import Tensors

extension GaussianMixture {
    /// `modes` equal-weight Gaussians with means on a circle, at angles `2πk/modes`.
    public static func ring(
        modes: Int = 8, radius: Double = 1, std: Double = 0.05
    ) throws(DatasetError) -> GaussianMixture {
        guard modes >= 1 && modes <= 100_000 else { throw DatasetError("modes = \(modes): need 1 … 100000") }
        guard radius.isFinite && radius >= 0 else {
            throw DatasetError("radius = \(radius) must be a non-negative number")
        }
        return try datasetError { () throws(DiffusionError) in
            try GaussianMixture(
                weights: [Double](repeating: 1, count: modes), means: ringMeans(modes: modes, radius: radius),
                stds: [Double](repeating: std, count: modes), name: "ring\(modes)")
        }
    }

    /// Means at angles `2πk/modes` on a circle of `radius`, `[modes, 2]`.
    static func ringMeans(modes: Int, radius: Double) -> Batch {
        var m: [Double] = []
        for k in 0..<modes {
            let a = 2 * Double.pi * Double(k) / Double(modes)
            m += [radius * cos(a), radius * sin(a)]
        }
        return Batch(count: modes, dims: 2, values: m)
    }

    /// `side × side` equal-weight Gaussians with means on an even grid over `[−extent, extent]²`.
    public static func grid(
        side: Int = 5, extent: Double = 1, std: Double = 0.02
    ) throws(DatasetError) -> GaussianMixture {
        guard side >= 1 && side <= 1000 else { throw DatasetError("side = \(side): need 1 … 1000") }
        return try datasetError { () throws(DiffusionError) in
            try GaussianMixture(
                weights: [Double](repeating: 1, count: side * side),
                means: gridMeans(side: side, extent: extent),
                stds: [Double](repeating: std, count: side * side), name: "grid\(side * side)")
        }
    }

    /// Means on an even `side × side` grid over `[−extent, extent]²`, row by row, `[side², 2]`.
    static func gridMeans(side: Int, extent: Double) -> Batch {
        var m: [Double] = []
        for i in 0..<side {
            for j in 0..<side {
                let f = { (k: Int) in side == 1 ? 0 : -extent + 2 * extent * Double(k) / Double(side - 1) }
                m += [f(i), f(j)]
            }
        }
        return Batch(count: side * side, dims: 2, values: m)
    }

    /// The standard `ring8` (docs/science.md): 8 modes on the unit circle, std 0.05.
    public static func ring8() -> GaussianMixture {
        GaussianMixture(
            valid: [Double](repeating: 1, count: 8), means: ringMeans(modes: 8, radius: 1),
            stds: [Double](repeating: 0.05, count: 8), name: "ring8")
    }
    /// The standard `grid25` (docs/science.md): 25 modes on {−1, −0.5, 0, 0.5, 1}², std 0.02.
    public static func grid25() -> GaussianMixture {
        GaussianMixture(
            valid: [Double](repeating: 1, count: 25), means: gridMeans(side: 5, extent: 1),
            stds: [Double](repeating: 0.02, count: 25), name: "grid25")
    }
}
