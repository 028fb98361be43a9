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
