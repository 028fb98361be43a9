import Datasets
import Diffusion
import Foundation
import Metrics
import Script
import Tensors

/// Metrics on sample sets: `ode_error`, `nll`, `swd`, `mmd`, `energy`, `coverage`, `fd`,
/// `precision_recall`.
func registerMetrics(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "ode_error",
        doc: """
            The paper's ODE error: mean squared difference, over all elements, between a student's samples and the \
            teacher solver's output from the same initial noise (row i of each from the same noise).
            """, parameters: [.required("samples"), .required("reference")]
    ) { a in
        .number(try odeError(student: try a.points("samples"), teacher: try a.points("reference")).mean)
    }
    r.register(
        name: "nll",
        doc: """
            Negative log-likelihood −mean log p(x) of samples under a data set's exact density (nats). Infinite when a \
            sample falls where p = 0.
            """, parameters: [.required("samples"), .required("data")]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "a data set with an exact density (e.g. ring())")
        guard let toy = d.toy, toy.exactLogDensity(Batch(count: 1, dims: toy.dims)) != nil else {
            throw a.error("\(d.name) has no exact density", at: "data")
        }
        return .number(try negativeLogLikelihood(try a.points("samples", dims: d.dims), under: toy).mean)
    }
    r.register(
        name: "swd",
        doc: """
            Sliced Wasserstein-2 distance between two sample sets: the root mean of squared 1-D W2 distances over \
            random directions (seeded).
            """,
        parameters: [
            .required("a"), .required("b"), .optional("directions", .number(128)),
            .optional("seed", .number(0)),
        ]
    ) { a in
        let x = try a.points("a"), y = try a.points("b")
        return .number(
            try slicedWasserstein(
                x, y, directions: try a.count("directions", limit: Sizes.maxDirections), seed: try a.seed()))
    }
    r.register(
        name: "mmd",
        doc: """
            Squared maximum mean discrepancy (unbiased) with a multi-bandwidth RBF kernel; sets above 4,000 points are \
            subsampled (seeded).
            """, parameters: [.required("a"), .required("b")]
    ) { a in
        .number(try mmd2(try a.points("a"), try a.points("b")))
    }
    r.register(
        name: "energy",
        doc: """
            Energy distance 2E|X−Y| − E|X−X′| − E|Y−Y′| (unbiased); sets above 4,000 points are subsampled (seeded).
            """, parameters: [.required("a"), .required("b")]
    ) { a in
        .number(try energyDistance(try a.points("a"), try a.points("b")))
    }
    r.register(
        name: "coverage",
        doc: """
            Mode coverage of a mixture: {share: samples within 3 std of some mode, modes: modes holding ≥ 1% of \
            samples, of: number of modes, counts: per mode}.
            """, parameters: [.required("samples"), .required("data")]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "a mixture data set (e.g. ring())")
        guard let toy = d.toy else { throw a.error("coverage needs a mixture with modes", at: "data") }
        let c = try modeCoverage(try a.points("samples", dims: d.dims), of: toy)
        let counts = Value.list(c.counts.map { .number(Double($0)) })
        return .record(
            Record([
                ("share", .number(c.inlierShare)), ("modes", .number(Double(c.modesCovered))),
                ("of", .number(Double(c.modes))), ("counts", counts),
            ]))
    }
    r.register(
        name: "fd",
        doc: """
            Fréchet distance between Gaussians fitted to two sets: ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}), on the \
            raw values or, with features: a classifier, on its penultimate features (in the spirit of FID).
            """, parameters: [.required("a"), .required("b"), .optional("features")]
    ) { a in
        let x = try a.points("a"), y = try a.points("b")
        if let f = try featureMap(a) { return .number(try frechetDistance(x, y, features: f)) }
        return .number(try frechetDistance(x, y))
    }
    r.register(
        name: "precision_recall",
        doc: """
            k-NN precision (share of generated samples inside the real manifold) and recall (share of real samples \
            inside the generated one), Kynkäänniemi et al. 2019; in a classifier's feature space when features: is \
            given.
            """,
        parameters: [
            .required("real"), .required("generated"), .optional("k", .number(5)),
            .optional("features"),
        ]
    ) { a in
        var real = try a.points("real"), gen = try a.points("generated")
        if let f = try featureMap(a) { real = f(real); gen = f(gen) }
        let pr = try precisionRecall(real: real, generated: gen, k: try a.positiveInt("k"))
        return .record(Record([("precision", .number(pr.precision)), ("recall", .number(pr.recall))]))
    }
}

/// Per-σ profiles along a teacher trajectory: `error_profile`.
func registerProfiles(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "error_profile",
        doc: """
            Where on the σ grid a student's error sits, along a teacher trajectory (solve(teacher, solver, x)): a \
            record {sigma, error, gap, quantiles, error_q} of tensors. error[n] = mean ‖f(x_n, σ_n) − x_final‖²/d \
            against the teacher's solution from that point, over the trajectory's samples; error_q[k, n] is the \
            quantiles[k]-quantile of that per-sample error (default 10/50/90%). gap[n] = mean ‖f(x_n, σ_n) − \
            f(x_{n+1}, σ_{n+1})‖²/d, the self-consistency gap between neighbouring levels, aligned with sigma[n] (the \
            higher σ of the pair; one shorter than sigma). by: splits the samples into groups — one label per sample \
            (a tensor or list), or a data set with modes, grouping by the mode nearest the teacher's final point — and \
            adds groups: a list of {group, count, error, error_q} (and by: \"mode\" for a data set). plot(profile) \
            draws the mean and the band.
            """,
        parameters: [
            .required("student"), .required("trajectory"),
            .optional("quantiles", .list([.number(0.1), .number(0.5), .number(0.9)])),
            .optional("by"),
        ]
    ) { a in
        let D = try denoiser(a, "student")
        let t = try a.object("trajectory", as: TrajectoryObject.self, described: "a trajectory from solve()")
        let qs = try a.list("quantiles").map { v -> Double in
            guard case .number(let q) = v, q >= 0, q <= 1 else {
                throw a.error("quantiles: holds numbers in [0, 1], found \(v.brief)", at: "quantiles")
            }
            return q
        }
        guard qs.count <= 99 else { throw a.error("at most 99 quantiles", at: "quantiles") }
        let p = try errorProfile(of: D, along: t.trajectory)
        func table(_ rows: [[Double]]) -> Value {
            .tensor(Tensor(shape: [rows.count, p.sigmas.count], scalars: rows.flatMap { $0 }.map(Float.init)))
        }
        var fields: [(String, Value)] = [
            ("sigma", vector(p.sigmas)), ("error", vector(p.error)), ("gap", vector(p.gap)),
            ("quantiles", vector(qs)), ("error_q", table(p.quantiles(qs))),
        ]
        if a.isGiven("by") {
            let (labels, names) = try profileGroups(a, t.trajectory.final)
            var groups: [Value] = []
            for (g, name) in names.enumerated() {
                let members = labels.indices.filter { labels[$0] == g }
                groups.append(
                    .record(
                        Record([
                            ("group", name), ("count", .number(Double(members.count))),
                            ("error", vector(p.meanError(among: members))),
                            ("error_q", table(p.quantiles(qs, among: members))),
                        ])))
            }
            fields.append(("groups", .list(groups)))
            if case .object(let o) = a["by"], o is DataObject { fields.append(("by", .string("mode"))) }
        }
        return .record(Record(fields))
    }
}

/// One group index per sample for `error_profile(…, by:)`, and each group's name.
private func profileGroups(_ a: Arguments, _ final: Batch) throws -> (labels: [Int], names: [Value]) {
    if case .object(let o as DataObject) = a["by"] {
        guard let modes = o.toy?.modes, modes.dims == final.dims else {
            throw a.error("by: a data set groups by its modes, and \(o.name) has none in \(final.dims) dims", at: "by")
        }
        var labels: [Int] = []
        for i in 0..<final.count {
            var best = 0, bestD = Double.infinity
            for k in 0..<modes.count {
                let d = zip(final.row(i), modes.row(k)).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                if d < bestD { bestD = d; best = k }
            }
            labels.append(best)
        }
        return (labels, (0..<modes.count).map { .number(Double($0)) })
    }
    let raw: [Value]
    switch a["by"] {
    case .tensor(let t) where t.rank == 1: raw = t.scalars.map { .number(Double($0)) }
    case .list(let l): raw = l
    default: throw a.error("by: takes one label per sample (a 1-D tensor or list) or a data set with modes", at: "by")
    }
    guard raw.count == final.count else {
        throw a.error("by: has \(raw.count) labels for \(final.count) samples", at: "by")
    }
    var names: [Value] = [], position: [String: Int] = [:], labels: [Int] = []
    for v in raw {
        guard v.stringValue != nil || { if case .number(let x) = v { return x.isFinite } else { return false } }()
        else {
            throw a.error("by: labels are numbers or strings, found \(v.brief)", at: "by")
        }
        let key = v.repr
        if let k = position[key] {
            labels.append(k)
        } else {
            position[key] = names.count; labels.append(names.count); names.append(v)
        }
    }
    guard names.count <= 1000 else { throw a.error("by: gives \(names.count) groups; at most 1000", at: "by") }
    // Numeric groups in increasing order, as a reader expects of mode numbers.
    if names.allSatisfy({ if case .number = $0 { true } else { false } }) {
        func number(_ v: Value) -> Double { if case .number(let x) = v { return x }; return 0 }
        let order = names.indices.sorted { number(names[$0]) < number(names[$1]) }
        var rank = [Int](repeating: 0, count: names.count)
        for (r, i) in order.enumerated() { rank[i] = r }
        return (labels.map { rank[$0] }, order.map { names[$0] })
    }
    return (labels, names)
}
