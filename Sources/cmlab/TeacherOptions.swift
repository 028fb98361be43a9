import ArgumentParser
import Datasets
import Diffusion
import Distillation
import Foundation

/// `--data NAME`: which exact teacher to use.
struct TeacherOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Data set of the exact teacher: ring8 or grid25 (mixtures).")
    var data: String = "ring8"
    @Option(
        name: .customLong("teacher"),
        help: "A learned teacher (.safetensors from `cmlab train-teacher`), in place of --data.")
    var teacherPath: String?

    func teacher() throws -> Denoiser { try teacherAndData().teacher }

    /// The teacher and a sampler of its clean data (for distillation).
    func teacherAndData() throws -> (teacher: Denoiser, data: DataSampler) {
        if let teacherPath {
            let learned = try LearnedDenoiser.load(from: teacherPath)
            let toy = try toyData(named: learned.dataName)
            return (learned, { n, rng in toy.sample(count: n, rng: rng) })
        }
        guard let mix = try toyData(named: data) as? GaussianMixture else {
            throw CLIError(
                "\(data) has no exact denoiser; train one with `cmlab train-teacher --data \(data)` and pass --teacher")
        }
        return (mix, { n, rng in mix.sample(count: n, rng: rng) })
    }
}

/// The toy data set `--data NAME` names (``Catalog``).
func toyData(named name: String) throws -> any ToyDistribution {
    guard let toy = try Catalog.toy(named: name) else {
        throw CLIError("unknown data set '\(name)'; expected \(Catalog.toyNames.joined(separator: ", "))")
    }
    return toy
}

/// `--solver`, `--grid`, `--sigma-min`, `--sigma-max`, `--rho`, `--rtol`, `--atol`.
struct SolverOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Solver: euler, heun, dpmpp2m, rk4 or rk45.")
    var solver: String = "heun"
    @Option(parsing: .unconditional, help: "Points of the Karras grid (N − 1 steps from sigma_max to sigma_min).")
    var grid: Int = 40
    @Option(name: .customLong("sigma-min"), parsing: .unconditional, help: "Lowest noise level.")
    var sigmaMin: Double = 0.002
    @Option(name: .customLong("sigma-max"), parsing: .unconditional, help: "Highest noise level.")
    var sigmaMax: Double = 80
    @Option(parsing: .unconditional, help: "Karras grid exponent.")
    var rho: Double = 7
    @Option(parsing: .unconditional, help: "rk45 relative tolerance.")
    var rtol: Double = 1e-6
    @Option(parsing: .unconditional, help: "rk45 absolute tolerance.")
    var atol: Double = 1e-6

    func make() throws -> ODESolver {
        if solver.lowercased() == "rk45" {
            return try RK45Solver(sigmaMax: sigmaMax, sigmaMin: sigmaMin, rtol: rtol, atol: atol)
        }
        let method = try StepMethod(named: solver)
        return GridSolver(method, grid: try SigmaGrid.karras(n: grid, sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho))
    }
}

/// Validates a count given on the command line.
func positive(_ value: Int, _ name: String, max: Int = 100_000_000) throws -> Int {
    guard value > 0 else { throw CLIError("--\(name) must be positive, got \(value)") }
    guard value <= max else { throw CLIError("--\(name) = \(value) is too large (at most \(max))") }
    return value
}

func fileURL(_ path: String) -> URL { URL(fileURLWithPath: path) }
