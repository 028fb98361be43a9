import ArgumentParser
import Diffusion
import Distillation
import Foundation
import Nets
import Tensors

/// `cmlab distill`: train a CM or Direct CM student from a teacher, for batch use.
struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Distil a teacher into a consistency student (CM or Direct CM) and save it as .safetensors.")

    @OptionGroup var teacherOptions: TeacherOptions
    @OptionGroup var solverOptions: SolverOptions
    @Option(parsing: .unconditional, help: "Objective: cm or direct.") var objective: String = "cm"
    @Option(parsing: .unconditional, help: "Training iterations.") var iters: Int = 4000
    @Option(parsing: .unconditional, help: "Seed of weights, data, indices and noise.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Target-network EMA rate μ (0: online weights under stop-gradient).")
    var ema: Double = 0
    @Option(parsing: .unconditional, help: "Distance: l2, l1 or huber.") var distance: String = "l2"
    @Option(name: .customLong("huber-c"), parsing: .unconditional, help: "Pseudo-Huber c (default 0.00054·√dims).")
    var huberC: Double?
    @Option(parsing: .unconditional, help: "Adam learning rate.") var lr: Double = 1e-3
    @Option(parsing: .unconditional, help: "Batch size.") var batch: Int = 512
    @Option(parsing: .unconditional, help: "Hidden width of the MLP.") var width: Int = 256
    @Option(parsing: .unconditional, help: "Hidden layers of the MLP.") var depth: Int = 4
    @Option(parsing: .unconditional, help: "Where to write the student.") var out: String
    @Flag(help: "Replace an existing output file even when it is not of the kind written.") var force = false

    func run() throws {
        let (teacher, data) = try teacherOptions.teacherAndData()
        guard let solver = try solverOptions.make() as? GridSolver else {
            throw CLIError("distillation needs a fixed-step solver (euler, heun, dpmpp2m or rk4), not rk45")
        }
        var config = DistillationConfig()
        config.objective = try Objective(named: objective)
        config.iterations = iters; config.seed = seed; config.emaRate = ema
        config.huberC = huberC; config.learningRate = lr
        config.batchSize = batch; config.width = width; config.depth = depth
        try config.validate()
        try checkOutput(out, .safetensors, force: force)
        config.distance = try DistanceKind(named: distance)
        let cancel = CancellationToken()
        let bar = ProgressBar(label: config.objective == .cm ? "CM" : "Direct CM")
        let stopOnSigint = SigintCanceller(cancel)
        let student = try Distillation.distill(
            teacher: teacher, solver: solver, data: data, config: config, cancel: cancel,
            progress: bar.update)
        stopOnSigint.restore()
        bar.finish()
        try student.save(to: out)
        let final = student.lossCurve.suffix(100)
        let meanLoss = final.isEmpty ? Double.nan : final.reduce(0, +) / Double(final.count)
        stderr(
            "\(student.name) from \(student.teacherName): \(student.iterations) iterations, \(student.outcome.message), "
                + "loss (last 100) \(formatShort(meanLoss)) → \(out)"
        )
        if case .diverged = student.outcome { throw ExitCode(2) }
    }
}

/// `cmlab sample`: multistep consistency sampling from saved noise.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Sample a saved student from noise (as written by `cmlab solve --init-out`, i.e. scaled by sigma_max).")

    @Option(help: "Student .safetensors file.") var student: String
    @Option(help: "Noise .npy of shape [count, dims], already scaled by sigma_max.") var noise: String
    @Option(parsing: .unconditional, help: "Sampling steps K.") var steps: Int = 1
    @Option(parsing: .unconditional, help: "Seed of the re-noising between steps.") var seed: UInt64 = 0
    @Option(help: "Where to write the samples (.npy, float64).") var out: String
    @Flag(help: "Replace an existing output file even when it is not of the kind written.") var force = false

    func run() throws {
        try checkOutput(out, .npy, force: force)
        let s = try ConsistencyStudent.load(from: student)
        let z = try NPY.read(path: noise)
        guard z.shape.count == 2, z.shape[1] == s.dims, z.shape[0] > 0 else {
            throw CLIError("\(noise): shape \(z.shape), the student needs [count, \(s.dims)] with count ≥ 1")
        }
        guard z.values.allSatisfy(\.isFinite) else { throw CLIError("\(noise): contains non-finite values") }
        let x = try s.sample(z.batch, steps: steps, seed: seed)
        try NPY.write(x, to: fileURL(out))
    }
}

func stderr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// Fails early, before hours of training, if `path` cannot be written.
func checkWritable(_ path: String) throws {
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
        throw CLIError("cannot write \(path): folder \(folder) does not exist")
    }
    guard FileManager.default.isWritableFile(atPath: folder) else {
        throw CLIError("cannot write \(path): folder \(folder) is not writable")
    }
}
