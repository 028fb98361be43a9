import Diffusion
import Foundation
import Plotting
import Tensors

// `plot(traj)` of a solve on images: what the denoiser predicts along each path, as
// images, instead of a 2-D picture of two pixels.

/// Most paths drawn (rows) and levels shown (columns) of an image trajectory.
let imagePathRows = 8, imagePathColumns = 12

/// The levels shown: at most `imagePathColumns` of the `count` columns (the denoiser's
/// prediction at each level, then the final state), evenly spaced, the first and last
/// always among them.
func imagePathLevels(_ count: Int) -> [Int] {
    guard count > imagePathColumns else { return Array(0..<count) }
    let step = Double(count - 1) / Double(imagePathColumns - 1)
    return (0..<imagePathColumns).map { Int((Double($0) * step).rounded()) }
}

/// One row per path (the first ``imagePathRows``), one column per level: D(x_k; σ_k) along
/// the path, then the final state x(σ_min), on the data's scale [−1, 1].
func imagePathsPanel(_ p: inout Panel, _ t: Trajectory) throws {
    let n = min(t.final.count, imagePathRows), d = t.final.dims
    let columns: [Batch] = t.denoised + [t.final]
    let levels = imagePathLevels(columns.count)
    var scalars: [Float] = []
    scalars.reserveCapacity(n * levels.count * d)
    for i in 0..<n {
        for k in levels { scalars += columns[k].row(i).map(Float.init) }
    }
    let grid = try ImageGrid(
        images: Tensor(shape: [n * levels.count, d], scalars: scalars), columns: levels.count, range: -1...1)
    p.imageGrid(grid)
    let paths = t.final.count > n ? "\(n) of \(t.final.count) paths" : "\(n) paths"
    let shown = levels.dropLast().map { formatShort(t.sigmas[$0]) } // the last column is the final state
    let range = shown.count > 1 ? "\(shown.first!) … \(shown.last!)" : shown.first ?? ""
    p.title = "D(x; σ) along \(paths), σ = \(range), then the final state"
}

/// `overlay(traj, student:)` on images: for each chosen point one row of the denoiser's
/// predictions D(x_n; σ_n) along the teacher's path, then one row per student of its
/// f(x_n, σ_n) at the same states, one column per level (as ``imagePathLevels``); the last
/// column is where each row ends, x(σ_min) for the teacher and f(x(σ_min), σ_min) for a
/// student. A perfect consistency function shows the last column in every column.
/// `predictions[s][n]` holds student s's f at level n for the chosen points, in order.
func imageOverlayPanel(
    _ p: inout Panel, _ t: Trajectory, picks: [Int], origins: [Int], students: [String],
    predictions: [[Batch]]
) throws {
    let d = t.final.dims, steps = t.denoised.count
    let levels = imagePathLevels(steps + 1)
    var scalars: [Float] = []
    for (j, point) in picks.enumerated() {
        for k in levels { scalars += (k < steps ? t.denoised[k] : t.final).row(point).map(Float.init) }
        for s in predictions.indices {
            for k in levels { scalars += predictions[s][k].row(j).map(Float.init) }
        }
    }
    let rows = picks.count * (1 + students.count)
    p.imageGrid(
        try ImageGrid(
            images: Tensor(shape: [rows * levels.count, d], scalars: scalars), columns: levels.count,
            range: -1...1))
    let shown = levels.dropLast().map { formatShort(t.sigmas[$0]) }
    let range = shown.count > 1 ? "\(shown.first!) … \(shown.last!)" : shown.first ?? ""
    let order = (["D(x; σ)"] + students.map { "f \($0)" }).joined(separator: ", ")
    let points = origins.map(String.init).joined(separator: ", ")
    p.title = "points \(points), rows \(order); σ = \(range), then the end"
}
