import Diffusion
import Distillation
import Foundation
import Plotting
import Tensors

// `plot(traj)` and `overlay(traj, student:)` of a solve on images: what the denoiser and
// the students predict along each path, as images, instead of a 2-D picture of two pixels.

/// Most paths `plot` draws (rows) and levels shown (columns) of an image trajectory.
let imagePathRows = 8, imagePathColumns = 12

/// The levels shown: at most `imagePathColumns` of the `count` columns (the denoiser's
/// prediction at each level, then the final state), evenly spaced, the first and last
/// always among them.
func imagePathLevels(_ count: Int) -> [Int] {
    guard count > imagePathColumns else { return Array(0..<count) }
    let step = Double(count - 1) / Double(imagePathColumns - 1)
    return (0..<imagePathColumns).map { Int((Double($0) * step).rounded()) }
}

/// The image rows of the chosen `points`, one column per shown level (``imagePathLevels``):
/// for each point the denoiser's predictions D(x_n; σ_n) along the teacher's path, ending
/// on the final state x(σ_min), then one row per student of its f(x_n, σ_n) from the same
/// states (computed at the shown levels only), ending on f at σ_min; on the data's scale
/// [−1, 1]. Returns the grid and the levels shown.
func imagePathGrid(_ t: Trajectory, points: [Int], students: [ConsistencyStudent]) throws -> (ImageGrid, [Int]) {
    let steps = t.denoised.count, levels = imagePathLevels(steps + 1)
    // predictions[s][c]: student s at the c-th shown level, one row per chosen point.
    let predictions = students.map { s in
        levels.map { k in s.denoise(t.states[k].rows(at: points), sigma: t.sigmas[k]) }
    }
    var scalars: [Float] = []
    scalars.reserveCapacity(points.count * (1 + students.count) * levels.count * t.final.dims)
    for (j, point) in points.enumerated() {
        for k in levels { scalars += (k < steps ? t.denoised[k] : t.final).row(point).map(Float.init) }
        for p in predictions {
            for batch in p { scalars += batch.row(j).map(Float.init) }
        }
    }
    let rows = points.count * (1 + students.count)
    let images = Tensor(shape: [rows * levels.count, t.final.dims], scalars: scalars)
    return (try ImageGrid(images: images, columns: levels.count, range: -1...1), levels)
}

/// "80 … 0.02293": the noise levels of the shown columns before the last (the last shows
/// where each row ends).
func shownSigmas(_ t: Trajectory, _ levels: [Int]) -> String {
    let shown = levels.dropLast().map { formatShort(t.sigmas[$0]) }
    return shown.count > 1 ? "\(shown.first!) … \(shown.last!)" : shown.first ?? ""
}

/// `plot(traj)`: the first ``imagePathRows`` paths, one row of D(x; σ) each.
func imagePathsPanel(_ p: inout Panel, _ t: Trajectory) throws {
    let n = min(t.final.count, imagePathRows)
    let (grid, levels) = try imagePathGrid(t, points: Array(0..<n), students: [])
    p.imageGrid(grid)
    let paths = t.final.count > n ? "\(n) of \(t.final.count) paths" : "\(n) paths"
    p.title = "D(x; σ) along \(paths), σ = \(shownSigmas(t, levels)), then the final state"
}

/// `overlay(traj, student:)` on images: per chosen point a row of D(x_n; σ_n) and a row of
/// each student's f(x_n, σ_n). A perfect consistency function repeats its last column in
/// every column.
func imageOverlayPanel(
    _ p: inout Panel, _ t: Trajectory, picks: [Int], origins: [Int], students: [ConsistencyStudent]
) throws {
    let (grid, levels) = try imagePathGrid(t, points: picks, students: students)
    p.imageGrid(grid)
    let order = (["D(x; σ)"] + students.map { "f \(displayName($0))" }).joined(separator: ", ")
    let points = origins.map(String.init).joined(separator: ", ")
    p.title = "points \(points), rows \(order); σ = \(shownSigmas(t, levels)), then the end"
}
