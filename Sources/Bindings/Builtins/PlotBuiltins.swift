import Diffusion
import Distillation
import Foundation
import Plotting
import Script
import Tensors

/// Plots: `plot`, `scatter`, `lines`, `density`, `histogram`, `grid_image`, `field`, `figure`.
/// Each returns a figure; with `file:` it is also written (and shown by the REPL).
func registerPlots(_ r: Registry, _ ctx: BindingsContext) {
    let common: [Parameter] = [.optional("file"), .optional("title")]
    let labelled: [Parameter] = [.optional("xlabel"), .optional("ylabel")] + common

    r.register(
        name: "plot",
        doc: """
            Draws what x is: a trajectory as paths coloured by σ (with a zoom on the data; a trajectory of images \
            as the denoiser's prediction D(x; σ) along up to 8 paths, one row each), a student's or learned \
            teacher's loss curve on a log axis, an error_profile as its mean against σ with the band between its \
            outer quantiles (one colour per group when it was split with by:; without the last level, σ_min, where \
            the error is zero by construction), an [n, 2] tensor as a scatter (an [n, d] one as a scatter of its \
            first two coordinates, titled so; grid_image(x) draws image rows as images), a 1-D tensor or list as a \
            curve, a data set as 4,000 samples (a set of images as a grid of 64).
            A table draws y against x (column names), one line per value of by: (plot(t, x: "iters", y: "fd", by: \
            "model")), with log_x:/log_y: axes.
            """,
        parameters: [
            .required("value"), .optional("x"), .optional("y"), .optional("by"),
            .optional("log_x", .bool(false)), .optional("log_y", .bool(false)),
        ] + common
    ) { a in
        try finish(try plot(a), a, ctx)
    }
    r.register(
        name: "scatter",
        doc: """
            Scatter plots of one or more [n, 2] tensors on one panel, in the colour cycle, with a legend when labels \
            are given. color_by: one value per point (a tensor or list) colours a single point set: numbers through \
            a colour bar, categories (strings, or whole numbers with at most 12 distinct values) in discrete colours \
            with a legend (whole numbers 0, 1, … keep colour k for value k in every plot); categorical: true or \
            false overrides that choice, color_label: names the bar or prefixes \
            the categories ("mode" → "mode 0", "mode 1", …).
            """,
        parameters: [
            .variadic("points"), .optional("labels", .list([])), .optional("equal", .bool(true)),
            .optional("color_by"), .optional("categorical"), .optional("color_label"),
        ]
            + labelled
    ) { a in try finish(try scatter(a), a, ctx) }
    r.register(
        name: "lines",
        doc: """
            Curves on one panel: each a 1-D tensor or list (y against 1, 2, …) or an [n, 2] tensor (x, y); a list of \
            tensors stands for its curves.
            """,
        parameters: [
            .variadic("curves"), .optional("labels", .list([])), .optional("log_x", .bool(false)),
            .optional("log_y", .bool(false)),
        ] + labelled
    ) { a in try finish(try lines(a), a, ctx) }
    r.register(
        name: "density", doc: "A 2-D histogram of an [n, 2] tensor as a heatmap with a colour bar.",
        parameters: [.required("points"), .optional("bins", .number(80))] + common
    ) { a in
        let b = try a.points("points", dims: 2)
        var f = Figure()
        let xs = (0..<b.count).map { b.values[2 * $0] }, ys = (0..<b.count).map { b.values[2 * $0 + 1] }
        f[0].density(x: xs, y: ys, bins: try a.count("bins", limit: Sizes.maxDensityBins))
        f[0].equalAspect = true
        return try finish(f, a, ctx)
    }
    r.register(
        name: "histogram", doc: "A histogram of the numbers in a tensor or list.",
        parameters: [.required("values"), .optional("bins")] + common
    ) { a in
        let xs: [Double]
        switch a["values"] {
        case .tensor(let t): xs = t.scalars.map(Double.init)
        default: xs = try a.numbers("values")
        }
        var f = Figure()
        f[0].histogram(xs, bins: a.isGiven("bins") ? try a.count("bins", limit: Sizes.maxHistogramBins) : nil)
        return try finish(f, a, ctx)
    }
    r.register(
        name: "grid_image",
        doc: """
            An image grid: images as [k, h, w] (grayscale), [k, h, w, 3] (RGB) or [k, d] with d = s² or 3s², values \
            in [−1, 1].
            """, parameters: [.required("images"), .optional("columns", .number(8))] + common
    ) { a in
        let grid = try ImageGrid(images: try a.tensor("images"), columns: try a.positiveInt("columns"))
        var f = Figure()
        f[0].imageGrid(grid)
        return try finish(f, a, ctx)
    }
    r.register(
        name: "field",
        doc: """
            The probability-flow field of a 2-D model at one σ on an n × n grid over [−extent, extent]², as arrows \
            pointing the way the flow moves as σ decreases, towards the data: −dx/dσ = (D(x; σ) − x)/σ (the ODE's \
            dx/dσ = (x − D)/σ, negated). model: a teacher (D its denoiser) or a student (D its consistency function \
            f(x, σ), so each arrow points from x towards where the student jumps, scaled by 1/σ).
            """,
        parameters: [
            .required("model"), .optional("sigma", .number(1)), .optional("extent", .number(1.5)),
            .optional("n", .number(25)),
        ] + common
    ) { a in try finish(try field(a), a, ctx) }
    r.register(
        name: "figure",
        doc: """
            Combines single-panel figures into one figure with a grid of panels (row by row). share_x: true gives \
            every panel the same x range (the union of theirs) and labels x ticks in the bottom row only; share_y: \
            likewise for y, labelled in the left column.
            """,
        parameters: [
            .required("figures"), .optional("columns"), .optional("share_x", .bool(false)),
            .optional("share_y", .bool(false)),
        ] + common
    ) { a in
        try finish(try combined(a), a, ctx)
    }
}

/// Applies `title:`, sizes image grids, writes `file:` when given.
func finish(_ f: Figure, _ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    var f = f
    if a.isGiven("title") {
        if f.rows * f.columns == 1 { f[0].title = try a.string("title") } else { f.title = try a.string("title") }
    }
    f.fitHeightToImageGrids()
    let obj = FigureObject(f, context: ctx)
    if a.isGiven("file") { try obj.write(to: try ctx.resolveWritePath(try a.string("file"))) }
    return .object(obj)
}

/// `xlabel:` and `ylabel:` on the first panel.
func axisLabels(_ f: inout Figure, _ a: Arguments) throws {
    if a.isGiven("xlabel") { f[0].xLabel = try a.string("xlabel") }
    if a.isGiven("ylabel") { f[0].yLabel = try a.string("ylabel") }
}

func lossPanel(_ p: inout Panel, _ curve: [Double], label: String) {
    p.line(y: curve.map { max($0, 1e-12) }, label: label, alpha: 0.35)
    // A moving average over 2% of the run reads better than the raw, noisy curve.
    let w = max(1, curve.count / 50)
    var smooth: [Double] = []
    var acc = 0.0
    for (i, x) in curve.enumerated() {
        acc += x
        if i >= w { acc -= curve[i - w] }
        smooth.append(max(acc / Double(min(i + 1, w)), 1e-12))
    }
    p.line(y: smooth, label: "\(label) (moving average)")
    p.yScale = .log
    p.xLabel = "iteration"; p.yLabel = "loss"
    p.title = "training loss"
}

/// The first two coordinates of each row: what a 2-D picture of the points shows.
func firstTwoColumns(_ b: Batch) -> ([Double], [Double]) {
    ((0..<b.count).map { b.values[$0 * b.dims] }, (0..<b.count).map { b.values[$0 * b.dims + 1] })
}

func tensorShape(_ v: Value) -> String {
    if case .tensor(let t) = v { return " of shape \(t.shape)" }
    return ""
}

extension Value {
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
}
