import Datasets
import Foundation
import Tensors
import Testing

@testable import Diffusion

@Suite struct MixtureRecipeTests {
    /// The presets are the standard toys: ring8 has its 8 means at angles 2πk/8 on the unit
    /// circle, grid25 its 25 on {−1, −0.5, 0, 0.5, 1}², equal weights; and each equals the
    /// mixture its checked constructor builds from the same parameters.
    @Test func presetsAreTheStandardToys() throws {
        let ring = GaussianMixture.ring8(), grid = GaussianMixture.grid25()
        for k in 0..<8 {
            let a = 2 * Double.pi * Double(k) / 8
            #expect(
                abs(ring.means.values[2 * k] - cos(a)) < 1e-15 && abs(ring.means.values[2 * k + 1] - sin(a)) < 1e-15)
        }
        let v = [-1, -0.5, 0, 0.5, 1.0]
        #expect(grid.means.values == v.flatMap { a in v.flatMap { b in [a, b] } })
        #expect(
            ring.weights == [Double](repeating: 0.125, count: 8) && ring.stds == [Double](repeating: 0.05, count: 8))
        #expect(
            grid.weights == [Double](repeating: 0.04, count: 25) && grid.stds == [Double](repeating: 0.02, count: 25))
        for (preset, checked) in [
            (ring, try GaussianMixture.ring(modes: 8, radius: 1, std: 0.05)),
            (grid, try GaussianMixture.grid(side: 5, extent: 1, std: 0.02)),
        ] {
            #expect(preset.name == checked.name && preset.weights == checked.weights && preset.stds == checked.stds)
            #expect(preset.means == checked.means && preset.logWeights == checked.logWeights)
        }
    }
}
