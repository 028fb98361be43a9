import Datasets
import Diffusion
import Distillation
import Foundation
import Metrics
import Script
import Tensors

/// Instruments that take a student's error apart: `spectrum`, `error_spectrum`,
/// `data_distance`, `error_split`, `training_curve`.
func registerInstruments(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "spectrum",
        doc: """
            Radially averaged power spectrum of a set of square images (rows of side² pixels): {frequency, power}, \
            1-D tensors over bands b = 0 … side/2 (cycles per image). power[b] is the mean of |DFT|²/side² over the \
            frequencies whose radius rounds to b and over the images, so white noise of variance v is flat at v. side \
            defaults to √dims.
            """, parameters: [.required("images"), .optional("side")]
    ) { a in
        let x = try a.points("images")
        let s = try radialPowerSpectrum(x, side: try imageSide(a, dims: x.dims))
        return .record(Record([("frequency", vector(s.frequency)), ("power", vector(s.power))]))
    }
    r.register(
        name: "error_spectrum",
        doc: """
            The spectrum of a student's error: the radially averaged power spectrum of samples − reference (row i of \
            each from the same noise, e.g. the teacher's solve). Returns {frequency, error, data, relative}: with \
            data: (a finite data set or a tensor of images) also the data's own spectrum and error/data per band. \
            Blur shows as error power at high frequencies; a different but sharp image as error at low ones.
            """, parameters: [.required("samples"), .required("reference"), .optional("data"), .optional("side")]
    ) { a in
        let x = try a.points("samples")
        let ref = try a.points("reference", dims: x.dims)
        let side = try imageSide(a, dims: x.dims)
        let e = try errorSpectrum(samples: x, reference: ref, side: side)
        var fields: [(name: String, value: Value)] = [("frequency", vector(e.frequency)), ("error", vector(e.power))]
        if a.isGiven("data") {
            let d = try radialPowerSpectrum(try imagesArgument(a, "data", dims: x.dims, count: x.count), side: side)
            fields += [
                ("data", vector(d.power)),
                ("relative", vector(zip(e.power, d.power).map { $1 > 0 ? $0 / $1 : .infinity })),
            ]
        }
        return .record(Record(fields))
    }
    r.register(
        name: "data_distance",
        doc: """
            How far samples lie off the data, per element as ode_error: {correction, nearest, correction_each, \
            nearest_each}. correction = mean ‖D(x; σ) − x‖²/d with the teacher's denoiser at sigma (exact for the \
            toy teachers, learned for images): choose sigma above the data's own thickness and below the size of its \
            features. nearest = mean min_j ‖x − y_j‖²/d over training: (a finite data set or a tensor), brute force. \
            Apply it to the data itself for the floor.
            """,
        parameters: [
            .required("samples"), .required("teacher"), .optional("sigma", .number(0.1)),
            .optional("training"),
        ]
    ) { a in
        let D = try denoiser(a, "teacher")
        let x = try a.points("samples", dims: D.dims)
        var training: Batch? = nil
        if a.isGiven("training") {
            training = try imagesArgument(a, "training", dims: D.dims, count: nil)
        }
        let dd = try dataDistance(x, teacher: D, sigma: try a.number("sigma"), training: training)
        return .record(
            Record([
                ("correction", .number(dd.meanCorrection)), ("nearest", dd.meanNearest.map { .number($0) } ?? .none),
                ("correction_each", vector(dd.correction)), ("nearest_each", dd.nearest.map(vector) ?? .none),
            ]))
    }
    r.register(
        name: "error_split",
        doc: """
            Splits a student's error e = samples − reference (row i of each from the same noise) along and across the \
            data with the teacher's denoiser D at sigma: along = D(x; σ) − D(x̂; σ), the part it keeps; across = e − \
            along, the part it removes (off the data). On a thin ring this is the tangential/radial split. Returns \
            {along, across, total, across_share}, per element as ode_error (total is the ODE error).
            """,
        parameters: [
            .required("samples"), .required("reference"), .required("teacher"),
            .optional("sigma", .number(0.1)),
        ]
    ) { a in
        let D = try denoiser(a, "teacher")
        let s = try errorSplit(
            samples: try a.points("samples", dims: D.dims),
            reference: try a.points("reference", dims: D.dims), teacher: D,
            sigma: try a.number("sigma"))
        return .record(
            Record([
                ("along", .number(s.along)), ("across", .number(s.across)),
                ("total", .number(s.total)), ("across_share", .number(s.acrossShare)),
            ]))
    }
    r.register(
        name: "training_curve",
        doc: """
            Metrics against training time: samples every snapshot of a student (distill(…, snapshots: [...])) and its \
            final weights from noise (a tensor x(σ_max) or a count, drawn with seed) in steps steps, and measures \
            each. metrics: ode_error (vs the teacher's solve from the same noise), nll, coverage, swd (vs fresh data), \
            distance (data_distance's correction), along, across (error_split), all at sigma. Returns a record of \
            1-D tensors: iteration and one per metric.
            """,
        parameters: [
            .required("student"), .required("teacher"), .required("solver"), .optional("noise", .number(2000)),
            .optional("steps", .number(1)), .optional("seed", .number(0)), .optional("sigma", .number(0.1)),
            .optional("metrics", .list(["ode_error", "nll", "distance"].map { .string($0) })),
        ]
    ) { a in try trainingCurve(a, ctx) }
}

/// `side:` or the square root of `dims`.
private func imageSide(_ a: Arguments, dims: Int) throws -> Int {
    if a.isGiven("side") {
        let s = try a.positiveInt("side")
        guard s * s == dims else { throw a.error("rows of \(dims) values are not \(s) × \(s) images", at: "side") }
        return s
    }
    guard let s = squareSide(dims) else {
        throw a.error("rows of \(dims) values are not square images; give side:", at: "side")
    }
    return s
}

/// A tensor of rows, or a data set: a finite set's points, or `count` samples of a distribution (seed 0).
private func imagesArgument(_ a: Arguments, _ name: String, dims: Int, count: Int?) throws -> Batch {
    if case .tensor = a[name] { return try a.points(name, dims: dims) }
    let d = try a.object(name, as: DataObject.self, described: "a data set or a tensor")
    guard d.dims == dims else { throw a.error("\(d.name) has \(d.dims) dims, the samples \(dims)", at: name) }
    if case .finite(let b, _) = d.source { return b }
    guard let count else { throw a.error("\(d.name) is a distribution: give samples(data, n)", at: name) }
    return d.sample(count, rng: RNG(seed: 0).stream(0xDA7A))
}

/// `training_curve(student, teacher, solver, …)`.
private func trainingCurve(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    guard case .object(let so as StudentObject) = a["student"] else {
        throw a.error("expected a student, got \(a["student"].typeName)", at: "student")
    }
    let student = so.student
    let teacher = try a.object("teacher", as: TeacherObject.self, described: "a teacher")
    let solver = try a.object("solver", as: SolverObject.self, described: "a solver").solver
    let dims = teacher.denoiser.dims
    guard student.dims == dims else { throw a.error("the student has \(student.dims) dims, the teacher \(dims)") }
    let seed = try a.seed(), sigma = try a.number("sigma")
    let x: Batch
    if case .tensor = a["noise"] {
        x = try a.points("noise", dims: dims)
    } else {
        let n = try a.count("noise")
        try a.checkShape([n, dims], at: "noise", bytesPerElement: 8)
        x = RNG(seed: seed).normalBatch(count: n, dims: dims).map { $0 * solver.sigmaMax }
    }
    let steps = try a.count("steps", limit: 1000)
    guard let reference = solver.solve(teacher.denoiser, x, callback: { _ in !ctx.cancel.isCancelled }) else {
        throw a.error(ctx.cancel.isCancelled ? "training_curve interrupted (Ctrl-C)" : "the teacher's solve failed")
    }
    let data = teacher.data.sample(x.count, rng: RNG(seed: seed).stream(0xDA7A))
    let toy = teacher.data.toy
    var measures: [SampleMeasure] = []
    for v in try a.list("metrics") {
        guard case .string(let m) = v else { throw a.error("metrics are names, found \(v.typeName)", at: "metrics") }
        switch m {
        case "ode_error":
            measures.append((m, { s throws(MetricError) in try odeError(student: s, teacher: reference).mean }))
        case "swd": measures.append((m, { s throws(MetricError) in try slicedWasserstein(s, data, seed: 1) }))
        case "nll", "coverage":
            guard let toy, toy.exactLogDensity(Batch(count: 1, dims: dims)) != nil else {
                throw a.error("\(m) needs a data set with an exact density and modes", at: "metrics")
            }
            if m == "nll" {
                measures.append((m, { s throws(MetricError) in try negativeLogLikelihood(s, under: toy).mean }))
            } else {
                measures.append((m, { s throws(MetricError) in try modeCoverage(s, of: toy).inlierShare }))
            }
        case "distance":
            measures.append(
                (
                    m,
                    { s throws(MetricError) in
                        try dataDistance(s, teacher: teacher.denoiser, sigma: sigma).meanCorrection
                    }
                ))
        case "along", "across":
            measures.append(
                (
                    m,
                    { s throws(MetricError) in
                        let e = try errorSplit(
                            samples: s, reference: reference, teacher: teacher.denoiser, sigma: sigma)
                        return m == "along" ? e.along : e.across
                    }
                ))
        default:
            let known = "ode_error, nll, coverage, swd, distance, along, across"
            throw a.error("unknown metric \"\(m)\"; known: \(known)", at: "metrics")
        }
    }
    let curve = try Metrics.trainingCurve(
        of: student, noise: x, steps: steps, seed: seed, measures: measures,
        shouldStop: { ctx.cancel.isCancelled })
    var fields: [(name: String, value: Value)] = [("iteration", vector(curve.iterations.map(Double.init)))]
    for (name, values) in zip(curve.names, curve.values) { fields.append((name, vector(values))) }
    return .record(Record(fields))
}
