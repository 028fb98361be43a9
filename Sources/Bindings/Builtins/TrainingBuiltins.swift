import Diffusion
import Distillation
import Foundation
import Nets
import Script
import Tensors

/// `solve` and `distill`.
func registerTraining(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "solve",
        doc: """
            Solves the probability-flow ODE dx/dσ = (x − D(x; σ))/σ from x at σ_max down to σ_min and returns the \
            trajectory (.final, .states, .sigmas, .denoised). The denoiser may be a teacher or a student. Ctrl-C stops \
            it.
            """, parameters: [.required("teacher"), .required("solver"), .required("x")]
    ) { a in try solve(a, ctx) }

    // The defaults are DistillationConfig's, so the language and `cmlab distill` agree.
    let d = DistillationConfig()
    r.register(
        name: "distill",
        doc: """
            Distils a teacher into a consistency student. objective "cm": one teacher step then the target network \
            f_θ⁻ (ema μ: 0 is the online weights under stop-gradient, as the paper's code; 0.95 the original CM \
            paper). objective "direct": regress onto the teacher's solve all the way to σ_min. distance: "l2" \
            (squared), "l1" or "huber" (pseudo-Huber with huber_c). init: "teacher" starts F_θ from the teacher \
            network's weights (as the paper's students start from the teacher), "random" from a fresh MLP of width × \
            depth; "auto" is "teacher" for image (U-Net) teachers and "random" otherwise. snapshots: iteration counts \
            at which a copy is kept (student.snapshots), to measure several training budgets in one run. name: what \
            tables and legends call the student (default "CM", "CM μ=0.95", "Direct CM" …). Ctrl-C stops and keeps the \
            weights; a non-finite loss stops with the last good weights. Several students at once: give a list for any \
            of objective, ema, distance, huber_c, lr and name (lists of one length; a single value is shared), e.g. \
            distill(teacher, solver, objective: ["cm", "cm", "direct"], ema: [0, 0.95, 0]). They share the seed, so \
            they draw the same batches, and train in lock-step from one stream of teacher targets: the teacher's step \
            and solve are computed once for all of them (a Direct CM solve's first step is the CM target's step). Each \
            student is bit for bit the one trained alone; the result is a list of students, in order. A list of seeds, \
            e.g. seed: [0, 1], trains the same students once per seed and returns one result per seed, in order: \
            result[i] is what seed: seeds[i] alone returns. targets: a file name, e.g. "fashion_targets": the \
            teacher's steps and solves of each seed's stream are saved to NAME_seed<seed>.targets and read back by \
            later runs with the same teacher, solver, data, seed and batch (any students, rates, learning rates or \
            distances), instead of asking the teacher again; each entry is checked against its batch, and the first \
            teacher batch of iterations recomputed, bit for bit; what fails is recomputed.
            """,
        parameters: [
            .required("teacher"), .required("solver"), .optional("objective", .string(d.objective.rawValue)),
            .optional("iters", .number(Double(d.iterations))), .optional("batch", .number(Double(d.batchSize))),
            .optional("lr", .number(d.learningRate)), .optional("ema", .number(d.emaRate)),
            .optional("distance", .string(d.distance.rawValue)),
            .optional("huber_c", d.huberC.map { .number($0) } ?? .none),
            .optional("seed", .number(Double(d.seed))), .optional("width", .number(Double(d.width))),
            .optional("depth", .number(Double(d.depth))), .optional("init", .string("auto")),
            .optional("snapshots", .list(d.snapshots.map { .number(Double($0)) })), .optional("name"),
            .optional("targets"),
        ]
    ) { a in try distill(a, ctx) }
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
        throw a.error(
            ctx.cancel.isCancelled
                ? "solve interrupted (Ctrl-C) after \(trajectory.steps) steps"
                : "the solver gave up (step limit)")
    }
    return .object(TrajectoryObject(trajectory, label: "\(D.name), \(solver)", imageSide: imageSide(of: a["teacher"])))
}

/// The side of the square images a teacher's data set holds, or of a student's U-Net
/// input; nil for a model of points.
private func imageSide(of model: Value) -> Int? {
    guard case .object(let o) = model else { return nil }
    if let t = o as? TeacherObject { return t.data.imageSide }
    if let s = o as? StudentObject, let u = s.student.network as? UNet, u.configuration.height == u.configuration.width
    {
        return u.configuration.height
    }
    return nil
}

/// The arguments of `distill` that may hold one value per student.
private let perStudent = ["objective", "ema", "distance", "huber_c", "lr", "name"]

/// `distill(teacher, solver, …)`: the arguments checked into one DistillationConfig per
/// student, then the trainer (one stream shared by all of them).
private func distill(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let teacher = try a.object("teacher", as: TeacherObject.self, described: "a teacher (exact(data) or learned(data))")
    let solverObject = try a.object(
        "solver", as: SolverObject.self,
        described: "a solver over a grid (e.g. heun(karras(n: 40)))")
    guard let solver = solverObject.gridSolver else {
        throw a.error("distillation steps along a grid: use euler, heun, dpmpp2m or rk4, not rk45", at: "solver")
    }
    guard teacher.denoiser.dims == teacher.data.dims else { throw a.error("teacher and data dimensions differ") }
    let lists = perStudent.filter { if case .list = a[$0] { return true } else { return false } }
    let count =
        try lists.reduce(into: Int?.none) { count, name in
            let k = try a.list(name).count
            guard k >= 1 else { throw a.error("'\(name)' lists no students", at: name) }
            if let c = count, c != k {
                throw a.error(
                    "'\(name)' lists \(k) students, but '\(lists[0])' lists \(c): "
                        + "give one value per student, or one for all",
                    at: name)
            }
            count = k
        } ?? 1
    // A list of seeds: the same students once per seed, one seed's stream after the other.
    let seedList: [Arguments], seedsListed: Bool
    if case .list = a["seed"] {
        seedsListed = true
        let items = try a.list("seed")
        guard !items.isEmpty else { throw a.error("'seed' lists no seeds", at: "seed") }
        seedList = items.map { a.replacing("seed", with: $0) }
    } else {
        seedList = [a]; seedsListed = false
    }
    let each = try seedList.map { a in
        try (0..<count).map { i in try lists.reduce(a) { b, name in b.replacing(name, with: try a.list(name)[i]) } }
    }
    let configs = try each.map { try $0.map { try config($0) } }
    let initial = try initialNetwork(a, teacher)
    let labels = configs[0].map { $0.objective == .cm ? "CM" : "Direct CM" }
    let data = teacher.data
    let title = count == 1 ? labels[0] : "\(count) students"
    // targets: one file per seed, NAME_seed<seed>.targets in the session's folder.
    let targetFiles = try configs.map { group -> TargetCache? in
        guard a.isGiven("targets") else { return nil }
        var base = try a.string("targets")
        if base.hasSuffix(".targets") { base.removeLast(".targets".count) }
        guard !base.isEmpty else { throw a.error("targets: give a file name, e.g. \"fashion_targets\"", at: "targets") }
        let url = try ctx.resolveWritePath("\(base)_seed\(group[0].seed).targets")
        do { return try TargetCache(url: url, for: group, dims: teacher.denoiser.dims) } catch let error
            as DistillationError
        { throw a.error(error.message, at: "targets") }
    }
    let trained = try configs.enumerated().map { s, group in
        let run = try Distillation.distillTogether(
            teacher: teacher.denoiser, solver: solver, data: { data.sample($0, rng: $1) },
            configs: group, initialNetwork: initial, targets: targetFiles[s],
            cancel: ctx.cancel
        ) { i, p in
            guard i == 0 else { return }
            let seed = seedList.count > 1 ? " (seed \(s + 1) of \(seedList.count))" : ""
            let detail = "loss \(formatShort(p.loss))  \(String(format: "%.1f", p.iterationsPerSecond)) it/s"
            ctx.progress(title + seed, Double(p.iteration) / Double(p.iterations), detail)
        }
        if let note = run.targetsNote { a.interpreter.output(note) }
        return run
    }
    let perSeed = try zip(each, trained).map { each, group -> Value in
        let students = try zip(each, group.students).enumerated().map { i, pair in
            let (b, s) = pair
            if b.isGiven("name") {
                s.label = try b.string("name")
                for snap in s.snapshots { snap.label = "\(s.label ?? labels[i]) @\(snap.iterations)" }
            }
            if s.outcome != .completed {
                a.interpreter.output(
                    "note: \(s.label ?? labels[i])\(seedList.count > 1 ? " (seed \(s.config.seed))" : ""): "
                        + s.outcome.message
                )
            }
            return Value.object(StudentObject(s, context: ctx))
        }
        return lists.isEmpty ? students[0] : .list(students)
    }
    return seedsListed ? .list(perSeed) : perSeed[0]
}

/// One student's DistillationConfig from its arguments.
private func config(_ a: Arguments) throws -> DistillationConfig {
    var c = DistillationConfig()
    c.objective = try Objective(named: try a.choice("objective", ["cm", "direct"]))
    c.iterations = try a.count("iters", limit: Sizes.maxIterations)
    c.batchSize = try a.count("batch")
    c.learningRate = try a.number("lr")
    c.emaRate = try a.number("ema")
    c.distance = try DistanceKind(named: try a.choice("distance", DistanceKind.allCases.map(\.rawValue)))
    c.huberC = try a.optionalNumber("huber_c")
    c.seed = try a.seed()
    c.width = try a.count("width", limit: Sizes.maxWidth)
    c.depth = try a.count("depth", limit: Sizes.maxDepth)
    try a.checkShape([c.batchSize, c.width], at: "batch") // activations per layer
    c.snapshots = try a.numbers("snapshots").map { v -> Int in
        guard v == v.rounded(), v >= 1, v <= Double(c.iterations) else {
            throw a.error(
                "snapshots must be whole iteration counts in 1 … iters, got \(formatShort(v))",
                at: "snapshots")
        }
        return Int(v)
    }
    try c.validate()
    return c
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
    default: initial = (teacher.denoiser as? LearnedDenoiser)?.unet != nil ? teacher.network : nil
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
