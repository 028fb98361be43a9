import Foundation
import Nets
import Tensors
import Testing

@testable import Diffusion

@Suite struct ImageDenoiserTests {
    static let tiny = UNet.Configuration(
        channels: 1, height: 4, width: 4, baseWidth: 8, embedDims: 16, fourierFeatures: 4)

    /// A few iterations on a fixed 4 × 4 pattern lower the loss; the checkpoint round trip
    /// keeps the denoiser bit-identical; at σ → 0 the preconditioning makes D(x; σ) → x.
    @Test func trainsSavesAndLoads() throws {
        let pattern = (0..<16).map { Double($0 % 4) / 1.5 - 1 }
        let data: (Int, RNG) -> Batch = { n, _ in
            Batch(count: n, dims: 16, values: Array((0..<n).map { _ in pattern }.joined()))
        }
        var c = ImageDenoiserTrainingConfig()
        c.iterations = 150; c.batchSize = 16; c.warmup = 10; c.learningRate = 2e-3; c.emaDecay = 0
        let D = try trainImageDenoiser(data: data, architecture: Self.tiny, dataName: "pattern", config: c)
        #expect(D.outcome == .completed && D.lossCurve.count == 150)
        let head = D.lossCurve.prefix(10).reduce(0, +) / 10, tail = D.lossCurve.suffix(10).reduce(0, +) / 10
        #expect(tail < 0.5 * head, "loss \(head) → \(tail)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("img-teacher-\(UUID()).safetensors")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try D.save(to: path)
        let L = try LearnedDenoiser.load(from: path)
        let x = RNG(seed: 2).normalBatch(count: 3, dims: 16)
        #expect(L.denoise(x, sigma: 0.7) == D.denoise(x, sigma: 0.7))
        #expect(L.dataName == "pattern" && L.imageShape?.height == 4)
        #expect(D.denoise(x, sigma: 1e-6).meanSquaredDistance(to: x) < 1e-9)
        #expect(throws: DiffusionError.self) {
            var bad = c; bad.batchSize = 0
            _ = try trainImageDenoiser(data: data, architecture: Self.tiny, dataName: "x", config: bad)
        }
    }
}
