import Diffusion
import Distillation
import Foundation
import Plotting
import Script
import Tensors

// The point plots: `scatter` (coloured by a column, a mode or a mask), `lines`, `field`,
// and `figure`, which combines figures into panels.

func scatter(_ a: Arguments) throws -> Figure {
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
func colorBy(_ p: inout Panel, _ b: Batch, _ a: Arguments, label: String?) throws {
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

func lines(_ a: Arguments) throws -> Figure {
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

func field(_ a: Arguments) throws -> Figure {
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
func combined(_ a: Arguments) throws -> Figure {
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
