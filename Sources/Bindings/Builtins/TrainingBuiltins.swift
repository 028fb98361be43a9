import Diffusion
import Distillation
import Foundation
import Nets
import Script
import Tensors

/// `solve` and `distill`.
func registerTraining(_ r: Registry, _ ctx: BindingsContext) {
    r.register(name: "solve", signature: "solve(teacher, solver, x)",
               doc: "Solves the probability-flow ODE dx/dσ = (x − D(x; σ))/σ from x at σ_max down to σ_min and returns the trajectory (.final, .states, .sigmas, .denoised). The denoiser may be a teacher or a student. Ctrl-C stops it.",
               parameters: [.required("teacher"), .required("solver"), .required("x")]) { a in
        let D = try denoiser(a, "teacher")
        let solver = try a.object("solver", as: SolverObject.self, described: "a solver (e.g. heun(karras(n: 40)))").solver
        let x = try a.points("x", dims: D.dims)
        ctx.cancel.reset()
        let total = log(solver.sigmaMax / solver.sigmaMin)
        var lastReport = 0.0
        var trajectory = Trajectory(sigmas: [solver.sigmaMax], states: [x], denoised: [])
        let done = solver.solve(D, x) { info in
            trajectory.sigmas.append(info.sigmaNext)
            trajectory.states.append(info.xNext)
            trajectory.denoised.append(info.denoised)
            let f = log(solver.sigmaMax / info.sigmaNext) / total
            if f - lastReport > 0.02 || f >= 1 { ctx.progress("solve", f, "σ = \(formatShort(info.sigmaNext))"); lastReport = f }
            return !ctx.cancel.isCancelled
        }
        guard done != nil else {
            throw a.error(ctx.cancel.isCancelled ? "solve interrupted (Ctrl-C) after \(trajectory.steps) steps" : "the solver gave up (step limit)")
        }
        return .object(TrajectoryObject(trajectory, label: "\(D.name), \(solver)"))
    }

    r.register(name: "distill",
               signature: "distill(teacher, solver, objective: \"cm\", iters: 4000, batch: 512, lr: 0.001, ema: 0, distance: \"l2\", huber_c: none, seed: 0, width: 256, depth: 4, init: \"auto\", snapshots: [])",
               doc: "Distils a teacher into a consistency student. objective \"cm\": one teacher step then the target network f_θ⁻ (ema μ: 0 is the online weights under stop-gradient, as the paper's code; 0.95 the original CM paper). objective \"direct\": regress onto the teacher's solve all the way to σ_min. distance: \"l2\" (squared), \"l1\" or \"huber\" (pseudo-Huber with huber_c). init: \"teacher\" starts F_θ from the teacher network's weights (as the paper's students start from the teacher), \"random\" from a fresh MLP of width × depth; \"auto\" is \"teacher\" for image (U-Net) teachers and \"random\" otherwise. snapshots: iteration counts at which a copy is kept (student.snapshots), to measure several training budgets in one run. Ctrl-C stops and keeps the weights; a non-finite loss stops with the last good weights.",
               parameters: [.required("teacher"), .required("solver"), .optional("objective", .string("cm")), .optional("iters", .number(4000)),
                            .optional("batch", .number(512)), .optional("lr", .number(1e-3)), .optional("ema", .number(0)),
                            .optional("distance", .string("l2")), .optional("huber_c", .none), .optional("seed", .number(0)),
                            .optional("width", .number(256)), .optional("depth", .number(4)), .optional("init", .string("auto")), .optional("snapshots", .list([]))]) { a in
        let teacher = try a.object("teacher", as: TeacherObject.self, described: "a teacher (exact(data) or learned(data))")
        let solverObject = try a.object("solver", as: SolverObject.self, described: "a solver over a grid (e.g. heun(karras(n: 40)))")
        guard let solver = solverObject.gridSolver else {
            throw a.error("distillation steps along a grid: use euler, heun, dpmpp2m or rk4, not rk45", at: "solver")
        }
        guard teacher.denoiser.dims == teacher.data.dims else { throw a.error("teacher and data dimensions differ") }
        var c = DistillationConfig()
        c.objective = try Objective(named: try a.choice("objective", ["cm", "direct"]))
        c.iterations = try a.positiveInt("iters")
        c.batchSize = try a.positiveInt("batch")
        c.learningRate = try a.number("lr")
        c.emaRate = try a.number("ema")
        c.distance = try a.choice("distance", ["l2", "l1", "huber"])
        c.huberC = try a.optionalNumber("huber_c")
        c.seed = try a.seed()
        c.width = try a.positiveInt("width")
        c.depth = try a.positiveInt("depth")
        c.snapshots = try a.numbers("snapshots").map { v -> Int in
            guard v == v.rounded(), v >= 1, v <= Double(c.iterations) else { throw a.error("snapshots must be whole iteration counts in 1 … iters, got \(formatShort(v))", at: "snapshots") }
            return Int(v)
        }
        try c.validate()
        let initial: (any ConditionalNetwork)?
        switch try a.choice("init", ["auto", "teacher", "random"]) {
        case "teacher":
            guard let n = teacher.network else { throw a.error("an \(teacher.kind) teacher has no network to start from; use init: \"random\"", at: "init") }
            initial = n
        case "random":
            guard teacher.data.imageSide == nil else { throw a.error("image students start from the teacher's U-Net (init: \"teacher\")", at: "init") }
            initial = nil
        default: initial = teacher.denoiser is ImageDenoiser ? teacher.network : nil
        }
        if initial == nil && teacher.data.imageSide != nil {
            throw a.error("an image student needs a U-Net to start from: distil from learned(images)", at: "teacher")
        }
        ctx.cancel.reset()
        let label = c.objective == .cm ? "CM" : "Direct CM"
        let s = try distill(teacher: teacher.denoiser, solver: solver, data: { teacher.data.sample($0, rng: $1) }, config: c,
                            initialNetwork: initial, cancel: ctx.cancel) { p in
            ctx.progress(label, Double(p.iteration) / Double(p.iterations), "loss \(formatShort(p.loss))  \(String(format: "%.1f", p.iterationsPerSecond)) it/s")
        }
        if s.outcome != .completed { a.interpreter.output("note: \(label): \(s.outcome.message)") }
        return .object(StudentObject(s, context: ctx))
    }
}

/// A teacher or a student, as a denoiser.
func denoiser(_ a: Arguments, _ name: String) throws -> Denoiser {
    if case .object(let o) = a[name] {
        if let t = o as? TeacherObject { return t.denoiser }
        if let s = o as? StudentObject { return s.student }
    }
    throw a.error("expected a teacher or a student for '\(name)', got \(a[name].typeName)", at: name)
}
