import ArgumentParser
import Datasets
import Diffusion
import Distillation
import Foundation
import Plotting
import Tensors

/// `cmlab gallery`: the pictures the workbench draws, from real runs.
struct Gallery: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the plot gallery (trajectories, samples, density, loss curve, image grid) into a folder.")

    @Option(help: "Output folder (created if missing).") var out: String = "gallery"
    @Option(
        help: "A student .safetensors to draw; without it a CM student (μ = 0.95) is distilled for --iters iterations.")
    var student: String?
    @Option(parsing: .unconditional, help: "Iterations of the quick student.") var iters: Int = 1500
    @Option(parsing: .unconditional, help: "Seed.") var seed: UInt64 = 0

    func run() throws {
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let teacher = GaussianMixture.ring8()
        let grid = try SigmaGrid.karras(n: 40)
        let heun = GridSolver(.heun, grid: grid)
        let z = RNG(seed: seed).normalBatch(count: 4000, dims: 2).map { $0 * grid.sigmaMax }
        guard let trajectory = solveTrajectory(teacher, heun, z) else { throw CLIError("solve stopped") }
        let s: ConsistencyStudent
        if let student {
            s = try ConsistencyStudent.load(from: student)
        } else {
            var c = DistillationConfig()
            c.iterations = try positive(iters, "iters"); c.seed = seed; c.emaRate = 0.95
            let bar = ProgressBar(label: "quick CM student")
            s = try distill(
                teacher: teacher, solver: heun, data: { teacher.sample(count: $0, rng: $1) }, config: c,
                progress: bar.update)
            bar.finish()
        }
        let oneStep = try s.sample(z, steps: 1, seed: seed)
        let urls = try renderGallery(
            to: dir, trajectoryStates: trajectory.states, sigmas: trajectory.sigmas,
            teacherSamples: trajectory.final, studentSamples: oneStep, lossCurve: s.lossCurve,
            images: galleryImages(), teacherName: "exact ring8, Heun N = 40",
            studentName: "\(s.name), 1 step")
        for u in urls { print(u.path) }
    }

    /// Images for the grid: 32 Fashion-MNIST test images at 28 × 28 when the data set is
    /// installed (nil, and no image grid, otherwise).
    func galleryImages() -> Tensor? {
        guard FashionMNIST.isAvailable(.test),
            let set = try? FashionMNIST.load(.test, resolution: .full, limit: 32, seed: seed)
        else { return nil }
        return set.images.reshaped([set.count, 28, 28])
    }
}
