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
            Draws what x is: a trajectory as paths coloured by σ (with a zoom on the data), a student's or learned \
            teacher's loss curve on a log axis, an error_profile as its mean against σ with the band between its \
            outer quantiles (one colour per group when it was split with by:; without the last level, σ_min, where \
            the error is zero by construction), an [n, 2] tensor as a scatter, a 1-D tensor or list as a curve, a \
            data set as 4,000 samples.
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
private func finish(_ f: Figure, _ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    var f = f
    if a.isGiven("title") {
        if f.rows * f.columns == 1 { f[0].title = try a.string("title") } else { f.title = try a.string("title") }
    }
    f.fitHeightToImageGrids()
    let obj = FigureObject(f, context: ctx)
    if a.isGiven("file") { try obj.write(to: try ctx.resolveWritePath(try a.string("file"))) }
    return .object(obj)
}

private func plot(_ a: Arguments) throws -> Figure {
    var f = Figure()
    if let t = dataTable(a["value"]) {
        try tablePanel(&f[0], t, a)
        return f
    }
    for name in ["x", "y", "by"] where a.isGiven(name) {
        throw a.error("\(name): names a column when plotting a table; this is \(a["value"].brief)", at: name)
    }
    switch a["value"] {
    case .object(let o as TrajectoryObject):
        f = Figure(rows: 1, columns: 2)
        let t = o.trajectory
        f[0].trajectories(states: t.states, sigmas: t.sigmas)
        f[0].title = "probability-flow trajectories"; f[0].equalAspect = true
        f[1].trajectories(states: t.states, sigmas: t.sigmas)
        f[1].xLimits = -1.5...1.5; f[1].yLimits = -1.5...1.5; f[1].equalAspect = true
        f[1].title = "near the data"
    case .object(let o as StudentObject):
        lossPanel(&f[0], o.student.lossCurve, label: o.student.name)
    case .object(let o as TeacherObject):
        if let l = o.denoiser as? LearnedDenoiser {
            lossPanel(&f[0], l.lossCurve, label: l.unet == nil ? "teacher" : "U-Net teacher")
        } else {
            throw a.error("an exact teacher has no loss curve; plot(samples(data, n)) shows its data", at: "value")
        }
    case .object(let o as DataObject):
        f[0].scatter(o.sample(4000, rng: RNG(seed: 0)), label: o.name)
        f[0].equalAspect = true
    case .tensor(let t) where t.rank == 2 && t.shape[1] >= 2:
        f[0].scatter(t.batch); f[0].equalAspect = true
    case .tensor(let t) where t.rank == 1 || (t.rank == 2 && t.shape[1] == 1):
        f[0].line(y: t.scalars.map(Double.init))
    case .record(let r) where r["sigma"] != nil && r["error"] != nil:
        try profilePanel(&f[0], r, a)
        if r["groups"] != nil { f.width = 500 } // room for the legend beside the panel
    case .list(let l):
        f[0].line(
            y: try l.map { v -> Double in
                guard case .number(let x) = v else { throw a.error("plot a list of numbers", at: "value") }
                return x
            })
    default:
        throw a.error(
            "cannot plot a \(a["value"].typeName) (shape-wise); expected a trajectory, student, data set, "
                + "[n, 2] tensor or 1-D tensor", at: "value")
    }
    return f
}

/// `plot(error_profile(…))`: the mean per-σ error with the band between the outer quantiles
/// (and the median dashed), or one mean and band per group; log–log.
private func profilePanel(_ p: inout Panel, _ r: Record, _ a: Arguments) throws {
    func numbers(_ v: Value?) -> [Double]? {
        if case .tensor(let t)? = v { return t.scalars.map(Double.init) }; return nil
    }
    guard var sigma = numbers(r["sigma"]), var error = numbers(r["error"]), sigma.count == error.count, sigma.count >= 2
    else {
        throw a.error("an error profile needs 1-D tensors sigma and error of one length (at least 2)", at: "x")
    }
    // The last level is σ_min, where f(x, σ_min) = x is the end itself: its error is
    // round-off and would stretch the log axis over ten decades of nothing.
    let levels = sigma.count - 1
    sigma = Array(sigma.prefix(levels)); error = Array(error.prefix(levels))
    /// Rows of an error_q tensor [quantiles, levels].
    func rows(_ v: Value?) -> [[Double]] {
        guard case .tensor(let t)? = v, t.rank == 2, t.shape[0] > 0 else { return [] }
        let n = t.shape[1]
        return (0..<t.shape[0]).map { k in (0..<min(n, levels)).map { Double(t.scalars[k * n + $0]) } }
    }
    let qs = numbers(r["quantiles"]) ?? []
    func pct(_ q: Double) -> String { formatShort(q * 100) + "%" }
    if case .list(let groups)? = r["groups"] {
        let colors = Color.categorical(groups.count)
        for (g, v) in groups.enumerated() {
            guard case .record(let gr) = v, let all = numbers(gr["error"]), all.count == levels + 1 else { continue }
            let mean = Array(all.prefix(levels))
            let q = rows(gr["error_q"])
            if q.count >= 2, q[0].count == sigma.count {
                p.band(x: sigma, lower: q[0], upper: q[q.count - 1], color: colors[g], alpha: 0.15)
            }
            let prefix = r["by"]?.stringValue.map { $0 + " " } ?? ""
            let name = prefix + (gr["group"].map { $0.stringValue ?? $0.repr } ?? "\(g)")
            let count = gr["count"].map { " (n = \($0.repr))" } ?? ""
            p.line(x: sigma, y: mean, label: "\(name)\(count)", color: colors[g], width: 1.4)
        }
        if qs.count >= 2 {
            p.legendKey("band: \(pct(qs[0]))–\(pct(qs[qs.count - 1]))", line: Color(hex: 0x999999), width: 6)
        }
        p.legend = .avoidingData
    } else {
        let q = rows(r["error_q"]), c = Color.cycle[0]
        if q.count >= 2, q[0].count == sigma.count {
            p.band(
                x: sigma, lower: q[0], upper: q[q.count - 1], color: c,
                label: "\(pct(qs.first ?? 0))–\(pct(qs.last ?? 1))")
        }
        if let m = qs.firstIndex(of: 0.5), m < q.count, q[m].count == sigma.count {
            p.line(x: sigma, y: q[m], label: "median", color: c, width: 1.1, style: .dashed)
        }
        p.line(x: sigma, y: error, label: "mean", color: c, width: 1.6)
    }
    p.xScale = .log; p.yScale = .log
    p.xLabel = "σ"; p.yLabel = "‖f(x_n, σ_n) − x_final‖² / d"
    p.title = "error along the teacher's trajectories"
}

/// `plot(t, x:, y:, by:)`: y against x, one line per group of by (in order of first
/// appearance), points sorted by x; markers when a line has at most 20 points.
private func tablePanel(_ p: inout Panel, _ t: DataTable, _ a: Arguments) throws {
    guard a.isGiven("x"), a.isGiven("y") else {
        throw a.error(
            "plotting a table needs x: and y: (column names); its columns are " + t.columns.joined(separator: ", "))
    }
    let xc = try columnNames(a, "x", in: t)[0], yc = try columnNames(a, "y", in: t)[0]
    for (c, name) in [(xc, "x"), (yc, "y")] where !t.isNumeric(c) {
        throw a.error("column '\(t.columns[c])' does not hold numbers, so it cannot be an axis", at: name)
    }
    var groups: [(String, [Int])] = [("", Array(0..<t.rowCount))]
    if a.isGiven("by") {
        let keys = try columnNames(a, "by", in: t)
        var order: [[DataTable.Cell]] = [], members: [[DataTable.Cell]: [Int]] = [:]
        for (i, r) in t.rows.enumerated() {
            let k = keys.map { r[$0] }
            if members[k] == nil { order.append(k) }
            members[k, default: []].append(i)
        }
        guard order.count <= 50 else {
            throw a.error("by: makes \(order.count) lines; at most 50 stay readable", at: "by")
        }
        groups = order.map { k in (k.map(\.display).joined(separator: ", "), members[k] ?? []) }
    }
    for (label, rows) in groups {
        let pts = rows.compactMap { i -> (Double, Double)? in
            guard let x = t.rows[i][xc].number, let y = t.rows[i][yc].number else { return nil }
            return (x, y)
        }.sorted { $0.0 < $1.0 }
        p.line(
            x: pts.map(\.0), y: pts.map(\.1), label: a.isGiven("by") ? label : nil,
            marker: pts.count <= 20 ? .circle : nil)
    }
    if try a.bool("log_x") { p.xScale = .log }
    if try a.bool("log_y") { p.yScale = .log }
    p.xLabel = t.columns[xc]; p.yLabel = t.columns[yc]
}

/// The `labels:` entry for the i-th curve or point set, if any.
private func curveLabel(_ labels: [Value], _ i: Int) -> String? {
    i < labels.count ? (labels[i].stringValue ?? labels[i].repr) : nil
}

/// `xlabel:` and `ylabel:` on the first panel.
private func axisLabels(_ f: inout Figure, _ a: Arguments) throws {
    if a.isGiven("xlabel") { f[0].xLabel = try a.string("xlabel") }
    if a.isGiven("ylabel") { f[0].yLabel = try a.string("ylabel") }
}

private func scatter(_ a: Arguments) throws -> Figure {
    guard !a.rest.isEmpty else { throw a.error("scatter needs at least one [n, 2] tensor") }
    let labels = try a.list("labels")
    var f = Figure()
    for (i, v) in a.rest.enumerated() {
        guard case .tensor(let t) = v, t.rank == 2, t.shape[1] >= 2 else {
            throw ScriptError(
                "scatter: argument \(i + 1) must be an [n, 2] tensor, got \(v.typeName)\(tensorShape(v))",
                at: a.restSpans[i])
        }
        if a.isGiven("color_by") {
            guard a.rest.count == 1 else {
                throw a.error("color_by colours one point set; \(a.rest.count) were given", at: "color_by")
            }
            try colorBy(&f[0], t.batch, a, label: curveLabel(labels, i))
        } else {
            f[0].scatter(t.batch, label: curveLabel(labels, i))
        }
    }
    f[0].equalAspect = try a.bool("equal")
    try axisLabels(&f, a)
    return f
}

/// `scatter(points, color_by: values)`: a colour bar for quantities, a legend for categories.
private func colorBy(_ p: inout Panel, _ b: Batch, _ a: Arguments, label: String?) throws {
    let (xs, ys) = firstTwoColumns(b)
    var numbers: [Double]? = nil, strings: [String]? = nil
    switch a["color_by"] {
    case .tensor(let t) where t.rank == 1 || (t.rank == 2 && t.shape[1] == 1): numbers = t.scalars.map(Double.init)
    case .list(let l) where l.allSatisfy({ if case .number = $0 { true } else { false } }):
        numbers = l.map { if case .number(let x) = $0 { x } else { .nan } }
    case .list(let l) where l.allSatisfy({ $0.stringValue != nil }): strings = l.compactMap(\.stringValue)
    default:
        throw a.error(
            "color_by takes one number or string per point (a 1-D tensor or a list), got \(a["color_by"].brief)",
            at: "color_by")
    }
    let count = numbers?.count ?? strings?.count ?? 0
    guard count == b.count else {
        throw a.error("color_by has \(count) values for \(b.count) points", at: "color_by")
    }
    let name = a.isGiven("color_label") ? try a.string("color_label") : nil
    let maxCategories = 100
    if let numbers {
        let whole = numbers.allSatisfy { $0.isFinite && $0 == $0.rounded() }
        let distinct = Set(numbers.filter(\.isFinite)).sorted()
        let categorical = a.isGiven("categorical") ? try a.bool("categorical") : whole && distinct.count <= 12
        if !categorical {
            p.scatter(x: xs, y: ys, values: numbers, colorbarLabel: name, label: label)
            return
        }
        guard numbers.allSatisfy(\.isFinite) else { throw a.error("categories must be finite numbers", at: "color_by") }
        guard distinct.count <= maxCategories else {
            throw a.error(
                "\(distinct.count) categories are too many to tell apart (at most \(maxCategories)); "
                    + "leave categorical: out for a colour bar", at: "color_by")
        }
        // Whole numbers 0, 1, … (modes, classes) keep their own colour: value k takes colour k of
        // the cycle, so mode 3 has one colour in every panel, whichever modes a panel holds.
        let label = { (v: Double) in (name.map { $0 + " " } ?? "") + formatShort(v) }
        if let top = distinct.last, distinct.first ?? 0 >= 0, top < Double(maxCategories) {
            let names = (0...Int(top)).map { label(Double($0)) }
            p.scatter(x: xs, y: ys, groups: numbers.map { Int($0) }, names: names)
        } else {
            let position = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
            p.scatter(x: xs, y: ys, groups: numbers.map { position[$0] ?? 0 }, names: distinct.map(label))
        }
        p.legend = .avoidingData
    } else if let strings {
        if a.isGiven("categorical"), try !a.bool("categorical") {
            throw a.error("strings can only be categories", at: "categorical")
        }
        var order: [String] = [], position: [String: Int] = [:]
        for s in strings where position[s] == nil { position[s] = order.count; order.append(s) }
        guard order.count <= maxCategories else {
            throw a.error(
                "\(order.count) categories are too many to tell apart (at most \(maxCategories))", at: "color_by")
        }
        p.scatter(x: xs, y: ys, groups: strings.map { position[$0] ?? 0 }, names: order)
        p.legend = .avoidingData
    }
}

private func lines(_ a: Arguments) throws -> Figure {
    guard !a.rest.isEmpty else { throw a.error("lines needs at least one curve") }
    let labels = try a.list("labels")
    var f = Figure()
    // A list of tensors stands for its curves (a notebook building a variable number of them).
    var curves: [(value: Value, span: SourceSpan)] = []
    for (v, span) in zip(a.rest, a.restSpans) {
        if case .list(let l) = v, !l.isEmpty, l.allSatisfy({ if case .tensor = $0 { true } else { false } }) {
            curves += l.map { ($0, span) }
        } else {
            curves.append((v, span))
        }
    }
    for (i, (v, span)) in curves.enumerated() {
        let label = curveLabel(labels, i)
        switch v {
        case .tensor(let t) where t.rank == 2 && t.shape[1] == 2:
            let b = t.batch
            let xs = (0..<b.count).map { b.values[2 * $0] }, ys = (0..<b.count).map { b.values[2 * $0 + 1] }
            f[0].line(x: xs, y: ys, label: label, marker: b.count <= 20 ? .circle : nil)
        case .tensor(let t) where t.rank == 1:
            f[0].line(y: t.scalars.map(Double.init), label: label, marker: t.count <= 20 ? .circle : nil)
        case .list(let l):
            let ys = try l.map { x -> Double in
                guard case .number(let n) = x else {
                    throw ScriptError("lines: a list curve must hold numbers (or be a list of tensors)", at: span)
                }
                return n
            }
            f[0].line(y: ys, label: label, marker: ys.count <= 20 ? .circle : nil)
        default:
            throw ScriptError(
                "lines: curve \(i + 1) must be a 1-D tensor, a list of numbers or an [n, 2] tensor, got "
                    + "\(v.typeName)\(tensorShape(v))", at: span)
        }
    }
    if try a.bool("log_x") { f[0].xScale = .log }
    if try a.bool("log_y") { f[0].yScale = .log }
    try axisLabels(&f, a)
    return f
}

private func field(_ a: Arguments) throws -> Figure {
    let D = try denoiser(a, "model")
    guard D.dims == 2 else { throw a.error("field draws 2-D models; this one has \(D.dims) dims", at: "model") }
    let sigma = try a.number("sigma"), e = try a.number("extent"), n = try a.positiveInt("n")
    guard sigma.isFinite && sigma > 0 else { throw a.error("sigma must be positive", at: "sigma") }
    guard e.isFinite && e > 0 else { throw a.error("extent must be positive", at: "extent") }
    guard n <= 200 else { throw a.error("n = \(n) is too many arrows (at most 200 per side)", at: "n") }
    let xs = (0..<n).map { -e + 2 * e * Double($0) / Double(max(1, n - 1)) }
    var pts: [Double] = []
    for y in xs { for x in xs { pts += [x, y] } }
    let v = D.velocity(Batch(count: n * n, dims: 2, values: pts), sigma: [Double](repeating: sigma, count: n * n))
    var f = Figure()
    // Arrows point along the flow towards lower σ: −dx/dσ.
    let u = (0..<(n * n)).map { -v.values[2 * $0] }, w = (0..<(n * n)).map { -v.values[2 * $0 + 1] }
    f[0].vectorField(x: xs, y: xs, u: u, v: w)
    f[0].equalAspect = true
    f[0].title = "−dx/dσ at σ = \(formatShort(sigma))"
    return f
}

/// `figure(figures, columns:)`: the panels of single-panel figures on one grid.
private func combined(_ a: Arguments) throws -> Figure {
    let figs = try a.list("figures").map { v -> Figure in
        guard case .object(let o as FigureObject) = v else {
            throw a.error("figure() takes a list of figures, found \(v.typeName)", at: "figures")
        }
        return o.figure
    }
    let panels = figs.flatMap { f in (0..<(f.rows * f.columns)).map { f[$0] } }
    guard !panels.isEmpty else { throw a.error("figure() needs at least one figure", at: "figures") }
    let cols = a.isGiven("columns") ? min(try a.positiveInt("columns"), panels.count) : min(panels.count, 3)
    let rows = (panels.count + cols - 1) / cols
    var f = Figure(rows: rows, columns: cols)
    for (i, p) in panels.enumerated() { f[i] = p }
    f.sharesX = try a.bool("share_x")
    f.sharesY = try a.bool("share_y")
    return f
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
