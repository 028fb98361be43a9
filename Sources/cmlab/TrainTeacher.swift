import ArgumentParser
import Datasets
import Diffusion
import Foundation
import Nets
import Tensors

/// `cmlab train-teacher`: a learned denoiser by denoising score matching.
struct TrainTeacher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-teacher",
        abstract: "Train a network denoiser (EDM preconditioning and weighting) on a toy data set.")

    @Option(help: "Data set: ring8, grid25, moons, spirals or checkerboard.") var data: String = "ring8"
    @Option(parsing: .unconditional, help: "Training iterations.") var iters: Int = 4000
    @Option(parsing: .unconditional, help: "Seed.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Double = 1e-3
    @Option(parsing: .unconditional, help: "Batch size.") var batch: Int = 512
    @Option(parsing: .unconditional, help: "Hidden width.") var width: Int = 256
    @Option(parsing: .unconditional, help: "Hidden layers.") var depth: Int = 4
    @Option(help: "Where to write the teacher.") var out: String
    @Flag(help: "Replace an existing output file even when it is not of the kind written.") var force = false

    func run() throws {
        let toy = try toyData(named: data)
        var c = DenoiserTrainingConfig()
        c.iterations = iters; c.seed = seed; c.learningRate = lr; c.batchSize = batch; c.width = width; c.depth = depth
        try c.validate()
        try checkOutput(out, .safetensors, force: force)
        let cancel = CancellationToken()
        let bar = ProgressBar(label: "teacher")
        let sig = SigintCanceller(cancel)
        let D = try trainDenoiser(
            data: { toy.sample(count: $0, rng: $1) }, dims: toy.dims, dataName: data.lowercased(),
            config: c, cancel: cancel, progress: bar.update)
        sig.restore()
        bar.finish()
        try D.save(to: out)
        let tail = D.lossCurve.suffix(100)
        stderr(
            "learned teacher on \(data): \(D.lossCurve.count) iterations, \(D.outcome.message), "
                + "loss (last 100) \(formatShort(tail.reduce(0, +) / Double(max(1, tail.count)))) → \(out)"
        )
        if case .diverged = D.outcome { throw ExitCode(2) }
    }
}
