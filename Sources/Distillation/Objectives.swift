import Diffusion
import Foundation
import Nets
import Tensors

/// Which target a student regresses onto.
public enum Objective: String, Sendable, Codable, CaseIterable {
    /// Consistency distillation: one teacher step, then the target network.
    case cm
    /// Direct CM: the teacher's solve all the way to σ_min.
    case direct

    public init(named name: String) throws(DistillationError) {
        switch name.lowercased() {
        case "cm", "cd", "consistency": self = .cm
        case "direct", "dcm", "direct-cm", "direct_cm": self = .direct
        default: throw DistillationError("unknown objective '\(name)'; expected \"cm\" or \"direct\"")
        }
    }
}

/// **CM** target (Song et al. 2023, Algorithm 2): one teacher solver step from
/// `x_n` at σ_n gives `x̂_{n+1}`; the target is `sg f_{θ⁻}(x̂_{n+1}, σ_{n+1})`.
/// `fTarget` is `f_{θ⁻}`, evaluated without gradients.
public func consistencyTarget(
    teacher: Denoiser, solver: GridSolver, x xn: Batch, n: [Int],
    fTarget: (Batch, [Double]) -> [Float]
) -> [Float] {
    consistencyTarget(teacherStep: solver.step(teacher, xn, at: n), n: n, grid: solver.grid, fTarget: fTarget)
}

/// The CM target from a teacher step already taken (``TargetStream`` shares it between
/// students): `sg f_{θ⁻}(x̂_{n+1}, σ_{n+1})`.
public func consistencyTarget(
    teacherStep xNext: Batch, n: [Int], grid: SigmaGrid,
    fTarget: (Batch, [Double]) -> [Float]
) -> [Float] {
    fTarget(xNext, n.map { grid.sigmas[$0 + 1] })
}

/// **Direct CM** target: `sg Solve(teacher, x_n, σ_n → σ_min)`, the teacher's ODE
/// solution along the rest of the grid (one batched pass; rows join at their own σ_n).
/// ``TargetStream`` computes the same solve once for every student of a stream.
public func directTarget(teacher: Denoiser, solver: GridSolver, x xn: Batch, n: [Int]) -> [Float] {
    (solver.solve(teacher, xn, start: n) ?? xn).values.map(Float.init) // nil only if a callback stops it
}
