import Diffusion
import Tensors

/// The standard toy distributions, by the names the script language uses
/// (`ring`, `gridmix`, `moons`, `spirals`, `checkerboard`, `gaussian`; docs/science.md, "Data").
public enum Toy {
    /// `modes` equal-weight Gaussians N(μ_k, std² I) with μ_k on a circle of `radius`,
    /// at angles `2πk/modes`. `ring()` is the standard `ring8` (docs/science.md).
    public static func ring(
        modes: Int = 8, radius: Double = 1, std: Double = 0.05
    ) throws(DatasetError) -> GaussianMixture {
        try GaussianMixture.ring(modes: modes, radius: radius, std: std)
    }

    /// `side × side` equal-weight Gaussians N(μ, std² I) with means on an even grid
    /// over `[−extent, extent]²`. `gridmix()` is the standard `grid25` (docs/science.md).
    public static func gridmix(
        side: Int = 5, extent: Double = 1, std: Double = 0.02
    ) throws(DatasetError) -> GaussianMixture {
        guard extent.isFinite && extent >= 0 else {
            throw DatasetError("gridmix: extent = \(extent) must be a non-negative number")
        }
        return try GaussianMixture.grid(side: side, extent: extent, std: std)
    }

    /// One Gaussian N(mean, std² I) in `mean.count` dimensions.
    public static func gaussian(mean: [Double] = [0, 0], std: Double = 1) throws(DatasetError) -> GaussianMixture {
        guard !mean.isEmpty else { throw DatasetError("gaussian: the mean needs at least one coordinate") }
        return try datasetError { () throws(DiffusionError) in try GaussianMixture.gaussian(mean: mean, std: std) }
    }

    /// Two interleaved half circles (see ``Moons``).
    public static func moons(noise: Double = 0.05) throws(DatasetError) -> Moons { try Moons(noise: noise) }

    /// `arms` spiral arms (see ``Spirals``).
    public static func spirals(arms: Int = 2, noise: Double = 0.02, turns: Double = 1) throws(DatasetError) -> Spirals {
        try Spirals(arms: arms, noise: noise, turns: turns)
    }

    /// Uniform on the black squares of a `cells × cells` board (see ``Checkerboard``).
    public static func checkerboard(cells: Int = 4, extent: Double = 1) throws(DatasetError) -> Checkerboard {
        try Checkerboard(cells: cells, extent: extent)
    }
}
