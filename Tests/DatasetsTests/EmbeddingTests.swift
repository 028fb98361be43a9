import Datasets
import Diffusion
import Foundation
import Tensors
import Testing

@Suite struct EmbeddingTests {
    /// The exact denoiser of the embedded mixture equals the embedded plane's denoiser plus
    /// the off-plane shrinkage, D_D(x; σ) = Qᵀ D_2(Qx; σ) + s²/(s² + σ²)·(x − QᵀQx), at
    /// random points in 8 and 128 dims, from σ = 0.002 to 80, to 1e-9 (Double throughout;
    /// the two sides sum in different orders).
    @Test(arguments: [8, 128]) func denoiserIsThePlanesPlusOffPlaneShrinkage(dims: Int) throws {
        for plane in [try Toy.ring(), try Toy.gridmix()] {
            let e = try Toy.embed(plane, dims: dims, seed: 11)
            let s = plane.stds[0]
            let x = e.mixture.sample(count: 300, rng: RNG(seed: 2))
            let far = RNG(seed: 3).normalBatch(count: 100, dims: dims)
            for points in [x, far] {
                for sigma in [0.002, 0.05, 0.3, 2, 80] {
                    let big = e.mixture.denoise(points, sigma: sigma)
                    let y = e.project(points)
                    let inPlane = e.lift(plane.denoise(y, sigma: sigma))
                    let a = s * s / (s * s + sigma * sigma)
                    let off = Batch.zip(points, e.lift(y)) { a * ($0 - $1) }
                    let expected = Batch.zip(inPlane, off, +)
                    let worst = zip(big.values, expected.values).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst < 1e-9, "\(plane.name) in \(dims)-D at σ = \(sigma): \(worst)")
                }
            }
        }
    }

    /// The map has orthonormal rows, is a pure function of the seed, and samples carry
    /// off-plane noise of the components' std: E‖x − QᵀQx‖² = (D − 2)·s² to 5 standard errors.
    @Test func basisIsOrthonormalAndNoiseIsIsotropic() throws {
        let ring = try Toy.ring()
        let e = try Toy.embed(ring, dims: 64, seed: 5)
        for i in 0..<2 {
            for j in 0..<2 {
                let dot = zip(e.basis.row(i), e.basis.row(j)).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (i == j ? 1 : 0)) < 1e-12)
            }
        }
        #expect(try Toy.embed(ring, dims: 64, seed: 5).basis == e.basis)
        #expect(try Toy.embed(ring, dims: 64, seed: 6).basis != e.basis)
        let x = e.mixture.sample(count: 5000, rng: RNG(seed: 1))
        let back = e.lift(e.project(x))
        let off = (0..<x.count).map { i in zip(x.row(i), back.row(i)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let m = off.reduce(0, +) / Double(off.count)
        let sd = (off.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(off.count - 1)).squareRoot()
        #expect(abs(m - 62 * 0.0025) < 5 * sd / Double(off.count).squareRoot())
        #expect(e.mixture.dims == 64 && e.mixture.name == "ring8-in-64d")
    }

    @Test func badDimensionsAreErrors() throws {
        #expect(throws: DatasetError.self) { try Toy.embed(try Toy.ring(), dims: 1) }
        #expect(throws: DatasetError.self) { try Toy.embed(try Toy.ring(), dims: 1_000_000) }
    }
}
