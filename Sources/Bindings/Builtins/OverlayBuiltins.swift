import Diffusion
import Distillation
import Foundation
import Metrics
import Plotting
import Script
import Tensors

/// `overlay`: what the teacher, its denoiser and the students say along the same paths.
func registerOverlay(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "overlay",
        doc: """
            One panel over chosen points of a trajectory (solve(teacher, solver, x)), one colour per point: the \
            teacher's path x(σ) (solid), the denoiser's predictions D(x_n; σ_n) along it (dashed, small dots), each \
            student's one-step jumps f(x_n, σ_n) from every point of the path (markers joined in order of n, with \
            faint segments from x_n when jumps: true) and the path's end (large dot). A perfect consistency function \
            puts all its markers on the large dot. points: positions in the trajectory (default: up to 4 spread \
            over it); student: a student or a list of them; extent: half-width of the view around the origin \
            (default: fitted to the predictions and ends). Shows the first two coordinates. On images (a solve by \
            an image model): for each point (at most 6) a row of D(x_n; σ_n) and a row of each student's \
            f(x_n, σ_n), one column per level (at most 12), the last column where each row ends.
            """,
        parameters: [
            .required("trajectory"), .optional("student"), .optional("points"),
            .optional("jumps", .bool(true)), .optional("extent"), .optional("file"),
            .optional("title"),
        ]
    ) { a in
        try finishOverlay(try overlay(a), a, ctx)
    }
}

private func finishOverlay(_ f: Figure, _ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let obj = FigureObject(f, context: ctx)
    if a.isGiven("file") { try obj.write(to: try ctx.resolveWritePath(try a.string("file"))) }
    return .object(obj)
}

/// The students of `student:` (one, a list, or none).
private func overlayStudents(_ a: Arguments) throws -> [ConsistencyStudent] {
    switch a["student"] {
    case .none: return []
    case .object(let o as StudentObject): return [o.student]
    case .list(let l):
        return try l.map { v in
            guard case .object(let o as StudentObject) = v else {
                throw a.error("student: takes a student or a list of students, found \(v.brief)", at: "student")
            }
            return o.student
        }
    default: throw a.error("student: takes a student or a list of students, got \(a["student"].brief)", at: "student")
    }
}

private func overlay(_ a: Arguments) throws -> Figure {
    let o = try a.object("trajectory", as: TrajectoryObject.self, described: "a trajectory from solve()")
    let t = o.trajectory
    let n = t.final.count, dims = t.final.dims
    guard dims >= 2 else {
        throw a.error("overlay draws points with at least 2 dims; these have \(dims)", at: "trajectory")
    }
    guard n > 0 else { throw a.error("the trajectory has no points", at: "trajectory") }
    let picks: [Int]
    if a.isGiven("points") {
        let values: [Value]
        if case .number = a["points"] { values = [a["points"]] } else { values = try a.list("points") }
        guard !values.isEmpty else { throw a.error("points: is empty", at: "points") }
        guard values.count <= 20 else {
            throw a.error("\(values.count) points are too many to follow in one panel (at most 20)", at: "points")
        }
        picks = try values.map { v in
            guard case .number(let x) = v, x.isFinite, x == x.rounded() else {
                throw a.error(
                    "points: holds positions in the trajectory (whole numbers), found \(v.brief)", at: "points")
            }
            let i = Int(x) < 0 ? Int(x) + n : Int(x)
            guard i >= 0 && i < n else {
                throw a.error("point \(Int(x)) is out of range: the trajectory has \(n) points", at: "points")
            }
            return i
        }
    } else {
        picks = n <= 4 ? Array(0..<n) : (0..<4).map { $0 * n / 4 }
    }
    let students = try overlayStudents(a)
    for s in students where s.dims != dims {
        throw a.error("a student has \(s.dims) dims, the trajectory \(dims)", at: "student")
    }

    if o.imageSide != nil { // images: the predictions themselves, row by row
        guard picks.count <= 6 else {
            throw a.error("\(picks.count) points of images are too many for one panel (at most 6)", at: "points")
        }
        var f = Figure(width: 640, height: 400)
        try imageOverlayPanel(&f[0], t, picks: picks, origins: picks.map { o.origin[$0] }, students: students)
        if a.isGiven("title") { f[0].title = try a.string("title") }
        return f
    }
    let colors = Color.categorical(picks.count)
    let studentMarkers: [Marker] = [.cross, .plus, .triangle, .diamond, .square]
    var f = Figure(width: 560, height: 400)
    var view: [(Double, Double)] = []
    let x0 = { (b: Batch, i: Int) in b.values[i * b.dims] }, y0 = { (b: Batch, i: Int) in b.values[i * b.dims + 1] }
    // Each student's predictions along the chosen paths, one batch per level n.
    let chosen = t.states.map { $0.rows(at: picks) }
    let predictions = students.map { s in zip(chosen, t.sigmas).map { x, sigma in s.denoise(x, sigma: sigma) } }
    for (j, p) in picks.enumerated() {
        let c = colors[j]
        let px = t.states.map { x0($0, p) }, py = t.states.map { y0($0, p) }
        f[0].line(x: px, y: py, label: "point \(o.origin[p])", color: c, width: 1.6)
        let dx = t.denoised.map { x0($0, p) }, dy = t.denoised.map { y0($0, p) }
        f[0].line(x: dx, y: dy, color: c, width: 1, style: .dashed, marker: .circle, markerSize: 2.6, alpha: 0.85)
        for (k, pred) in predictions.enumerated() {
            let fx = pred.map { x0($0, j) }, fy = pred.map { y0($0, j) }
            if try a.bool("jumps") {
                f[0].segments(x0: px, y0: py, x1: fx, y1: fy, color: c, width: 0.5, alpha: 0.22)
            }
            f[0].line(
                x: fx, y: fy, color: c, width: 0.7, marker: studentMarkers[k % studentMarkers.count],
                markerSize: 5, alpha: 0.8)
            view += zip(fx, fy).map { ($0, $1) }
        }
        f[0].scatter(x: [px.last ?? 0], y: [py.last ?? 0], color: c, size: 9, alpha: 1)
        view += zip(dx, dy).map { ($0, $1) } + [(px.last ?? 0, py.last ?? 0)]
    }
    f[0].legendKey("teacher path x(σ)")
    f[0].legendKey("D(x_n; σ_n)", style: .dashed, marker: .circle)
    for (k, s) in students.enumerated() {
        f[0].legendKey("f(x_n, σ_n) \(displayName(s))", marker: studentMarkers[k % studentMarkers.count])
    }
    f[0].legendKey("end x(σ_min)", marker: .circle, size: 8)

    if a.isGiven("extent") {
        let e = try a.number("extent")
        guard e.isFinite && e > 0 else { throw a.error("extent must be a positive number", at: "extent") }
        f[0].xLimits = -e...e; f[0].yLimits = -e...e
    } else {
        // Fit the view to where predictions and ends lie; the paths come in from far away.
        let xs = view.map(\.0).filter(\.isFinite), ys = view.map(\.1).filter(\.isFinite)
        if let xl = xs.min(), let xh = xs.max(), let yl = ys.min(), let yh = ys.max() {
            // A square view, so equal units fill the panel.
            let half = max(xh - xl, yh - yl, 0.2) * 0.6, cx = (xl + xh) / 2, cy = (yl + yh) / 2
            f[0].xLimits = (cx - half)...(cx + half); f[0].yLimits = (cy - half)...(cy + half)
        }
    }
    f[0].equalAspect = true
    f[0].legend = .avoidingData
    f[0].title = a.isGiven("title") ? try a.string("title") : "teacher path, D(x; σ) and f(x, σ) along it"
    return f
}
