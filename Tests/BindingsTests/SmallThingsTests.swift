import Foundation
import Notebook
import Script
import Testing

@testable import Bindings
@testable import Plotting

/// Issue 13's small things that misled: which way `field` points, and help on a member.
@Suite struct SmallThingsTests {
    func domain() -> Interpreter {
        let i = Interpreter()
        installBindings(into: i, context: BindingsContext())
        return i
    }

    /// For one Gaussian N(μ, s²I), D(x; σ) − x = (μ − x)·σ²/(s² + σ²): every arrow of
    /// field() points straight at the mean (towards the data, −dx/dσ), for a teacher; and
    /// the title says which field it is.
    @Test func fieldPointsTowardsTheData() throws {
        let i = domain()
        let r = i.run("f = field(exact(gaussian(mean: [0.5, -0.25], std: 0.1)), sigma: 1, n: 7)")
        #expect(r.succeeded, "\(r.renderedErrors)")
        guard case .object(let o as FigureObject)? = i.globals.lookup("f") else { Issue.record("no figure"); return }
        let panel = o.figure[0]
        let field = try #require(panel.marks.first as? VectorField)
        #expect(panel.title == "−dx/dσ at σ = 1")
        var checked = 0
        for (j, y) in field.ys.enumerated() {
            for (k, x) in field.xs.enumerated() {
                let (dx, dy) = (0.5 - x, -0.25 - y)
                guard hypot(dx, dy) > 1e-9 else { continue }
                let (u, v) = (field.u[j * field.xs.count + k], field.v[j * field.xs.count + k])
                let cosine = (u * dx + v * dy) / (hypot(u, v) * hypot(dx, dy))
                #expect(cosine > 0.999_999, "arrow at (\(x), \(y)) is (\(u), \(v))")
                // Length (μ − x)·σ²/(s² + σ²)/σ at σ = 1, s = 0.1.
                #expect(abs(hypot(u, v) - hypot(dx, dy) / 1.01) < 1e-9)
                checked += 1
            }
        }
        #expect(checked == 49)
    }

    /// `plot` of a set of images draws 64 of them as images: 8 columns of 14-pixel images
    /// with 2-pixel separators are 8·14 + 7·2 = 126 pixels wide, 8 rows as high. An [n, d]
    /// tensor with d > 2 stays a scatter of its first two coordinates, and says so; an
    /// [n, 2] one needs no such title.
    @Test func plotShowsImagesAsImagesAndNamesTheCoordinates() throws {
        let i = domain()
        let r = i.run(
            """
            train = fashion_mnist(size: 14, count: 100, seed: 1)
            f = plot(train)
            g = plot(noise(50, dims: 196, seed: 1))
            h = plot(noise(50, dims: 2, seed: 1))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        func panel(_ name: String) throws -> Panel {
            guard case .object(let o as FigureObject)? = i.globals.lookup(name) else {
                throw ScriptError("no figure \(name)")
            }
            return o.figure[0]
        }
        let images = try #require(try panel("f").marks.first as? ImageGridMark)
        #expect(images.grid.count == 64)
        #expect(images.grid.imageWidth == 14 && images.grid.imageHeight == 14)
        #expect(images.grid.pixelWidth == 126 && images.grid.pixelHeight == 126)
        let wide = try panel("g")
        #expect(wide.title == "coordinates 0 and 1 of 196")
        #expect(wide.xLabel == "x[0]" && wide.yLabel == "x[1]")
        #expect(try panel("h").title == nil)
    }

    /// `plot(traj)` of a solve on images draws D(x; σ) along the first 8 paths as images:
    /// one row per path, 12 of the 20 columns (19 predictions and the final state, evenly
    /// spaced, the first and last kept), each pixel at (v + 1)/2 of the white level. A solve
    /// on points of as many dimensions (an embedded ring of 196) stays a picture of paths.
    @Test func plotOfAnImageSolveShowsThePredictionsAlongThePaths() throws {
        let i = domain()
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

    /// `?d.labels` prints that member's doc and value (none for a toy), not the help of none
    /// (the list of every builtin); a method's help shows its signature once, then its doc.
    @Test func helpOnAMemberIsThatMember() {
        let s = Session { self.domain() }
        s.execute("d = ring()")
        let labels = s.help(for: "?d.labels")
        #expect(labels.hasPrefix("d.labels — member of data: Class labels"), "\(labels)")
        #expect(labels.hasSuffix("value: none") && !labels.contains("Builtins"), "\(labels)")
        let sample = s.help(for: "d.sample?")
        #expect(sample.hasPrefix("data.sample(n, seed: 0)\nDraws n samples"), "\(sample)")
        #expect(sample.components(separatedBy: "sample(").count == 2, "\(sample)")
        #expect(s.help(for: "?d.nope").contains("no builtin or variable") || !s.help(for: "?d.nope").isEmpty)
    }
}
