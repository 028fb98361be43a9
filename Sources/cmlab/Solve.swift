import ArgumentParser
import Diffusion
import Foundation
import Tensors

/// `cmlab solve`: the teacher's probability-flow ODE from seeded noise, for batch use.
struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve the teacher's probability-flow ODE from seeded noise and save the states as .npy.",
        discussion: """
            Initial states are x(sigma_max) = sigma_max·z with z ~ N(0, I) drawn from the seed \
            (row i depends only on the seed and i). Output files are float64 .npy of shape [count, dims]; \
            the trajectory is [steps + 1, count, dims].
            """)

    @OptionGroup var teacherOptions: TeacherOptions
    @OptionGroup var solverOptions: SolverOptions
    @Option(parsing: .unconditional, help: "Number of samples.") var count: Int = 1000
    @Option(parsing: .unconditional, help: "Noise seed.") var seed: UInt64 = 0
    @Option(
        name: .customLong("init-out"), parsing: .unconditional, help: "Where to write the initial states x(sigma_max).")
    var initOut: String?
    @Option(parsing: .unconditional, help: "Where to write the final states at sigma_min.") var out: String
    @Option(parsing: .unconditional, help: "Where to write the whole trajectory.") var trajectory: String?

    @Flag(help: "Replace an existing output file even when it is not of the kind written.") var force = false

    func run() throws {
        if let initOut { try checkOutput(initOut, .npy, force: force) }
        try checkOutput(out, .npy, force: force)
        if let trajectory { try checkOutput(trajectory, .npy, force: force) }
        let D = try teacherOptions.teacher()
        let solver = try solverOptions.make()
        let n = try positive(count, "count")
        let z = RNG(seed: seed).normalBatch(count: n, dims: D.dims)
        let x0 = z.map { $0 * solver.sigmaMax }
        let start = Date()
        guard let t = solveTrajectory(D, solver, x0) else {
            throw CLIError("the solve did not finish (step limit reached)")
        }
        let seconds = Date().timeIntervalSince(start)
        if let initOut { try NPY.write(x0, to: fileURL(initOut)) }
        try NPY.write(t.final, to: fileURL(out))
        if let trajectory {
            let s = t.stacked
            try NPY.write(shape: s.shape, values: s.values, dtype: .float64, to: fileURL(trajectory))
        }
        FileHandle.standardError.write(
            Data(
                "solved \(n) × \(D.dims) with \(solver) on \(D.name): \(t.steps) steps in \(String(format: "%.3f", seconds)) s\n"
                    .utf8))
    }
}
