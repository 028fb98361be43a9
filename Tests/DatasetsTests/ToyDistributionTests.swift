import Datasets
import Diffusion
import Foundation
import Tensors
import TestSupport
import Testing

@Suite struct ToyDistributionTests {
    static func all() throws -> [any ToyDistribution] {
        [
            try Toy.ring(), try Toy.gridmix(), try Toy.gaussian(mean: [1, -2, 0.5], std: 0.3),
            try Toy.moons(), try Toy.spirals(arms: 3), try Toy.checkerboard(),
            try Toy.checkerboard(cells: 5, extent: 2),
        ]
    }

    /// Row `i` depends only on (seed, i): the first rows of a large draw equal a small draw,
    /// and another seed changes them.
    @Test func samplesAreDeterministicPerRow() throws {
        for toy in try Self.all() {
            let rng = RNG(seed: 11)
            let small = toy.sample(count: 5, rng: rng), large = toy.sample(count: 1000, rng: rng)
            #expect(small == large.rows(0..<5), "\(toy.name)")
            #expect(small.dims == toy.dims)
            #expect(toy.sample(count: 5, rng: RNG(seed: 12)) != small, "\(toy.name)")
        }
    }

    /// Empirical moments of 100,000 samples against the analytic ones, to 5 standard errors
    /// (the standard error estimated from the same samples).
    @Test func momentsMatchAnalyticValues() throws {
        let n = 100_000, rng = RNG(seed: 5)
        func expectMoment(_ x: Batch, _ f: (ArraySlice<Double>) -> Double, _ exact: Double, _ what: String) {
            let (m, se) = meanAndStandardError(perRow(x, f))
            #expect(abs(m - exact) < 5 * se + 1e-12, "\(what): sample \(m) vs exact \(exact) (se \(se))")
        }
        // moons: E x = 0, Cov = [[3/4, 1/8 − 1/π], [·, 9/16 − 1/π]] + noise²·I.
        let noise = 0.1
        let moons = try Toy.moons(noise: noise).sample(count: n, rng: rng)
        expectMoment(moons, { $0[$0.startIndex] }, 0, "moons E x1")
        expectMoment(moons, { $0[$0.startIndex + 1] }, 0, "moons E x2")
        expectMoment(moons, { $0[$0.startIndex] * $0[$0.startIndex] }, 0.75 + noise * noise, "moons E x1²")
        expectMoment(
            moons, { $0[$0.startIndex + 1] * $0[$0.startIndex + 1] }, 9.0 / 16 - 1 / Double.pi + noise * noise,
            "moons E x2²")
        expectMoment(moons, { $0[$0.startIndex] * $0[$0.startIndex + 1] }, 1.0 / 8 - 1 / Double.pi, "moons E x1x2")
        // spirals (2 arms): E x = 0, E‖x‖² = 1/3 + 2·noise².
        let spirals = try Toy.spirals(arms: 2, noise: noise).sample(count: n, rng: rng)
        expectMoment(spirals, { $0[$0.startIndex] }, 0, "spirals E x1")
        expectMoment(spirals, { $0[$0.startIndex + 1] }, 0, "spirals E x2")
        expectMoment(spirals, { $0.reduce(0) { $0 + $1 * $1 } }, 1.0 / 3 + 2 * noise * noise, "spirals E|x|²")
        // checkerboard 4×4 on [−1, 1]²: symmetric under x → −x, and each column holds two
        // black squares, so x1 is uniform on [−1, 1]: E x1 = 0, E x1² = 1/3. Coordinates are
        // independent inside a square, so E x1x2 = mean over black squares of c_i·c_j with
        // centres c = (−3/4, −1/4, 1/4, 3/4): (2·9/16 + 2·1/16 − 4·3/16)/8 = 1/16.
        let board = try Toy.checkerboard().sample(count: n, rng: rng)
        expectMoment(board, { $0[$0.startIndex] }, 0, "checkerboard E x1")
        expectMoment(board, { $0[$0.startIndex] * $0[$0.startIndex] }, 1.0 / 3, "checkerboard E x1²")
        expectMoment(board, { $0[$0.startIndex] * $0[$0.startIndex + 1] }, 1.0 / 16, "checkerboard E x1x2")
        // ring(8, r, s): E x = 0, E‖x‖² = r² + 2s².
        let ring = try Toy.ring(modes: 8, radius: 1.5, std: 0.1).sample(count: n, rng: rng)
        expectMoment(ring, { $0[$0.startIndex] }, 0, "ring E x1")
        expectMoment(ring, { $0.reduce(0) { $0 + $1 * $1 } }, 2.25 + 0.02, "ring E|x|²")
        // gridmix(5, 1, s): E x1² = mean of {1, .25, 0, .25, 1} + s² = 0.5 + s².
        let grid = try Toy.gridmix(side: 5, extent: 1, std: 0.02).sample(count: n, rng: rng)
        expectMoment(grid, { $0[$0.startIndex] * $0[$0.startIndex] }, 0.5 + 0.0004, "gridmix E x1²")
        // gaussian: E x = μ, E (x_j − μ_j)² = s².
        let g = try Toy.gaussian(mean: [1, -2], std: 0.3).sample(count: n, rng: rng)
        expectMoment(g, { $0[$0.startIndex] }, 1, "gaussian E x1")
        expectMoment(g, { ($0[$0.startIndex + 1] + 2) * ($0[$0.startIndex + 1] + 2) }, 0.09, "gaussian Var x2")
    }

    /// Midpoint quadrature of the checkerboard density on a grid aligned with the squares
    /// (20 × 20 nodes per square, none on an edge, a one-square margin): the density is
    /// piecewise constant, so the sum is 1 up to rounding (1e-9).
    @Test(arguments: [(4, 1.0), (3, 1.0), (5, 2.0), (1, 0.5)])
    func checkerboardDensityIntegratesToOne(cells: Int, extent: Double) throws {
        let board = try Toy.checkerboard(cells: cells, extent: extent)
        let step = board.cellSide / 20, side = 20 * (cells + 2)
        let lo = -extent - board.cellSide
        var pts: [Double] = []
        for a in 0..<side {
            for b in 0..<side {
                pts += [lo + (Double(a) + 0.5) * step, lo + (Double(b) + 0.5) * step]
            }
        }
        let logP = try #require(board.exactLogDensity(Batch(count: side * side, dims: 2, values: pts)))
        let integral = logP.reduce(0) { $0 + exp($1) } * step * step
        #expect(abs(integral - 1) < 1e-9, "integral \(integral)")
    }

    /// Every checkerboard sample lies on a black square (finite density); the lower-left
    /// square is black and its right neighbour white.
    @Test func checkerboardSamplesAreOnBlackSquares() throws {
        for cells in [1, 2, 3, 4, 7] {
            let board = try Toy.checkerboard(cells: cells)
            let x = board.sample(count: 5000, rng: RNG(seed: 1))
            let logP = try #require(board.exactLogDensity(x))
            #expect(logP.allSatisfy { $0.isFinite }, "cells \(cells)")
        }
        let board = try Toy.checkerboard(cells: 4)
        let logP = try #require(board.exactLogDensity(batch([[-0.9, -0.9], [-0.4, -0.9], [5, 0]])))
        #expect(abs(logP[0] - (-log(8 * 0.25))) < 1e-15)
        #expect(logP[1] == -.infinity && logP[2] == -.infinity)
    }

    /// Mixtures expose their modes; moons and spirals have neither modes nor a density.
    @Test func modesAndDensities() throws {
        let ring = try Toy.ring()
        #expect(ring.modes == GaussianMixture.ring8().means && ring.modeStd == 0.05)
        #expect(try Toy.gridmix().modes?.count == 25)
        #expect(try Toy.moons().exactLogDensity(batch([[0, 0]])) == nil)
        #expect(try Toy.spirals().modes == nil)
        #expect(throws: DatasetError.self) { try Toy.moons(noise: -1) }
        #expect(throws: DatasetError.self) { try Toy.ring(modes: 0) }
        #expect(throws: DatasetError.self) { try Toy.checkerboard(cells: 0) }
    }
}
