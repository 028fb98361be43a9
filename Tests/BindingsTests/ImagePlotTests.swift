import Foundation
import Script
import Testing

@testable import Bindings
@testable import Plotting

/// Plots of images: a set of images, a solve on images and the overlay of students along
/// it draw the images themselves; points of more than two coordinates say which two a
/// scatter shows. Pixels are checked against the values they come from, at
/// (v + 1)/2 of the white level (the data's scale [−1, 1]).
@Suite struct ImagePlotTests {
    func figure(_ i: Interpreter, _ name: String) throws -> Panel {
        guard case .object(let o as FigureObject)? = i.globals.lookup(name) else {
            throw ScriptError("no figure \(name)")
        }
        return o.figure[0]
    }

    /// `plot` of a set of images draws 64 of them as images: 8 columns of 14-pixel images
    /// with 2-pixel separators are 8·14 + 7·2 = 126 pixels wide, 8 rows as high. An [n, d]
    /// tensor with d > 2 stays a scatter of its first two coordinates, and says so; an
    /// [n, 2] one needs no such title.
    @Test func plotShowsImagesAsImagesAndNamesTheCoordinates() throws {
        let i = quietSession()
        let r = i.run(
            """
            train = fashion_mnist(size: 14, count: 100, seed: 1)
            f = plot(train)
            g = plot(noise(50, dims: 196, seed: 1))
            h = plot(noise(50, dims: 2, seed: 1))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let images = try #require(try figure(i, "f").marks.first as? ImageGridMark)
        #expect(images.grid.count == 64)
        #expect(images.grid.imageWidth == 14 && images.grid.imageHeight == 14)
        #expect(images.grid.pixelWidth == 126 && images.grid.pixelHeight == 126)
        let wide = try figure(i, "g")
        #expect(wide.title == "coordinates 0 and 1 of 196")
        #expect(wide.xLabel == "x[0]" && wide.yLabel == "x[1]")
        #expect(try figure(i, "h").title == nil)
    }

    /// `plot(traj)` of a solve on images draws D(x; σ) along the first 8 paths as images:
    /// one row per path, 12 of the 20 columns (19 predictions and the final state, evenly
    /// spaced, the first and last kept), each pixel at (v + 1)/2 of the white level. A solve
    /// on points of as many dimensions (an embedded ring of 196) stays a picture of paths.
    @Test func plotOfAnImageSolveShowsThePredictionsAlongThePaths() throws {
        let i = quietSession()
        let r = i.run(
            """
            train = fashion_mnist(size: 14, count: 100, seed: 1)
            traj = solve(exact(train), heun(karras(n: 20)), noise(10, dims: 196, seed: 3) * 80)
            f = plot(traj)
            ring196 = embed(ring(), dims: 196, seed: 0)
            g = plot(solve(exact(ring196), heun(karras(n: 5)), noise(10, dims: 196, seed: 1) * 80))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        guard case .object(let f as FigureObject)? = i.globals.lookup("f"),
            case .object(let traj as TrajectoryObject)? = i.globals.lookup("traj"),
            case .object(let g as FigureObject)? = i.globals.lookup("g")
        else { Issue.record("no figures"); return }
        let levels = imagePathLevels(20)
        #expect(levels.count == 12 && levels.first == 0 && levels.last == 19)
        #expect(zip(levels, levels.dropFirst()).allSatisfy { $0 < $1 })
        let grid = try #require(f.figure[0].marks.first as? ImageGridMark).grid
        #expect(grid.count == 8 * 12 && grid.columns == 12)
        #expect(f.figure[0].title?.hasPrefix("D(x; σ) along 8 of 10 paths, σ = 80 … ") == true)
        // Path 1's column k (k < 11) is its prediction at level levels[k]; the last is its final state.
        let t = traj.trajectory, px = 196
        for (k, level) in levels.enumerated() {
            let row = Array(k < 11 ? t.denoised[level].row(1) : t.final.row(1))
            for p in [0, 97, 195] {
                let expected = min(1, max(0, (row[p] + 1) / 2))
                #expect(abs(grid.unit[(12 + k) * px + p] - expected) < 1e-6, "column \(k), pixel \(p)")
            }
        }
        #expect(g.figure[0].title == "probability-flow trajectories (coordinates 0 and 1 of 196)")
    }

    /// `overlay` on images: per chosen point a row of D(x_n; σ_n) along the teacher's path
    /// and a row per student of f(x_n, σ_n) at the same states (the student's own denoise,
    /// computed here again), 12 columns for the 16 levels (``imagePathLevels``), the last
    /// where each row ends; the title names the students as tables do.
    @Test func overlayOnImagesShowsEachStudentsPredictions() throws {
        let i = quietSession()
        let r = i.run(
            """
            train = fashion_mnist(size: 14, count: 200, seed: 1)
            teacher = learned(train, iters: 10, seed: 0)
            grid = karras(n: 16)
            traj = solve(teacher, heun(grid), noise(6, dims: 196, seed: 3) * grid.sigma_max)
            cm = distill(teacher, heun(grid), objective: "cm", iters: 2, seed: 0, batch: 16, name: "mine")
            f = overlay(traj, student: cm, points: [1, 4])
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        guard case .object(let traj as TrajectoryObject)? = i.globals.lookup("traj"),
            case .object(let cm as StudentObject)? = i.globals.lookup("cm")
        else { Issue.record("no trajectory or student"); return }
        let panel = try figure(i, "f")
        let grid = try #require(panel.marks.first as? ImageGridMark).grid
        let levels = imagePathLevels(16)
        #expect(levels.count == 12 && levels.first == 0 && levels.last == 15)
        #expect(grid.count == 2 * 2 * 12 && grid.columns == 12)
        #expect(panel.title?.hasPrefix("points 1, 4, rows D(x; σ), f mine; σ = 80 … ") == true)
        let t = traj.trajectory, px = 196
        for (j, point) in [1, 4].enumerated() {
            for (c, k) in levels.enumerated() {
                let x = t.states[k].rows(at: [point])
                let d = Array(k < 15 ? t.denoised[k].row(point) : t.final.row(point))
                let f = Array(cm.student.denoise(x, sigma: t.sigmas[k]).row(0))
                for p in [0, 98, 195] {
                    let teacherRow = (2 * j) * 12 + c, studentRow = (2 * j + 1) * 12 + c
                    #expect(abs(grid.unit[teacherRow * px + p] - min(1, max(0, (d[p] + 1) / 2))) < 1e-6)
                    #expect(abs(grid.unit[studentRow * px + p] - min(1, max(0, (f[p] + 1) / 2))) < 1e-6)
                }
            }
        }
        #expect(!i.run("overlay(traj, points: [0, 1, 2, 3, 4, 5, 0])").succeeded) // seven rows of images: too many
    }
}
