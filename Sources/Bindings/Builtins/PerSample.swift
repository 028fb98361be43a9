import Datasets
import Diffusion
import Distillation
import Foundation
import Metrics
import Nets
import Script
import Tensors

/// Per-sample questions: `mode_of` (which mode a sample belongs to) and `per_sample`
/// (one row per initial noise: where the teacher and the student send it, and how far apart).
func registerPerSample(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "mode_of",
        doc: """
            The mode each row of x belongs to, as a 1-D tensor of indices. data: a mixture (ring, gridmix, or one \
            embedded with embed) gives the nearest component k, minimising ‖x − μ_k‖/s_k (in the component's own \
            stds; every sample gets one, however far); a classifier (classifier(data)) gives the class it predicts \
            for image rows. Masks follow: z[mode_of(samples, data) == 3] is the noise whose sample lies in mode 3.
            """, parameters: [.required("x"), .required("data")]
    ) { a in
        let by = try modeSource(a, "data")
        return vector(try by.modes(try a.points("x", dims: by.dims)).map(Double.init))
    }
    r.register(
        name: "per_sample",
        doc: """
            One row per initial noise (a table): noise (the row index of noise), teacher_mode and student_mode (the \
            mode the teacher's solve and the student's K-step sample reach, as mode_of), same_mode (1 or 0), error \
            (‖student − teacher‖²/d, the per-sample ODE error) and data_distance (‖D(x; σ) − x‖²/d of the student's \
            sample with the teacher's denoiser at sigma, as data_distance). noise: a tensor x(σ_max), row i the same \
            noise for both. The modes come from the teacher's data when it is a mixture, or from classifier: for \
            images; without either the mode columns are left out. solver defaults to heun on the student's grid; \
            renoise ("fresh" or "teacher") and seed as in student.sample. Mode agreement: \
            mean(t.column("same_mode")); the basin picture: scatter(noise, color_by: t.column("student_mode")) or one \
            scatter per mode with masks.
            """,
        parameters: [
            .required("student"), .optional("teacher"), .required("noise"), .optional("steps", .number(1)),
            .optional("solver"), .optional("renoise", .string("fresh")), .optional("seed", .number(0)),
            .optional("classifier"), .optional("sigma", .number(0.1)),
        ]
    ) { a in
        try perSample(a, ctx)
    }
}

/// Where modes come from: a mixture's components or a classifier's classes.
struct ModeSource {
    let dims: Int
    let modes: (Batch) throws -> [Int]
}

/// `name` as a mode source: a data set with modes, or a classifier.
func modeSource(_ a: Arguments, _ name: String) throws -> ModeSource {
    if case .object(let o as ClassifierObject) = a[name] {
        return ModeSource(dims: o.classifier.inputDims) { x in o.classifier.predictedClasses(x.tensor) }
    }
    let d = try a.object(name, as: DataObject.self, described: "a mixture (ring(), gridmix()) or a classifier")
    guard let source = ModeSource(d) else {
        throw a.error(
            "\(d.name) has no modes; mode_of needs a mixture (ring(), gridmix()) or a classifier for "
                + "images", at: name)
    }
    return source
}

extension ModeSource {
    /// The nearest mixture component, for a data set with modes; nil for one without.
    init?(_ d: DataObject) {
        guard let toy = d.toy, let means = toy.modes, let stds = toy.modeStds else { return nil }
        self.init(dims: toy.dims) { x in try nearestMode(x, modes: means, stds: stds) }
    }
}

/// `per_sample(student, teacher:, noise:, …)`: the teacher's and the student's outcome for
/// every initial noise.
private func perSample(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let s = try a.object("student", as: StudentObject.self, described: "a student").student
    guard a.isGiven("teacher") else {
        throw a.error("per_sample needs the teacher: per_sample(student, teacher: t, noise: z)", at: "teacher")
    }
    let teacher = try a.object("teacher", as: TeacherObject.self, described: "a teacher")
    let x = try a.points("noise", dims: teacher.denoiser.dims)
    guard s.dims == teacher.denoiser.dims else {
        throw a.error("the student has \(s.dims) dims, the teacher \(teacher.denoiser.dims)", at: "student")
    }
    let solver: ODESolver =
        try a.isGiven("solver")
        ? a.object("solver", as: SolverObject.self, described: "a solver").solver : GridSolver(.heun, grid: s.grid)
    try checkComparable(
        [CompareItem(name: displayName(s), source: .students([s]))], teacher: teacher, solver: solver, a)
    let steps = try a.positiveInt("steps")
    guard steps <= s.grid.count else {
        throw a.error("steps = \(steps) exceeds the \(s.grid.count) levels of the student's grid", at: "steps")
    }
    let kind = try renoiseKinds(a, list: false)[0]
    let sigma = try a.number("sigma")
    guard sigma.isFinite && sigma > 0 else { throw a.error("sigma must be a positive number", at: "sigma") }
    var source: ModeSource? = nil
    if a.isGiven("classifier") { source = try modeSource(a, "classifier") } else { source = ModeSource(teacher.data) }
    if let source, source.dims != x.dims {
        throw a.error("the classifier reads \(source.dims) values per row, the noise has \(x.dims)", at: "classifier")
    }

    ctx.cancel.reset()
    let teacherRun: (final: Batch, states: [Int: Batch])?
    if kind == "teacher" && steps > 1 {
        try checkRenoiseGrid(solver, s, name: "the student", a)
        teacherRun = solveKeeping(
            teacher.denoiser, solver, x, levels: renoiseLevels(levels: s.grid.count, steps: [steps]),
            cancel: ctx.cancel)
    } else {
        teacherRun = solver.solve(teacher.denoiser, x, callback: { _ in !ctx.cancel.isCancelled }).map { ($0, [:]) }
    }
    guard let teacherRun else {
        throw a.error(ctx.cancel.isCancelled ? "per_sample interrupted (Ctrl-C)" : "the teacher's solve failed")
    }
    ctx.progress("per_sample", 0.5, "student")
    let renoise: Renoising = kind == "teacher" ? .teacher(states: teacherRun.states) : .fresh(seed: try a.seed())
    let y = try s.sample(x, steps: steps, renoise: renoise)
    let error = try odeError(student: y, teacher: teacherRun.final).perSample
    let distance = try dataDistance(y, teacher: teacher.denoiser, sigma: sigma).correction

    var columns = ["noise"]
    var cells: [[ResultTable.Cell]] = (0..<x.count).map { [.number(Double($0))] }
    if let source {
        let tm = try source.modes(teacherRun.final), sm = try source.modes(y)
        columns += ["teacher_mode", "student_mode", "same_mode"]
        for i in cells.indices {
            cells[i] += [.number(Double(tm[i])), .number(Double(sm[i])), .number(tm[i] == sm[i] ? 1 : 0)]
        }
    }
    columns += ["error", "data_distance"]
    for i in cells.indices { cells[i] += [.number(error[i]), .number(distance[i])] }
    var table = ResultTable(columns: columns, rows: cells)
    table.notes.append(
        "\(displayName(s)), \(steps) step\(steps == 1 ? "" : "s")"
            + (steps > 1 ? ", re-noised \(kind == "teacher" ? "along the teacher" : "fresh")" : "")
            + "; teacher \(solverName(solver)); error and data_distance per element (÷ \(x.dims))")
    ctx.progress("per_sample", 1, "")
    return .object(TableObject(table, context: ctx))
}
