import Diffusion
import Distillation
import Foundation
import Script
import Tensors

/// A consistency student (CM or Direct CM).
final class StudentObject: MemberTable {
    let student: ConsistencyStudent
    let context: BindingsContext
    init(_ s: ConsistencyStudent, context: BindingsContext) { student = s; self.context = context }

    var typeName: String { "student" }
    var finalLoss: Double {
        let tail = student.lossCurve.suffix(100)
        return tail.isEmpty ? .nan : tail.reduce(0, +) / Double(tail.count)
    }
    var summary: String {
        let c = student.config
        var s =
            "student \(student.label ?? student.name) (\(student.architecture), \(student.iterations) iterations, "
            + "final loss \(formatShort(finalLoss))"
        if c.objective == .cm { s += ", μ = \(formatShort(c.emaRate))" }
        if c.distance != .l2 { s += ", \(c.distance.rawValue)" }
        if student.outcome != .completed { s += "; \(student.outcome.message)" }
        return s + ")"
    }
    var typeDoc: String {
        "A consistency function f_θ(x, σ) distilled from a teacher. `.sample(x, steps:)` maps noise at σ_max to "
            + "data in K steps."
    }
    var members: [Member] {
        [
            .method(
                "sample",
                """
                Multistep consistency sampling from x at σ_max (noise already scaled by σ_max). Between steps the \
                sample is re-noised: renoise: "fresh" (default; Song et al.'s sampler) adds new noise drawn from \
                seed; renoise: "teacher" re-noises along the teacher's own trajectory from the same x, adding \
                x̂(σ_next) − x̂(σ_min) (the teacher's noise direction at that level), so that an exact student \
                reproduces the teacher's output and the ODE error at K steps measures the student. "teacher" needs \
                teacher: (and solver:, default heun on the student's grid).
                """,
                [
                    .required("x"), .optional("steps", .number(1)), .optional("seed", .number(0)),
                    .optional("renoise", .string("fresh")), .optional("teacher"), .optional("solver"),
                ]
            ) { args in
                let x = try args.points("x", dims: self.student.dims)
                let steps = try args.positiveInt("steps")
                guard try renoiseKinds(args, list: false)[0] == "teacher", steps > 1 else {
                    return try self.student.sample(x, steps: steps, seed: try args.seed()).value
                }
                guard args.isGiven("teacher") else {
                    throw args.error(
                        "renoise: \"teacher\" needs the teacher: s.sample(x, steps: \(steps), "
                            + "renoise: \"teacher\", teacher: t)", at: "renoise")
                }
                let t = try args.object("teacher", as: TeacherObject.self, described: "a teacher")
                let solver: ODESolver =
                    try args.isGiven("solver")
                    ? args.object("solver", as: SolverObject.self, described: "a solver").solver
                    : GridSolver(.heun, grid: self.student.grid)
                try checkComparable(
                    [CompareItem(name: displayName(self.student), source: .students([self.student]))],
                    teacher: t, solver: solver, args)
                try checkRenoiseGrid(solver, self.student, name: "the student", args)
                self.context.cancel.reset()
                let levels = renoiseLevels(levels: self.student.grid.count, steps: [steps])
                guard let run = solveKeeping(t.denoiser, solver, x, levels: levels, cancel: self.context.cancel) else {
                    throw args.error(
                        self.context.cancel.isCancelled
                            ? "sampling interrupted (Ctrl-C)"
                            : "the teacher's solve failed")
                }
                return try self.student.sample(x, steps: steps, renoise: .teacher(states: run.states)).value
            },
            .method("denoise", "f_θ(x, σ) for every row of x.", [.required("x"), .required("sigma")]) { args in
                let x = try args.points("x", dims: self.student.dims)
                let s = try args.number("sigma")
                guard s.isFinite && s > 0 else { throw args.error("sigma must be a positive number", at: "sigma") }
                return self.student.denoise(x, sigma: s).value
            },
            .value("loss_curve", "The loss of every iteration, [iterations].") { vector(self.student.lossCurve) },
            .value("final_loss", "Mean loss of the last 100 iterations.") { .number(self.finalLoss) },
            .value("objective", "\"cm\" or \"direct\".") { .string(self.student.config.objective.rawValue) },
            .value("iterations", "Iterations trained.") { .number(Double(self.student.iterations)) },
            .value("ema", "Target-network rate μ.") { .number(self.student.config.emaRate) },
            .value("grid", "The teacher's grid it was trained on.") { .object(GridObject(self.student.grid)) },
            .value("outcome", "How training ended.") { .string(self.student.outcome.message) },
            .value(
                "name",
                """
                The name given to distill or load (name:), else "CM" or "Direct CM". Tables label an \
                unnamed student with its settings too ("CM μ=0.95").
                """
            ) { .string(self.student.label ?? self.student.name) },
            .value("snapshots", "Copies kept during training (distill(…, snapshots: [...])), in order.") {
                .list(self.student.snapshots.map { .object(StudentObject($0, context: self.context)) })
            },
            .method("save", "Saves weights and config as .safetensors (atomically).", [.required("path")]) { args in
                let url = try self.context.resolveWritePath(try args.string("path"))
                try self.student.save(to: url.path)
                return .string(url.path)
            },
        ]
    }
}
