import Foundation
import Tensors

/// Draws the five standard pictures of a study from plain arrays and returns their files:
///
/// 1. `trajectories.png` — probability-flow paths coloured by σ (log scale), the whole
///    flow beside a zoom on the data region;
/// 2. `samples.png` — teacher and student samples on common, equal-aspect axes;
/// 3. `density.png` — 2-D histograms of teacher and student samples over the same cells;
/// 4. `loss.png` — the training loss on a log axis, raw and smoothed;
/// 5. `images.png` — a grid of image samples.
///
/// `trajectories[p][k]` is path p at step k and `sigmas[k]` its σ; samples are (x, y)
/// points; `images` is any shape ``ImageGrid`` accepts, or nil for a study without
/// images (then `images.png` is not written). The folder must exist.
public func renderGallery(
    to directory: URL,
    trajectories: [[(Double, Double)]], sigmas: [Double],
    teacherSamples: [(Double, Double)], studentSamples: [(Double, Double)],
    lossCurve: [Double], images: Tensor?, imageColumns: Int = 8,
    teacherName: String = "teacher (Heun)", studentName: String = "student (1 step)",
    dpi: Double = Figure.defaultDPI
) throws -> [URL] {
    var urls: [URL] = []
    func save(_ fig: Figure, _ name: String) throws {
        let url = directory.appendingPathComponent(name)
        try fig.save(to: url, dpi: dpi)
        urls.append(url)
    }
    let tx = teacherSamples.map(\.0), ty = teacherSamples.map(\.1)
    let sx = studentSamples.map(\.0), sy = studentSamples.map(\.1)

    // A square window around the data: the teacher's samples (or the paths' ends),
    // robust to strays, with room for the modes' spread.
    let ends = teacherSamples.isEmpty ? trajectories.compactMap(\.last) : teacherSamples
    let radius = dataRadius(ends)
    let window = (-radius)...radius

    // 1. Trajectories.
    var traj = Figure(rows: 1, columns: 2, width: 700, height: 320)
    traj[0].trajectories(paths: trajectories, sigmas: sigmas, markEnds: true)
    traj[0].showsColorbar = false
    traj[0].equalAspect = true
    traj[0].legend = .hidden
    traj[0].title = "probability-flow trajectories"
    traj[0].xLabel = "x₁"; traj[0].yLabel = "x₂"
    traj[1].trajectories(paths: trajectories, sigmas: sigmas, markEnds: true)
    traj[1].xLimits = window; traj[1].yLimits = window
    traj[1].equalAspect = true
    traj[1].title = "near the data"
    traj[1].xLabel = "x₁"; traj[1].yLabel = "x₂"
    try save(traj, "trajectories.png")

    // 2. Teacher vs student samples.
    var samples = Figure(rows: 1, columns: 1, width: 380, height: 340)
    samples[0].scatter(x: tx, y: ty, color: Color(hex: 0x1F5FA8), size: 2.6, alpha: 0.45, label: teacherName)
    samples[0].scatter(x: sx, y: sy, color: Color(hex: 0xE8792B), size: 2.6, alpha: 0.45, label: studentName)
    samples[0].xLimits = window; samples[0].yLimits = window
    samples[0].equalAspect = true
    samples[0].title = "one-step samples against the teacher"
    samples[0].xLabel = "x₁"; samples[0].yLabel = "x₂"
    try save(samples, "samples.png")

    // 3. Densities over the same cells.
    var density = Figure(rows: 1, columns: 2, width: 700, height: 300)
    let bins = 90
    // One colour scale for both, so equal colours mean equal counts.
    let peak =
        [(tx, ty), (sx, sy)].map { xs, ys in
            Heatmap.histogram(x: xs, y: ys, bins: (bins, bins), xRange: window, yRange: window).max() ?? 1
        }.max() ?? 1
    density[0].density(
        x: tx, y: ty, bins: bins, range: (window, window), colorRange: 0...max(peak, 1), label: "samples per cell")
    density[0].title = teacherName
    density[1].density(
        x: sx, y: sy, bins: bins, range: (window, window), colorRange: 0...max(peak, 1), label: "samples per cell")
    density[1].title = studentName
    for i in 0..<2 {
        density[i].equalAspect = true; density[i].showsGrid = false; density[i].xLabel = "x₁"; density[i].yLabel = "x₂"
    }
    try save(density, "density.png")

    // 4. Loss curve.
    var loss = Figure(rows: 1, columns: 1, width: 420, height: 300)
    loss[0].line(y: lossCurve, label: "loss", color: Color(hex: 0x1F5FA8).withAlpha(0.3), width: 0.8)
    loss[0].line(y: smoothed(lossCurve), label: "moving average", color: Color(hex: 0x1F5FA8), width: 1.8)
    loss[0].yScale = .log
    loss[0].title = "training loss"
    loss[0].xLabel = "iteration"; loss[0].yLabel = "loss"
    try save(loss, "loss.png")

    // 5. Image samples.
    guard let images else { return urls }
    let grid = try ImageGrid(images: images, columns: imageColumns, separator: 1)
    let aspect = Double(grid.pixelHeight) / Double(grid.pixelWidth)
    var sheet = Figure(rows: 1, columns: 1, width: 420, height: 420 * aspect + 40)
    sheet[0].imageGrid(grid)
    sheet[0].title = "samples"
    try save(sheet, "images.png")
    return urls
}

/// Half-width of a square window holding the points: the 99th percentile of
/// |coordinate|, grown by 35% (at least 0.5), so the modes sit well inside.
func dataRadius(_ points: [(Double, Double)]) -> Double {
    let r = points.flatMap { [abs($0.0), abs($0.1)] }.filter(\.isFinite).sorted()
    guard !r.isEmpty else { return 1.5 }
    return max(0.5, quantile(r, 0.99) * 1.35)
}

/// An exponential moving average with a bias correction at the start, so the first
/// points are not pulled towards zero (as Adam corrects its moments).
func smoothed(_ y: [Double], window: Double? = nil) -> [Double] {
    let beta = 1 - 1 / (window ?? max(5, Double(y.count) / 40))
    var m = 0.0, out: [Double] = []
    out.reserveCapacity(y.count)
    for (i, v) in y.enumerated() {
        m = beta * m + (1 - beta) * v
        out.append(m / (1 - pow(beta, Double(i + 1))))
    }
    return out
}

/// The gallery from solver output as it comes: `trajectoryStates[k]` holds every
/// path at step k (at most `maxPaths` evenly chosen paths are drawn), samples are
/// batches whose first two coordinates are plotted.
public func renderGallery(
    to directory: URL,
    trajectoryStates: [Batch], sigmas: [Double],
    teacherSamples: Batch, studentSamples: Batch,
    lossCurve: [Double], images: Tensor?, imageColumns: Int = 8, maxPaths: Int = 300,
    teacherName: String = "teacher (Heun)", studentName: String = "student (1 step)",
    dpi: Double = Figure.defaultDPI
) throws -> [URL] {
    for (name, b) in [("teacherSamples", teacherSamples), ("studentSamples", studentSamples)]
        + trajectoryStates.map({ ("trajectoryStates", $0) })
    {
        guard b.dims >= 2 else {
            throw PlotError.badShape("renderGallery: \(name) needs 2-D points, got \(b.dims) dims")
        }
    }
    func pairs(_ b: Batch) -> [(Double, Double)] {
        (0..<b.count).map { (b.values[$0 * b.dims], b.values[$0 * b.dims + 1]) }
    }
    return try renderGallery(
        to: directory, trajectories: trajectoryPaths(states: trajectoryStates, maxPaths: maxPaths),
        sigmas: sigmas, teacherSamples: pairs(teacherSamples), studentSamples: pairs(studentSamples),
        lossCurve: lossCurve, images: images, imageColumns: imageColumns,
        teacherName: teacherName, studentName: studentName, dpi: dpi)
}
