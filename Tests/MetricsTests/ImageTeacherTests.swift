import Datasets
import Foundation
import Nets
import Tensors
import Testing

@testable import Diffusion

/// Trains the U-Net image teacher on 14 × 14 Fashion-MNIST and writes Heun samples.
/// Long; runs only with `CMLAB_LONG=1`. `CMLAB_TEACHER_SECONDS` (default 600) bounds the
/// training time, `CMLAB_OUT` (default /tmp/cmlab-images) receives the checkpoint,
/// `samples.npy` and `samples.pgm` (an 8 × 8 grid, 4× enlarged).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CMLAB_LONG"] != nil)) struct ImageTeacherTests {
    @Test func trainTeacherAndSample() throws {
        let env = ProcessInfo.processInfo.environment
        let out = env["CMLAB_OUT"] ?? "/tmp/cmlab-images"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let data = try FashionMNIST.load(.train, resolution: .pooled14)
        var c = ImageDenoiserTrainingConfig()
        c.iterations = Int(env["CMLAB_TEACHER_ITERS"] ?? "") ?? 100_000
        c.batchSize = Int(env["CMLAB_TEACHER_BATCH"] ?? "") ?? 64
        c.learningRate = Double(env["CMLAB_TEACHER_LR"] ?? "") ?? 7e-4
        let seconds = Double(env["CMLAB_TEACHER_SECONDS"] ?? "") ?? 600
        let cancel = CancellationToken()
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { cancel.cancel() }
        let D = try trainImageDenoiser(
            data: { data.sample(count: $0, rng: $1) }, architecture: UNet.Configuration(),
            dataName: "fashion_mnist14", config: c, cancel: cancel,
            progress: { p in
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "iter %d loss %.4f (%.2f it/s)\n",
                            p.iteration, p.loss, p.iterationsPerSecond
                        ).utf8))
            })
        let tail = D.lossCurve.suffix(200)
        print(
            "teacher: \(D.lossCurve.count) iterations in \(String(format: "%.0f", D.trainingSeconds)) s, \(D.outcome.message), mean loss of the last 200: \(tail.reduce(0, +) / Double(max(1, tail.count)))"
        )
        try D.save(to: out + "/teacher.safetensors")
        let z = RNG(seed: 7).normalBatch(count: 64, dims: D.dims).map { $0 * 80 }
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 18, sigmaMax: 80))
        let x = try #require(solver.solve(D, z, callback: nil))
        try NPY.write(x, to: URL(fileURLWithPath: out + "/samples.npy"), dtype: .float32)
        try writeGridPGM(x, side: 14, columns: 8, scale: 4, to: out + "/samples.pgm")
        let real = data.rows(Array(0..<64)).batch
        try writeGridPGM(real, side: 14, columns: 8, scale: 4, to: out + "/real.pgm")
        let finite = x.values.allSatisfy { $0.isFinite }
        #expect(finite)
    }
}

/// A binary PGM of images `[n, side²]` in [−1, 1] tiled `columns` wide with a 1-pixel
/// grey border, each pixel enlarged `scale`×.
func writeGridPGM(_ images: Batch, side: Int, columns: Int, scale: Int, to path: String) throws {
    let rows = (images.count + columns - 1) / columns
    let cell = side + 1
    let w = (columns * cell + 1) * scale, h = (rows * cell + 1) * scale
    var pix = [UInt8](repeating: 128, count: w * h)
    for k in 0..<images.count {
        let r0 = (k / columns) * cell + 1, c0 = (k % columns) * cell + 1
        for y in 0..<side {
            for x in 0..<side {
                let v = images.values[k * side * side + y * side + x]
                let g = UInt8(max(0, min(255, (v + 1) * 127.5)).rounded())
                for dy in 0..<scale {
                    for dx in 0..<scale { pix[((r0 + y) * scale + dy) * w + (c0 + x) * scale + dx] = g }
                }
            }
        }
    }
    var data = Data("P5\n\(w) \(h)\n255\n".utf8)
    data.append(contentsOf: pix)
    try data.write(to: URL(fileURLWithPath: path))
}
