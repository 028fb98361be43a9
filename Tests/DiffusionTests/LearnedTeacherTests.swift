import Foundation
import Nets
import Tensors
import Testing

@testable import Diffusion

@Suite struct LearnedTeacherTests {
    /// Denoising score matching on one Gaussian N(μ, s²I) recovers its exact denoiser
    /// D*(x; σ) = μ + s²/(s² + σ²)·(x − μ). Over σ ∈ {0.05, 0.3, 1, 5} and x ~ p_σ, the
    /// untrained network's mean squared error per element is ≈0.1; after 1,500
    /// iterations (width 64, depth 3) it must be below 5e-3 and a 20th of that.
    @Test func learnsTheGaussianDenoiser() throws {
        let g = try GaussianMixture.gaussian(mean: [0.3, -0.2], std: 0.5)
        var c = DenoiserTrainingConfig()
        c.width = 64; c.depth = 3; c.batchSize = 256; c.seed = 3
        func error(_ D: Denoiser) -> Double {
            var total = 0.0
            for (k, sigma) in [0.05, 0.3, 1, 5].enumerated() {
                let rng = RNG(seed: 50).stream(UInt64(k))
                let x = Batch.axpy(
                    g.sample(count: 500, rng: rng), sigma, rng.stream(3).normalBatch(count: 500, dims: 2))
                total += D.denoise(x, sigma: sigma).meanSquaredDistance(to: g.denoise(x, sigma: sigma)) / 2
            }
            return total / 4
        }
        c.iterations = 1
        let e0 = error(
            try trainDenoiser(data: { g.sample(count: $0, rng: $1) }, dims: 2, dataName: "gaussian", config: c))
        c.iterations = 1500
        let D = try trainDenoiser(data: { g.sample(count: $0, rng: $1) }, dims: 2, dataName: "gaussian", config: c)
        let e = error(D)
        #expect(D.outcome == .completed)
        #expect(e < 5e-3 && e < e0 / 20, "error \(e), untrained \(e0)")

        // Round trip through a checkpoint.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("teacher-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try D.save(to: path)
        let L = try LearnedDenoiser.load(from: path)
        let x = RNG(seed: 1).normalBatch(count: 9, dims: 2)
        #expect(L.denoise(x, sigma: 0.7) == D.denoise(x, sigma: 0.7))
        #expect(L.dataName == "gaussian" && L.lossCurve == D.lossCurve)
    }
}
