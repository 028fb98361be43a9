import Diffusion
import Distillation
import Foundation
import Plotting
import Script
import Tensors

// `plot(value)`: what each kind of value draws as (trajectories, profiles, tables, tensors,
// students, teachers).

func plot(_ a: Arguments) throws -> Figure {
    var f = Figure()
    if let t = dataTable(a["value"]) {
        try tablePanel(&f[0], t, a)
        return f
    }
    for name in ["x", "y", "by"] where a.isGiven(name) {
        throw a.error("\(name): names a column when plotting a table; this is \(a["value"].brief)", at: name)
    }
    switch a["value"] {
    case .object(let o as TrajectoryObject) where o.imageSide != nil:
        try imagePathsPanel(&f[0], o.trajectory)
    case .object(let o as TrajectoryObject):
        f = Figure(rows: 1, columns: 2)
        let t = o.trajectory, dims = t.final.dims
        let which = dims > 2 ? " (coordinates 0 and 1 of \(dims))" : ""
        f[0].trajectories(states: t.states, sigmas: t.sigmas)
        f[0].title = "probability-flow trajectories" + which; f[0].equalAspect = true
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
    case .object(let o as DataObject) where o.imageSide != nil:
        // A set of images: 64 of them as a grid (a scatter of two pixels says nothing).
        f[0].imageGrid(try ImageGrid(images: o.sample(64, rng: RNG(seed: 0)).tensor, columns: 8))
        f[0].title = o.name
    case .object(let o as DataObject):
        f[0].scatter(o.sample(4000, rng: RNG(seed: 0)), label: o.name)
        f[0].equalAspect = true
    case .tensor(let t) where t.rank == 2 && t.shape[1] >= 2:
        f[0].scatter(t.batch); f[0].equalAspect = true
        if t.shape[1] > 2 { // say which two of the coordinates the picture shows
            f[0].title = "coordinates 0 and 1 of \(t.shape[1])"
            f[0].xLabel = "x[0]"
            f[0].yLabel = "x[1]"
        }
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
func profilePanel(_ p: inout Panel, _ r: Record, _ a: Arguments) throws {
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
func tablePanel(_ p: inout Panel, _ t: DataTable, _ a: Arguments) throws {
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
func curveLabel(_ labels: [Value], _ i: Int) -> String? {
    i < labels.count ? (labels[i].stringValue ?? labels[i].repr) : nil
}
