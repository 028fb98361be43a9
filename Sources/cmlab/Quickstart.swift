import ArgumentParser
import Diffusion
import Foundation
import Tensors

/// The main job until the notebook runner lands: a real ring8 solve and a summary.
struct Quickstart: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Solve ring8 with Heun N = 40 and summarise the result.")

    @Option(parsing: .unconditional, help: "Number of samples.") var count: Int = 10_000
    @Option(parsing: .unconditional, help: "Noise seed.") var seed: UInt64 = 7

    func run() throws {
        let teacher = GaussianMixture.ring8()
        let grid = try SigmaGrid.karras(n: 40)
        let z = RNG(seed: seed).normalBatch(count: try positive(count, "count"), dims: 2).map { $0 * grid.sigmaMax }
        let start = Date()
        let heun = GridSolver(.heun, grid: grid).solve(teacher, z, callback: nil)!
        let elapsed = Date().timeIntervalSince(start)
        let reference = try RK45Solver(rtol: 1e-8, atol: 1e-8).solve(teacher, z, callback: nil)!
        let radius = (0..<heun.count).map { i in hypot(heun.values[2 * i], heun.values[2 * i + 1]) }
        let meanR = radius.reduce(0, +) / Double(radius.count)
        let nll = -teacher.logDensity(heun).reduce(0, +) / Double(heun.count)
        print("ring8, exact teacher, \(GridSolver(.heun, grid: grid)), \(count) samples, seed \(seed)")
        print(String(format: "  solve time            %.3f s", elapsed))
        print(String(format: "  mean radius           %.4f (modes at 1)", meanR))
        print(String(format: "  NLL under ring8       %.4f nats", nll))
        print(String(format: "  MSE vs RK45 (1e-8)    %.3e", heun.meanSquaredDistance(to: reference) / 2))
    }
}
