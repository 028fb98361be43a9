import Datasets
import Diffusion
import Foundation
import Metrics
import Script
import Tensors

/// Metrics on sample sets: `ode_error`, `nll`, `swd`, `mmd`, `energy`, `coverage`, `fd`,
/// `precision_recall`.
func registerMetrics(_ r: Registry, _ ctx: BindingsContext) {
    r.register(name: "ode_error", doc: """
        The paper's ODE error: mean squared difference, over all elements, between a student's samples and the \
        teacher solver's output from the same initial noise (row i of each from the same noise).
        """, parameters: [.required("samples"), .required("reference")]) { a in
        .number(try odeError(student: try a.points("samples"), teacher: try a.points("reference")).mean)
    }
    r.register(name: "nll", doc: """
        Negative log-likelihood −mean log p(x) of samples under a data set's exact density (nats). Infinite when a \
        sample falls where p = 0.
        """, parameters: [.required("samples"), .required("data")]) { a in
        let d = try a.object("data", as: DataObject.self, described: "a data set with an exact density (e.g. ring())")
        guard let toy = d.toy, toy.exactLogDensity(Batch(count: 1, dims: toy.dims)) != nil else {
            throw a.error("\(d.name) has no exact density", at: "data")
        }
        return .number(try negativeLogLikelihood(try a.points("samples", dims: d.dims), under: toy).mean)
    }
    r.register(name: "swd", doc: """
        Sliced Wasserstein-2 distance between two sample sets: the root mean of squared 1-D W2 distances over \
        random directions (seeded).
        """, parameters: [.required("a"), .required("b"), .optional("directions", .number(128)),
                          .optional("seed", .number(0))]) { a in
        let x = try a.points("a"), y = try a.points("b")
        return .number(try slicedWasserstein(x, y, directions: try a.count("directions", limit: Sizes.maxDirections), seed: try a.seed()))
    }
    r.register(name: "mmd", doc: """
        Squared maximum mean discrepancy (unbiased) with a multi-bandwidth RBF kernel; sets above 4,000 points are \
        subsampled (seeded).
        """, parameters: [.required("a"), .required("b")]) { a in
        .number(try mmd2(try a.points("a"), try a.points("b")))
    }
    r.register(name: "energy", doc: """
        Energy distance 2E|X−Y| − E|X−X′| − E|Y−Y′| (unbiased); sets above 4,000 points are subsampled (seeded).
        """, parameters: [.required("a"), .required("b")]) { a in
        .number(try energyDistance(try a.points("a"), try a.points("b")))
    }
    r.register(name: "coverage", doc: """
        Mode coverage of a mixture: {share: samples within 3 std of some mode, modes: modes holding ≥ 1% of \
        samples, of: number of modes, counts: per mode}.
        """, parameters: [.required("samples"), .required("data")]) { a in
        let d = try a.object("data", as: DataObject.self, described: "a mixture data set (e.g. ring())")
        guard let toy = d.toy else { throw a.error("coverage needs a mixture with modes", at: "data") }
        let c = try modeCoverage(try a.points("samples", dims: d.dims), of: toy)
        let counts = Value.list(c.counts.map { .number(Double($0)) })
        return .record(Record([("share", .number(c.inlierShare)), ("modes", .number(Double(c.modesCovered))),
                               ("of", .number(Double(c.modes))), ("counts", counts)]))
    }
    r.register(name: "fd", doc: """
        Fréchet distance between Gaussians fitted to two sets: ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}), on the \
        raw values or, with features: a classifier, on its penultimate features (in the spirit of FID).
        """, parameters: [.required("a"), .required("b"), .optional("features")]) { a in
        let x = try a.points("a"), y = try a.points("b")
        if let f = try featureMap(a) { return .number(try frechetDistance(x, y, features: f)) }
        return .number(try frechetDistance(x, y))
    }
    r.register(name: "precision_recall", doc: """
        k-NN precision (share of generated samples inside the real manifold) and recall (share of real samples \
        inside the generated one), Kynkäänniemi et al. 2019; in a classifier's feature space when features: is \
        given.
        """, parameters: [.required("real"), .required("generated"), .optional("k", .number(5)),
                          .optional("features")]) { a in
        var real = try a.points("real"), gen = try a.points("generated")
        if let f = try featureMap(a) { real = f(real); gen = f(gen) }
        let pr = try precisionRecall(real: real, generated: gen, k: try a.positiveInt("k"))
        return .record(Record([("precision", .number(pr.precision)), ("recall", .number(pr.recall))]))
    }
}

/// Per-σ profiles along a teacher trajectory: `error_profile`.
func registerProfiles(_ r: Registry, _ ctx: BindingsContext) {
    r.register(name: "error_profile", doc: """
        Where on the σ grid a student's error sits, along a teacher trajectory (solve(teacher, solver, x)): a \
        record {sigma, error, gap} of 1-D tensors. error[n] = mean ‖f(x_n, σ_n) − x_final‖²/d against the \
        teacher's solution from that point; gap[n] = mean ‖f(x_n, σ_n) − f(x_{n+1}, σ_{n+1})‖²/d, the \
        self-consistency gap between neighbours.
        """, parameters: [.required("student"), .required("trajectory")]) { a in
        let D = try denoiser(a, "student")
        let t = try a.object("trajectory", as: TrajectoryObject.self, described: "a trajectory from solve()")
        let p = try errorProfile(of: D, along: t.trajectory)
        return .record(Record([("sigma", vector(p.sigmas)), ("error", vector(p.error)), ("gap", vector(p.gap))]))
    }
}
