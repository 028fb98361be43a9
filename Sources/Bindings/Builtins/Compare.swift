import Datasets
import Diffusion
import Distillation
import Foundation
import Metrics
import Script
import Tensors

/// `compare`: students × sampling steps × metrics, with the teacher and the data as
/// reference rows, mean ± spread over seeds (and over replicate students).
func registerCompare(_ r: Registry, _ ctx: BindingsContext) {
    r.register(name: "compare", doc: """
        Measures students against the teacher's solver from the same initial noise. students: a list whose items \
        are students or lists of replicate students (e.g. one per training seed; their spread joins the seeds'). \
        noise: a tensor x(σ_max) used for every seed, or a count drawn per seed as noise(count, seed: s)·σ_max. \
        For each seed the teacher solves once; each student samples at every K in steps. Metrics: ode_error (vs \
        the teacher's output), nll (exact density), swd, mmd, energy (vs fresh data samples), coverage and modes \
        (mixtures); with features: a classifier, also fd, precision and recall in its feature space (vs fresh \
        data). Sample-quality metrics compare against fresh samples of the teacher's data, or of reference: (e.g. \
        a held-out set). The teacher and an independent sample of the teacher's data appear as reference rows \
        (the data row is the floor). Returns a table.
        """, parameters: [
            .required("students"), .optional("teacher"), .optional("solver"), .optional("noise", .number(10000)),
            .optional("steps", .list([.number(1), .number(2), .number(4)])), .optional("seeds", .list([.number(0)])),
            .optional("metrics", .list(["ode_error", "nll", "swd", "coverage"].map { .string($0) })),
            .optional("features"), .optional("reference"),
        ]) { a in try compare(a, ctx) }
}

/// `compare(students, …)`: every student at every K, every metric, over seeds.
private func compare(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let groups = try studentGroups(a)
    let first = groups.first?.members.first
    let teacher = try a.isGiven("teacher") ? a.object("teacher", as: TeacherObject.self, described: "a teacher") : nil
    guard let teacher else {
        throw a.error("compare needs the teacher: compare(students, teacher: t, solver: s)", at: "teacher")
    }
    let solver: ODESolver
    if a.isGiven("solver") { solver = try a.object("solver", as: SolverObject.self, described: "a solver").solver }
    else if let first { solver = GridSolver(.heun, grid: first.grid) }
    else {
        throw a.error("with no students, give the teacher's solver: compare([], teacher: t, solver: s)", at: "solver")
    }
    let steps = try a.numbers("steps").map { k -> Int in
        guard k >= 1, k == k.rounded(), k <= 1000 else {
            throw a.error("steps must be whole numbers from 1 to 1000, got \(formatShort(k))", at: "steps")
        }
        return Int(k)
    }
    let seeds = try a.numbers("seeds").map { s -> UInt64 in
        guard s >= 0, s == s.rounded(), s < 9e15 else { throw a.error("seeds must be whole numbers ≥ 0", at: "seeds") }
        return UInt64(s)
    }
    guard !steps.isEmpty, !seeds.isEmpty else { throw a.error("steps and seeds must not be empty") }
    let known = ["ode_error", "nll", "swd", "mmd", "energy", "coverage", "fd", "precision", "recall"]
    let features = try featureMap(a)
    let metrics = try a.list("metrics").map { v -> String in
        guard case .string(let s) = v, known.contains(s) else {
            throw a.error("unknown metric \(v.repr); known: \(known.joined(separator: ", "))", at: "metrics")
        }
        return s
    }
    let dims = teacher.denoiser.dims
    for g in groups {
        for s in g.members where s.dims != dims {
            throw a.error("\(g.name) has \(s.dims) dims, the teacher \(dims)", at: "students")
        }
    }

    // Initial noise per seed.
    func initial(_ seed: UInt64) throws -> Batch {
        if case .tensor = a["noise"] { return try a.points("noise", dims: dims) }
        let n = try a.count("noise")
        try a.checkShape([n, dims], at: "noise", bytesPerElement: 8)
        return RNG(seed: seed).normalBatch(count: n, dims: dims).map { $0 * solver.sigmaMax }
    }
    let toy = teacher.data.toy
    let hasDensity = toy.map { $0.exactLogDensity(Batch(count: 1, dims: dims)) != nil } ?? false
    let hasModes = toy?.modes != nil
    var columns = ["model", "steps"]
    for m in metrics {
        if m == "nll" && !hasDensity { continue }
        if m == "coverage" { if hasModes { columns += ["coverage", "modes"] }; continue }
        if ["fd", "precision", "recall"].contains(m) && features == nil {
            throw a.error("metric \(m) needs features: a classifier (classifier(data))", at: "metrics")
        }
        columns.append(m)
    }
    // values[row key][column] = samples over seeds × replicates
    var keys: [(String, String)] = []
    var values: [String: [String: [Double]]] = [:]
    var dataFeatures: Batch? = nil
    func record(_ model: String, _ stepsLabel: String, _ x: Batch, reference: Batch?, data: Batch) throws {
        let key = model + "\u{1}" + stepsLabel
        if values[key] == nil { keys.append((model, stepsLabel)); values[key] = [:] }
        func put(_ c: String, _ v: Double) { values[key, default: [:]][c, default: []].append(v) }
        let xf = features.map { $0(x) }
        var pr: PrecisionRecall? = nil
        for c in columns.dropFirst(2) {
            switch c {
            case "ode_error": if let reference { put(c, try odeError(student: x, teacher: reference).mean) }
            case "nll": if let toy { put(c, try negativeLogLikelihood(x, under: toy).mean) }
            case "swd": put(c, try slicedWasserstein(x, data, seed: 1))
            case "mmd": put(c, try mmd2(x, data))
            case "energy": put(c, try energyDistance(x, data))
            case "coverage":
                if let toy {
                    let cv = try modeCoverage(x, of: toy)
                    put("coverage", cv.inlierShare)
                    put("modes", Double(cv.modesCovered))
                }
            case "fd": if let xf, let df = dataFeatures { put(c, try frechetDistance(xf, df)) }
            case "precision", "recall":
                if let xf, let df = dataFeatures {
                    let both = try pr ?? precisionRecall(real: df, generated: xf)
                    pr = both
                    put(c, c == "precision" ? both.precision : both.recall)
                }
            default: break
            }
        }
    }
    ctx.cancel.reset()
    let total = Double(seeds.count * (1 + groups.reduce(0) { $0 + $1.members.count } * steps.count))
    var done = 0.0
    for seed in seeds {
        let x = try initial(seed)
        let referenceData = try a.isGiven("reference")
            ? a.object("reference", as: DataObject.self, described: "a data set") : teacher.data
        let dataRef = referenceData.sample(x.count, rng: RNG(seed: seed).stream(0xDA7A))
        guard dataRef.dims == dims else {
            throw a.error("the reference data has \(dataRef.dims) dims, the teacher \(dims)", at: "reference")
        }
        dataFeatures = features.map { $0(dataRef) }
        guard let reference = solver.solve(teacher.denoiser, x, callback: { _ in !ctx.cancel.isCancelled }) else {
            throw a.error(ctx.cancel.isCancelled ? "compare interrupted (Ctrl-C)" : "the teacher's solve failed")
        }
        done += 1; ctx.progress("compare", done / total, "teacher")
        try record("teacher (\(solverName(solver)))", "—", reference, reference: reference, data: dataRef)
        let fresh = teacher.data.sample(x.count, rng: RNG(seed: seed).stream(0xDA7B))
        try record("data", "—", fresh, reference: nil, data: dataRef)
        for g in groups {
            for s in g.members {
                for k in steps {
                    if ctx.cancel.isCancelled { throw a.error("compare interrupted (Ctrl-C)") }
                    guard k <= s.grid.count else {
                        let message = "steps = \(k) exceeds the \(s.grid.count) levels of \(g.name)'s grid"
                        throw a.error(message, at: "steps")
                    }
                    let samples = try s.sample(x, steps: k, seed: seed)
                    try record(g.name, "\(k)", samples, reference: reference, data: dataRef)
                    done += 1; ctx.progress("compare", done / total, g.name)
                }
            }
        }
    }
    let rows: [[ResultTable.Cell]] = keys.map { model, stepsLabel in
        let v = values[model + "\u{1}" + stepsLabel] ?? [:]
        return [.text(model), .text(stepsLabel)] + columns.dropFirst(2).map { c in
            guard let xs = v[c], !xs.isEmpty else { return .missing }
            let (m, s) = meanStd(xs)
            return .stat(mean: m, std: s, count: xs.count)
        }
    }
    return .object(TableObject(ResultTable(columns: columns, rows: rows), context: ctx))
}

/// The `students` argument: each item a student or a list of replicate students.
private func studentGroups(_ a: Arguments) throws -> [(name: String, members: [ConsistencyStudent])] {
    func notAStudent(_ v: Value) -> ScriptError {
        a.error("students must be students or lists of students, found \(v.typeName)", at: "students")
    }
    return try a.list("students").map { item in
        switch item {
        case .object(let o as StudentObject): return (label(o.student), [o.student])
        case .list(let l):
            let ss = try l.map { v -> ConsistencyStudent in
                guard case .object(let o as StudentObject) = v else { throw notAStudent(v) }
                return o.student
            }
            guard let first = ss.first else { throw a.error("an empty list of students", at: "students") }
            return (label(first) + " ×\(ss.count)", ss)
        default: throw notAStudent(item)
        }
    }
}

/// "CM", "CM μ=0.95", "Direct CM huber" …
func label(_ s: ConsistencyStudent) -> String {
    var l = s.name
    if s.config.objective == .cm && s.config.emaRate > 0 { l += " μ=\(formatShort(s.config.emaRate))" }
    if s.config.distance != "l2" { l += " \(s.config.distance)" }
    return l
}

func solverName(_ s: ODESolver) -> String {
    if let g = s as? GridSolver { return "\(g.method.rawValue) N=\(g.grid.count)" }
    return "rk45"
}
