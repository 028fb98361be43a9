import Datasets
import Diffusion
import Distillation
import Foundation
import Metrics
import Script
import Tensors

/// `compare`: students × sampling steps × metrics, with the teacher and the data as
/// reference rows; mean ± spread over seeds (and replicate students), or on a single seed
/// each value with a bootstrap interval over its samples.
func registerCompare(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "compare",
        doc: """
            Measures students against the teacher's solver from the same initial noise. students: a list (or one \
            student, as a list of one); each item is \
            one row per K: a student, a list of replicate students (one setting, one per training seed; their spread \
            joins the seeds'), a tensor of samples (e.g. load("x.npy"); row i from noise row i), or a record {name: \
            "…", students: […]} / {name:, samples:} to name the row. Nothing is merged by name. Students distilled \
            from another teacher, data or solver are refused, and so are lists whose members differ in anything but \
            the seed. noise: a tensor x(σ_max) used for every seed, or a count drawn per seed as noise(count, seed: \
            s)·σ_max. For each seed the teacher solves once; each student samples at every K in steps. Metrics: \
            ode_error (vs the teacher's output), nll (exact density), swd, mmd, energy (vs fresh data samples), \
            coverage and modes (mixtures); with features: a classifier, also fd, precision and recall in its feature \
            space (vs fresh data). Sample-quality metrics compare against fresh samples of the teacher's data, or of \
            reference: (e.g. a held-out set). The teacher and an independent sample of the teacher's data appear as \
            reference rows (the data row is the floor: as many samples as the models). Uncertainty: over several seeds \
            or replicates, mean ± standard deviation; on one seed, each value with a 95% percentile-bootstrap interval \
            [lo, hi] over its samples (1000 resamples for ode_error, nll and coverage, 200 for modes, bootstrap: \
            resamples — recomputing the metric — for the others; bootstrap: 0 turns intervals off). Multistep rows (K \
            > 1) say how they re-noise in the renoise column: "fresh" (default, Song et al.'s sampler, new noise from \
            the seed; the samples leave the teacher's trajectory, so their ode_error is large by design) or "teacher" \
            (along the teacher's trajectory from the same noise, see student.sample; an exact student has ode_error 0 \
            at every K); renoise: ["fresh", "teacher"] gives both rows. Returns a table.
            """,
        parameters: [
            .required("students"), .optional("teacher"), .optional("solver"), .optional("noise", .number(10000)),
            .optional("steps", .list([.number(1), .number(2), .number(4)])), .optional("seeds", .list([.number(0)])),
            .optional("metrics", .list(["ode_error", "nll", "swd", "coverage"].map { .string($0) })),
            .optional("features"), .optional("reference"), .optional("bootstrap", .number(25)),
            .optional("renoise", .string("fresh")),
        ]
    ) { a in try compare(a, ctx) }
}

/// `compare(students, …)`: every item at every K, every metric, over seeds.
private func compare(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let teacher = try a.isGiven("teacher") ? a.object("teacher", as: TeacherObject.self, described: "a teacher") : nil
    guard let teacher else {
        throw a.error("compare needs the teacher: compare(students, teacher: t, solver: s)", at: "teacher")
    }
    let dims = teacher.denoiser.dims
    let items = try compareItems(a, dims: dims)
    let firstStudent = items.lazy.compactMap { i -> ConsistencyStudent? in
        if case .students(let ss) = i.source { return ss.first }; return nil
    }.first
    let solver: ODESolver
    if a.isGiven("solver") {
        solver = try a.object("solver", as: SolverObject.self, described: "a solver").solver
    } else if let firstStudent {
        solver = GridSolver(.heun, grid: firstStudent.grid)
    } else {
        throw a.error("with no students, give the teacher's solver: compare([], teacher: t, solver: s)", at: "solver")
    }
    try checkComparable(items, teacher: teacher, solver: solver, a)
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
    let kinds = try renoiseKinds(a, list: true)
    let multistep = steps.contains { $0 > 1 }
    let alongTeacher = multistep && kinds.contains("teacher")
    if alongTeacher {
        for item in items {
            if case .students(let ss) = item.source {
                for s in ss { try checkRenoiseGrid(solver, s, name: item.name, a) }
            }
        }
    }
    let keptLevels = (solver as? GridSolver).map { renoiseLevels(levels: $0.grid.count, steps: steps) } ?? []
    let replicates = try a.number("bootstrap")
    guard replicates == 0 || (replicates >= 2 && replicates <= 10000 && replicates == replicates.rounded()) else {
        throw a.error(
            "bootstrap must be 0 (no intervals) or a whole number of resamples from 2 to 10000",
            at: "bootstrap")
    }
    let known = ["ode_error", "nll", "swd", "mmd", "energy", "coverage", "fd", "precision", "recall"]
    let features = try featureMap(a)
    let metrics = try a.list("metrics").map { v -> String in
        guard case .string(let s) = v, known.contains(s) else {
            throw a.error("unknown metric \(v.repr); known: \(known.joined(separator: ", "))", at: "metrics")
        }
        return s
    }
    for item in items {
        for k in steps {
            if case .students(let ss) = item.source, let s = ss.first, k > s.grid.count {
                throw a.error("steps = \(k) exceeds the \(s.grid.count) levels of \(item.name)'s grid", at: "steps")
            }
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
    // Label columns: model, steps and, when some row re-noises, how.
    var columns = ["model", "steps"] + (multistep ? ["renoise"] : [])
    let labels = columns.count
    for m in metrics {
        if m == "nll" && !hasDensity { continue }
        if m == "coverage" { if hasModes { columns += ["coverage", "modes"] }; continue }
        if ["fd", "precision", "recall"].contains(m) && features == nil {
            throw a.error("metric \(m) needs features: a classifier (classifier(data))", at: "metrics")
        }
        columns.append(m)
    }
    // Intervals only where there is one sample set per row: one seed, no replicates.
    let single =
        seeds.count == 1
        && items.allSatisfy { item in
            if case .students(let ss) = item.source { return ss.count == 1 }; return true
        }
    let measure = CompareMetrics(
        columns: Array(columns.dropFirst(labels)), toy: toy, features: features,
        replicates: single ? Int(replicates) : 0, seed: 0xB007)
    // values[row] = measurements over seeds × replicates, rows in order of appearance.
    var keys: [(id: String, model: String, steps: String, renoise: String)] = []
    var values: [String: [[String: MeasuredValue]]] = [:]
    var sampleCount = 0
    func record(
        _ row: String, _ model: String, _ stepsLabel: String, _ renoise: String, _ x: Batch, reference: Batch?,
        data: Batch, dataFeatures: Batch?
    ) throws {
        if values[row] == nil { keys.append((row, model, stepsLabel, renoise)); values[row] = [] }
        values[row, default: []].append(
            try measure.measure(
                x, reference: reference, data: data,
                dataFeatures: dataFeatures))
    }
    let members = items.reduce(0) { n, i in
        if case .students(let ss) = i.source { return n + ss.count }; return n + 1
    }
    let rowsPerMember = steps.map { $0 > 1 ? kinds.count : 1 }.reduce(0, +)
    let total = Double(seeds.count * (1 + members * rowsPerMember))
    var done = 0.0
    for seed in seeds {
        let x = try initial(seed)
        sampleCount = x.count
        let referenceData =
            try a.isGiven("reference")
            ? a.object("reference", as: DataObject.self, described: "a data set") : teacher.data
        let dataRef = referenceData.sample(x.count, rng: RNG(seed: seed).stream(0xDA7A))
        guard dataRef.dims == dims else {
            throw a.error("the reference data has \(dataRef.dims) dims, the teacher \(dims)", at: "reference")
        }
        let dataFeatures = features.map { $0(dataRef) }
        // The teacher's solve, keeping its states at the students' levels when they re-noise along it.
        let levels: Set<Int> = alongTeacher ? keptLevels : []
        guard
            let run = ctx.teacherSolves.solve(
                teacher.denoiser, solver, x, levels: levels,
                {
                    solveKeeping(teacher.denoiser, solver, x, levels: levels, cancel: ctx.cancel)
                })
        else {
            throw a.error(ctx.cancel.isCancelled ? "compare interrupted (Ctrl-C)" : "the teacher's solve failed")
        }
        let reference = run.final
        done += 1; ctx.progress("compare", done / total, "teacher")
        func put(_ row: String, _ model: String, _ k: String, _ renoise: String, _ samples: Batch) throws {
            try record(row, model, k, renoise, samples, reference: reference, data: dataRef, dataFeatures: dataFeatures)
        }
        try put("teacher", "teacher (\(solverName(solver)))", "—", "—", reference)
        // The floor: as many fresh data samples as the models have.
        try record(
            "data", "data", "—", "—", teacher.data.sample(x.count, rng: RNG(seed: seed).stream(0xDA7B)),
            reference: nil, data: dataRef, dataFeatures: dataFeatures)
        for (i, item) in items.enumerated() {
            switch item.source {
            case .samples(let b):
                if ctx.cancel.isCancelled { throw a.error("compare interrupted (Ctrl-C)") }
                try put("\(i)", item.name, "—", "—", b)
                done += 1; ctx.progress("compare", done / total, item.name)
            case .students(let ss):
                for s in ss {
                    for k in steps {
                        for kind in (k > 1 ? kinds : ["—"]) {
                            if ctx.cancel.isCancelled { throw a.error("compare interrupted (Ctrl-C)") }
                            let renoise: Renoising =
                                kind == "teacher" ? .teacher(states: run.states) : .fresh(seed: seed)
                            try put(
                                "\(i)\u{1}\(k)\u{1}\(kind)", item.name, "\(k)", kind,
                                try s.sample(x, steps: k, renoise: renoise))
                            done += 1; ctx.progress("compare", done / total, item.name)
                        }
                    }
                }
            }
        }
    }
    var anyInterval = false, anySpread = false
    let rows: [[ResultTable.Cell]] = keys.map { key in
        let ms = values[key.id] ?? []
        let label: [ResultTable.Cell] = [.text(key.model), .text(key.steps)] + (multistep ? [.text(key.renoise)] : [])
        return label
            + columns.dropFirst(labels).map { c in
                let xs = ms.compactMap { $0[c] }
                guard let first = xs.first else { return .missing }
                if xs.count == 1, let iv = first.interval {
                    anyInterval = true
                    return .interval(value: first.value, lo: iv.lo, hi: iv.hi)
                }
                if xs.count > 1 { anySpread = true }
                let (m, s) = meanStd(xs.map(\.value))
                return .stat(mean: m, std: s, count: xs.count)
            }
    }
    var table = ResultTable(columns: columns, rows: rows)
    if anyInterval {
        table.notes.append("[lo, hi]: 95% bootstrap interval over the \(sampleCount) samples of each row (one seed)")
    }
    if anySpread { table.notes.append("a ± b: mean ± standard deviation over seeds and replicate students") }
    return .object(TableObject(table, context: ctx))
}
