import Diffusion
import Distillation
import Foundation
import Nets
import Script
import Tensors

/// `solve` and `distill`.
func registerTraining(_ r: Registry, _ ctx: BindingsContext) {
    r.register(name: "solve", doc: """
        Solves the probability-flow ODE dx/dσ = (x − D(x; σ))/σ from x at σ_max down to σ_min and returns the \
        trajectory (.final, .states, .sigmas, .denoised). The denoiser may be a teacher or a student. Ctrl-C stops it.
        """, parameters: [.required("teacher"), .required("solver"), .required("x")]) { a in try solve(a, ctx) }

    // The defaults are DistillationConfig's, so the language and `cmlab distill` agree.
    let d = DistillationConfig()
    r.register(name: "distill", doc: """
        Distils a teacher into a consistency student. objective "cm": one teacher step then the target network \
        f_θ⁻ (ema μ: 0 is the online weights under stop-gradient, as the paper's code; 0.95 the original CM \
        paper). objective "direct": regress onto the teacher's solve all the way to σ_min. distance: "l2" \
        (squared), "l1" or "huber" (pseudo-Huber with huber_c). init: "teacher" starts F_θ from the teacher \
        network's weights (as the paper's students start from the teacher), "random" from a fresh MLP of width × \
        depth; "auto" is "teacher" for image (U-Net) teachers and "random" otherwise. snapshots: iteration counts \
        at which a copy is kept (student.snapshots), to measure several training budgets in one run. name: what \
        tables and legends call the student (default "CM", "CM μ=0.95", "Direct CM" …). Ctrl-C stops and keeps \
        the weights; a non-finite loss stops with the last good weights.
        """, parameters: [
            .required("teacher"), .required("solver"), .optional("objective", .string(d.objective.rawValue)),
            .optional("iters", .number(Double(d.iterations))), .optional("batch", .number(Double(d.batchSize))),
            .optional("lr", .number(d.learningRate)), .optional("ema", .number(d.emaRate)),
            .optional("distance", .string(d.distance)), .optional("huber_c", d.huberC.map { .number($0) } ?? .none),
            .optional("seed", .number(Double(d.seed))), .optional("width", .number(Double(d.width))),
            .optional("depth", .number(Double(d.depth))), .optional("init", .string("auto")),
            .optional("snapshots", .list(d.snapshots.map { .number(Double($0)) })), .optional("name"),
        ]) { a in try distill(a, ctx) }
}

/// `solve(teacher, solver, x)`: the trajectory, with progress in log σ.
private func solve(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let D = try denoiser(a, "teacher")
    let solver = try a.object("solver", as: SolverObject.self, described: "a solver (e.g. heun(karras(n: 40)))").solver
    let x = try a.points("x", dims: D.dims)
    let total = log(solver.sigmaMax / solver.sigmaMin)
    var lastReport = 0.0
    var trajectory = Trajectory(sigmas: [solver.sigmaMax], states: [x], denoised: [])
    let done = solver.solve(D, x) { info in
        trajectory.sigmas.append(info.sigmaNext)
        trajectory.states.append(info.xNext)
        trajectory.denoised.append(info.denoised)
        let f = log(solver.sigmaMax / info.sigmaNext) / total
        if f - lastReport > 0.02 || f >= 1 {
            ctx.progress("solve", f, "σ = \(formatShort(info.sigmaNext))")
            lastReport = f
        }
        return !ctx.cancel.isCancelled
    }
    guard done != nil else {
        throw a.error(ctx.cancel.isCancelled ? "solve interrupted (Ctrl-C) after \(trajectory.steps) steps"
                                             : "the solver gave up (step limit)")
    }
    return .object(TrajectoryObject(trajectory, label: "\(D.name), \(solver)"))
}

/// `distill(teacher, solver, …)`: the arguments checked into a DistillationConfig, then the trainer.
private func distill(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let teacher = try a.object("teacher", as: TeacherObject.self, described: "a teacher (exact(data) or learned(data))")
    let solverObject = try a.object("solver", as: SolverObject.self,
                                    described: "a solver over a grid (e.g. heun(karras(n: 40)))")
    guard let solver = solverObject.gridSolver else {
        throw a.error("distillation steps along a grid: use euler, heun, dpmpp2m or rk4, not rk45", at: "solver")
    }
    guard teacher.denoiser.dims == teacher.data.dims else { throw a.error("teacher and data dimensions differ") }
    var c = DistillationConfig()
    c.objective = try Objective(named: try a.choice("objective", ["cm", "direct"]))
    c.iterations = try a.count("iters", limit: Sizes.maxIterations)
    c.batchSize = try a.count("batch")
    c.learningRate = try a.number("lr")
    c.emaRate = try a.number("ema")
    c.distance = try a.choice("distance", ["l2", "l1", "huber"])
    c.huberC = try a.optionalNumber("huber_c")
    c.seed = try a.seed()
    c.width = try a.count("width", limit: Sizes.maxWidth)
    c.depth = try a.count("depth", limit: Sizes.maxDepth)
    try a.checkShape([c.batchSize, c.width], at: "batch")   // activations per layer
    c.snapshots = try a.numbers("snapshots").map { v -> Int in
        guard v == v.rounded(), v >= 1, v <= Double(c.iterations) else {
            throw a.error("snapshots must be whole iteration counts in 1 … iters, got \(formatShort(v))",
                          at: "snapshots")
        }
        return Int(v)
    }
    try c.validate()
    let initial = try initialNetwork(a, teacher)
    let label = c.objective == .cm ? "CM" : "Direct CM"
    let data = teacher.data
    let s = try Distillation.distill(teacher: teacher.denoiser, solver: solver, data: { data.sample($0, rng: $1) },
                                     config: c, initialNetwork: initial, cancel: ctx.cancel) { p in
        let detail = "loss \(formatShort(p.loss))  \(String(format: "%.1f", p.iterationsPerSecond)) it/s"
        ctx.progress(label, Double(p.iteration) / Double(p.iterations), detail)
    }
    if a.isGiven("name") {
        s.label = try a.string("name")
        for snap in s.snapshots { snap.label = "\(s.label ?? label) @\(snap.iterations)" }
    }
    if s.outcome != .completed { a.interpreter.output("note: \(label): \(s.outcome.message)") }
    return .object(StudentObject(s, context: ctx))
}

/// The network a student starts from (`init:`), or nil for a fresh MLP.
private func initialNetwork(_ a: Arguments, _ teacher: TeacherObject) throws -> (any ConditionalNetwork)? {
    let initial: (any ConditionalNetwork)?
    switch try a.choice("init", ["auto", "teacher", "random"]) {
    case "teacher":
        guard let n = teacher.network else {
            throw a.error("an \(teacher.kind) teacher has no network to start from; use init: \"random\"", at: "init")
        }
        initial = n
    case "random":
        guard teacher.data.imageSide == nil else {
            throw a.error("image students start from the teacher's U-Net (init: \"teacher\")", at: "init")
        }
        initial = nil
    default: initial = teacher.denoiser is ImageDenoiser ? teacher.network : nil
    }
    if initial == nil && teacher.data.imageSide != nil {
        throw a.error("an image student needs a U-Net to start from: distil from learned(images)", at: "teacher")
    }
    return initial
}

/// A teacher or a student, as a denoiser.
func denoiser(_ a: Arguments, _ name: String) throws -> Denoiser {
    if case .object(let o) = a[name] {
        if let t = o as? TeacherObject { return t.denoiser }
        if let s = o as? StudentObject { return s.student }
    }
    throw a.error("expected a teacher or a student for '\(name)', got \(a[name].typeName)", at: name)
}
