import Foundation
import Tensors

/// The uniform distribution on the black squares of a `cells × cells` board over
/// `[−extent, extent]²`. Square `(i, j)` (column `i`, row `j`, from the lower-left
/// corner) is black when `i + j` is even, so the lower-left square is black.
///
/// With `B = ⌈cells²/2⌉` black squares of side `h = 2·extent/cells`, the density is
/// `p(x) = 1/(B·h²)` on a black square and 0 elsewhere (including outside the board).
/// Square edges are half-open, `[lo, hi)`, except the board's upper edges, which are closed.
public struct Checkerboard: ToyDistribution {
    public let cells: Int
    public let extent: Double
    public var name: String { "checkerboard\(cells)" }
    public var dims: Int { 2 }

    /// Side of one square, `2·extent/cells`.
    public var cellSide: Double { 2 * extent / Double(cells) }
    /// Number of black squares, `⌈cells²/2⌉`.
    public var blackCells: Int { (cells * cells + 1) / 2 }

    public init(cells: Int = 4, extent: Double = 1) throws(DatasetError) {
        guard cells >= 1 && cells <= 10_000 else {
            throw DatasetError("checkerboard: cells = \(cells), need 1 … 10000")
        }
        guard extent.isFinite && extent > 0 else {
            throw DatasetError("checkerboard: extent = \(extent) must be a positive number")
        }
        self.cells = cells
        self.extent = extent
    }

    /// Row `i`: a black square uniformly (counter `i` of stream 1), then a uniform
    /// point inside it (counters `2i`, `2i+1` of stream 2).
    public func sample(count: Int, rng: RNG) -> Batch {
        let pick = rng.stream(1), inside = rng.stream(2)
        let h = cellSide
        var out = Batch(count: count, dims: 2)
        for n in 0..<count {
            // The b-th black square in row-major order over (row j, column i).
            let b = pick.integer(at: UInt64(n), below: blackCells)
            let flat = 2 * b + (cells % 2 == 0 ? ((2 * b / cells) % 2) : 0)
            let j = flat / cells, i = flat % cells
            out.values[2 * n] = -extent + h * (Double(i) + inside.uniform(at: UInt64(2 * n)))
            out.values[2 * n + 1] = -extent + h * (Double(j) + inside.uniform(at: UInt64(2 * n + 1)))
        }
        return out
    }

    /// `log(1/(B·h²))` on black squares, `-inf` elsewhere.
    public func exactLogDensity(_ x: Batch) -> [Double]? {
        guard x.dims == 2 else { return nil }
        let h = cellSide, logP = -log(Double(blackCells) * h * h)
        var out = [Double](repeating: -.infinity, count: x.count)
        for n in 0..<x.count {
            guard let i = cell(x.values[2 * n]), let j = cell(x.values[2 * n + 1]) else { continue }
            if (i + j) % 2 == 0 { out[n] = logP }
        }
        return out
    }

    /// The square index of a coordinate, or nil off the board.
    private func cell(_ v: Double) -> Int? {
        guard v >= -extent && v <= extent else { return nil }
        return min(cells - 1, Int(((v + extent) / cellSide).rounded(.down)))
    }
}
