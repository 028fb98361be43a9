import Diffusion
import Script
import Tensors

/// A σ grid (Karras or VP).
final class GridObject: MemberTable {
    let grid: SigmaGrid
    init(_ grid: SigmaGrid) { self.grid = grid }

    var typeName: String { "grid" }
    var summary: String { "\(grid)" }
    var typeDoc: String {
        "A decreasing grid of noise levels σ_0 = σ_max > … > σ_{N−1} = σ_min on the VE scale. Solvers take N − 1 "
            + "steps along it."
    }
    var members: [Member] {
        [
            .value("sigmas", "The σ values as a 1-D tensor (decreasing).") { vector(self.grid.sigmas) },
            .value("sigma_max", "The largest σ.") { .number(self.grid.sigmaMax) },
            .value("sigma_min", "The smallest σ.") { .number(self.grid.sigmaMin) },
            .value("n", "Number of levels N.") { .number(Double(self.grid.count)) },
        ]
    }
}

/// An ODE solver: a fixed-step method over a grid, or adaptive RK45.
final class SolverObject: MemberTable {
    let solver: ODESolver
    init(_ solver: ODESolver) { self.solver = solver }

    var typeName: String { "solver" }
    var summary: String { "solver \(solver)" }
    var typeDoc: String {
        "A probability-flow ODE solver from σ_max to σ_min: euler, heun, dpmpp2m or rk4 over a grid, or adaptive "
            + "rk45. Pass it to solve(teacher, solver, x) or distill(teacher, solver, …)."
    }
    var gridSolver: GridSolver? { solver as? GridSolver }
    var members: [Member] {
        [
            .value("name", "The method's name.") {
                .string((self.solver as? GridSolver)?.method.rawValue ?? "rk45")
            },
            .value("grid", "The solver's grid (none for rk45).") {
                (self.solver as? GridSolver).map { .object(GridObject($0.grid)) } ?? .none
            },
            .value("sigma_max", "Where solves start.") { .number(self.solver.sigmaMax) },
            .value("sigma_min", "Where solves end.") { .number(self.solver.sigmaMin) },
        ]
    }
}
