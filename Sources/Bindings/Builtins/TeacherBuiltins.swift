import Datasets
import Diffusion
import Foundation
import Nets
import Script
import Tensors

/// Teachers, grids and solvers: `exact`, `learned`, `karras`, `vp`, `euler`, `heun`,
/// `dpmpp2m`, `rk4`, `rk45`.
func registerTeachers(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "exact",
        doc: """
            The exact denoiser of a data set: the analytic posterior mean for a Gaussian mixture (ring, gridmix, \
            gaussian), or the optimal empirical denoiser of a finite set (a tensor of samples or dataset(x)), which \
            memorises its samples.
            """, parameters: [.required("data")]
    ) { a in
        .object(try exactTeacher(try dataArgument(a, "data", described: "a data set or a tensor of samples"), ctx, a))
    }
    r.register(
        name: "learned",
        doc: """
            A network denoiser with EDM preconditioning trained on samples of data by denoising score matching (EDM \
            weighting, log-normal σ with P_mean −1.2, P_std 1.2). Points get an MLP (width 256 × depth, batch 512, \
            lr 1e-3); square images (fashion_mnist()) a U-Net of base width `width` (32) and `levels` resolution \
            levels (2, the default: full and half size; 3 adds a quarter-size level, for sides divisible by 4 such \
            as 16 and 28; images only), group norm; batch 128, lr 5e-4 with warm-up, EMA 0.999, clipping. Shows \
            progress; Ctrl-C stops training and keeps the weights so far.
            """,
        parameters: [
            .required("data"), .optional("iters", .number(4000)), .optional("batch"), .optional("lr"),
            .optional("width"), .optional("depth", .number(4)), .optional("seed", .number(0)),
            .optional("levels"),
        ]
    ) { a in
        try learned(a, ctx)
    }

    r.register(
        name: "karras",
        doc: """
            The Karras et al. (2022) σ grid of n levels: σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ.
            """,
        parameters: [
            .optional("n", .number(40)), .optional("sigma_min", .number(0.002)),
            .optional("sigma_max", .number(80)), .optional("rho", .number(7)),
        ]
    ) { a in
        let grid = try SigmaGrid.karras(
            n: try a.int("n"), sigmaMin: try a.number("sigma_min"),
            sigmaMax: try a.number("sigma_max"), rho: try a.number("rho"))
        return .object(GridObject(grid))
    }
    r.register(
        name: "vp",
        doc: """
            The VP/DDPM grid of Stable Diffusion's schedule (scaled-linear β 0.00085…0.012, T = 1000): n timesteps \
            evenly spaced from 999 to 0, mapped to the VE scale σ = √((1 − ᾱ)/ᾱ).
            """, parameters: [.optional("n", .number(40))]
    ) { a in
        .object(GridObject(try SigmaGrid.vp(n: try a.int("n"))))
    }
    for method in StepMethod.allCases {
        r.register(
            name: method.rawValue,
            doc: stepMethodDoc(method) + """
                 Steps along every level of the grid (karras(n: 40) when none is given).
                """, parameters: [.optional("grid")]
        ) { a in
            let grid =
                a.isGiven("grid")
                ? try a.object("grid", as: GridObject.self, described: "a grid (e.g. karras(n: 40))").grid
                : try SigmaGrid.karras(n: 40)
            return .object(SolverObject(GridSolver(method, grid: grid)))
        }
    }
    r.register(
        name: "rk45",
        doc: """
            Adaptive Dormand–Prince RK5(4) in log σ: a near-exact reference solution; every sample meets the tolerance.
            """,
        parameters: [
            .optional("rtol", .number(1e-6)), .optional("atol", .number(1e-6)),
            .optional("sigma_min", .number(0.002)), .optional("sigma_max", .number(80)),
        ]
    ) { a in
        let solver = try RK45Solver(
            sigmaMax: try a.number("sigma_max"), sigmaMin: try a.number("sigma_min"),
            rtol: try a.number("rtol"), atol: try a.number("atol"))
        return .object(SolverObject(solver))
    }
}

private func stepMethodDoc(_ method: StepMethod) -> String {
    switch method {
    case .euler:
        """
        Euler's method: x_b = x + (σ_b − σ_a)·(x − D(x; σ_a))/σ_a (DDIM on the VE scale). First order, one \
        evaluation per step.
        """
    case .heun:
        """
        Heun's method (EDM Algorithm 1): an Euler step and a trapezoidal corrector. Second order, two evaluations \
        per step.
        """
    case .dpmpp2m: "DPM-Solver++(2M) (Lu et al. 2022): second-order multistep in log σ, one evaluation per step."
    case .rk4: "Classical fourth-order Runge–Kutta in σ, four evaluations per step."
    }
}

/// A data-set argument, or a tensor of samples taken as a finite data set.
func dataArgument(_ a: Arguments, _ name: String, described: String) throws -> DataObject {
    if case .tensor = a[name] { return DataObject(.finite(try a.points(name), name: "samples")) }
    return try a.object(name, as: DataObject.self, described: described)
}

/// `learned(data, …)`: an MLP denoiser for points, a U-Net for square images.
private func learned(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let data = try dataArgument(a, "data", described: "a data set or a tensor of samples")
    let report: (TrainingProgress) -> Void = { p in
        let detail = "loss \(formatShort(p.loss))  \(String(format: "%.1f", p.iterationsPerSecond)) it/s"
        ctx.progress("teacher", Double(p.iteration) / Double(p.iterations), detail)
    }
    if let side = data.imageSide {
        var c = ImageDenoiserTrainingConfig()
        c.iterations = try a.count("iters", limit: Sizes.maxIterations); c.seed = try a.seed()
        if a.isGiven("batch") { c.batchSize = try a.count("batch") }
        if a.isGiven("lr") { c.learningRate = try a.number("lr") }
        var arch = UNet.Configuration(channels: 1, height: side, width: side)
        if a.isGiven("width") { arch.baseWidth = try a.count("width", limit: Sizes.maxWidth) }
        if a.isGiven("levels") { arch.levels = try unetLevels(a, side: side) }
        try a.checkShape([c.batchSize, arch.baseWidth, side, side], at: "batch") // first-level activations
        let D = try trainImageDenoiser(
            data: { data.sample($0, rng: $1) }, architecture: arch, dataName: data.name,
            config: c, cancel: ctx.cancel, progress: report)
        if D.outcome != .completed { a.interpreter.output("note: \(D.outcome.message)") }
        return .object(TeacherObject(D, data: data, kind: "learned", context: ctx))
    }
    if a.isGiven("levels") {
        throw a.error("'levels' is the U-Net's, for image data; points get an MLP (its layers: 'depth')", at: "levels")
    }
    var c = DenoiserTrainingConfig()
    c.iterations = try a.count("iters", limit: Sizes.maxIterations); c.seed = try a.seed();
    c.depth = try a.count("depth", limit: Sizes.maxDepth)
    if a.isGiven("batch") { c.batchSize = try a.count("batch") }
    if a.isGiven("lr") { c.learningRate = try a.number("lr") }
    if a.isGiven("width") { c.width = try a.count("width", limit: Sizes.maxWidth) }
    try a.checkShape([c.batchSize, c.width], at: "batch") // activations per layer
    let D = try trainDenoiser(
        data: { data.sample($0, rng: $1) }, dims: data.dims, dataName: data.name, config: c,
        cancel: ctx.cancel, progress: report)
    if D.outcome != .completed { a.interpreter.output("note: \(D.outcome.message)") }
    return .object(TeacherObject(D, data: data, kind: "learned", context: ctx))
}

/// `levels:` of `learned` on images of `side × side`: 2, or 3 when the side is divisible by 4.
private func unetLevels(_ a: Arguments, side: Int) throws -> Int {
    let levels = try a.int("levels")
    guard levels == 2 || levels == 3 else {
        throw a.error("'levels' must be 2 or 3 (the U-Net's resolution levels), got \(levels)", at: "levels")
    }
    if levels == 3 && side % 4 != 0 {
        throw a.error(
            "levels: 3 pools the images twice, so their side must be divisible by 4; these are \(side) × \(side) "
                + "(use levels: 2, or images of 16 or 28 pixels a side)", at: "levels")
    }
    return levels
}

func exactTeacher(_ d: DataObject, _ ctx: BindingsContext, _ a: Arguments) throws -> TeacherObject {
    switch d.source {
    case .finite(let b, _):
        return TeacherObject(
            try EmpiricalDenoiser(data: b, name: "empirical \(d.name)"), data: d, kind: "empirical",
            context: ctx)
    case .toy(let t):
        guard let m = t as? GaussianMixture else {
            throw a.error(
                "\(t.name) has no analytic denoiser; use exact(samples(data, n)) for the empirical one, "
                    + "or learned(data)", at: "data")
        }
        return TeacherObject(m, data: d, kind: "exact", context: ctx)
    }
}
