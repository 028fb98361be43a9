import Bindings
import Foundation
import Plotting
import Script
import Tensors
import Testing

/// Trajectories indexed like lists, the overlay panel, scatter coloured by values or
/// categories, error profiles as distributions and shared axes, through the language.
@Suite(.serialized) struct TrajectoryOverlayTests {
    func tensor(_ i: Interpreter, _ name: String) throws -> Tensor {
        guard case .tensor(let t)? = i.lookup(name) else { throw ScriptError("no tensor \(name)") }
        return t
    }

    func figure(_ i: Interpreter, _ name: String) throws -> Figure {
        guard case .object(let o)? = i.lookup(name), let f = o as? FigureValue else {
            throw ScriptError("no figure \(name)")
        }
        return f.figure
    }

    let setUp = """
        data = ring(modes: 8, radius: 1, std: 0.05)
        teacher = exact(data)
        solver = heun(karras(n: 12))
        z = noise(300, dims: 2, seed: 7) * 80
        traj = solve(teacher, solver, z)
        """

    @Test func aTrajectoryIsIndexedAlongItsPoints() throws {
        let i = quietSession()
        let r = i.run(
            setUp + """

                one = traj[3].final
                first = traj[0:5].final
                last = traj[-1].final
                picked = traj[[7, 2]].paths
                whole = traj.paths
                states = traj[[7, 2]].states
                d = traj[4].denoised
                pts = traj[[7, 2]][1].points
                right = traj[traj.final[:, 0] > 0.5].points
                xs = traj.final[:, 0]
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let final = try tensor(i, "z") // shape check below uses the solve's own final
        #expect(final.shape == [300, 2])
        let whole = try tensor(i, "whole")
        #expect(whole.shape == [300, 12, 2])
        // traj.paths[i] is point i's states over the steps: compare with the stacked states.
        let states = try tensor(i, "states"), picked = try tensor(i, "picked")
        #expect(states.shape == [12, 2, 2] && picked.shape == [2, 12, 2])
        for k in 0..<12 {
            for j in 0..<2 {
                #expect(picked.scalars[(0 * 12 + k) * 2 + j] == whole.scalars[(7 * 12 + k) * 2 + j])
                #expect(picked.scalars[(1 * 12 + k) * 2 + j] == states.scalars[(k * 2 + 1) * 2 + j])
            }
        }
        let one = try tensor(i, "one"), first = try tensor(i, "first"), last = try tensor(i, "last")
        #expect(one.shape == [1, 2] && first.shape == [5, 2] && last.shape == [1, 2])
        #expect(Array(one.scalars) == Array(whole.scalars[(3 * 12 + 11) * 2..<(3 * 12 + 11) * 2 + 2]))
        #expect(Array(last.scalars) == Array(whole.scalars[(299 * 12 + 11) * 2..<(299 * 12 + 11) * 2 + 2]))
        #expect(try tensor(i, "d").shape == [11, 1, 2])
        #expect(i.lookup("pts").map { $0.repr } == "[2]")
        // A mask picks the points whose final x exceeds 0.5, in order.
        let xs = try tensor(i, "xs")
        let expected = xs.scalars.indices.filter { xs.scalars[$0] > 0.5 }.map { Value.number(Double($0)) }
        #expect(i.lookup("right").map { $0.repr } == Value.list(expected).repr)

        for (src, words) in [
            ("traj[300]", "point 300 is out of range: the trajectory has 300 points"),
            ("traj[-301]", "out of range"), ("traj[5:5]", "picks no points"),
            ("traj[1, 2]", "one index"), ("traj[\"a\"]", "whole number"),
            ("traj[[1, 400]]", "point 400"), ("traj[1.5]", "whole number"),
            ("traj[traj.final[:, 0] > 99]", "selects no points"),
            ("traj[tensor([true, false])]", "one entry per point"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
            #expect(bad.renderedErrors.contains("1:"), "position missing: \(bad.renderedErrors)")
        }
    }

    /// Each chosen point's end is a large dot in that point's colour (points picked at
    /// three different modes, so no other point's drawing covers it), and bad input is refused.
    @Test func overlayColoursEachPointConsistently() throws {
        let i = quietSession()
        let r = i.run(
            setUp + """

                cm = distill(teacher, solver, objective: "cm", iters: 20, batch: 64, width: 32, depth: 2, seed: 0)
                ends = traj.final
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let ends = try tensor(i, "ends")
        // Three points whose ends lie at least 0.7 apart (different ring modes).
        var chosen: [Int] = []
        for p in 0..<300 where chosen.count < 3 {
            let far = chosen.allSatisfy { q in
                hypot(
                    Double(ends.scalars[2 * p] - ends.scalars[2 * q]),
                    Double(ends.scalars[2 * p + 1] - ends.scalars[2 * q + 1])) > 0.7
            }
            if far { chosen.append(p) }
        }
        let r2 = i.run("fig = overlay(traj, student: [cm], points: \(chosen))")
        #expect(r2.succeeded, "\(r2.renderedErrors)")
        let fig = try figure(i, "fig")
        let image = try fig.pixels()
        let t = try fig.transform(ofPanel: 0)
        let palette = Color.categorical(3)
        for (j, p) in chosen.enumerated() {
            let px = image.pixel(
                Int(t.px(Double(ends.scalars[2 * p])).rounded()), Int(t.py(Double(ends.scalars[2 * p + 1])).rounded()))
            let d = palette.map { c in
                pow(Double(px.r) - c.red * 255, 2) + pow(Double(px.g) - c.green * 255, 2)
                    + pow(Double(px.b) - c.blue * 255, 2)
            }
            #expect(d.indices.min { d[$0] < d[$1] } == j && d[j] < 30 * 30, "point \(p): \(px)")
        }
        for (src, words) in [
            ("overlay(traj, points: [300])", "point 300 is out of range"),
            ("overlay(traj, student: 3)", "student"),
            ("overlay(traj, points: [0.5])", "whole numbers"),
            ("overlay(traj, extent: -1)", "extent"),
            ("overlay(solve(exact(embed(ring(), dims: 4, seed: 1)), solver, noise(5, dims: 4)), student: cm)", "dims"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }

    /// error_q's median at one level equals the median recomputed from the student's own
    /// predictions (cm.denoise); grouped by the teacher's final mode, the counts add up to
    /// the samples and the size-weighted group means give back the overall mean.
    @Test func errorProfileQuantilesAndGroups() throws {
        let i = quietSession()
        let r = i.run(
            setUp + """

                cm = distill(teacher, solver, objective: "cm", iters: 20, batch: 64, width: 32, depth: 2, seed: 0)
                p = error_profile(cm, traj, by: data)
                med = p.error_q[1]
                mean = p.error
                diff = cm.denoise(traj.states[4], traj.sigmas[4]) - traj.final
                cs = []
                gm = []
                for g in p.groups {
                    cs = cs + [g.count]
                    gm = gm + [g.error[4]]
                }
                counts = tensor(cs)
                gmeans = tensor(gm)
                fig = plot(p)
                plain = plot(error_profile(cm, traj, quantiles: [0.25, 0.5, 0.75]))
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let diff = try tensor(i, "diff")
        let e = (0..<300).map { k in (pow(Double(diff.scalars[2 * k]), 2) + pow(Double(diff.scalars[2 * k + 1]), 2)) / 2
        }.sorted()
        let median = (e[149] + e[150]) / 2
        let med = try tensor(i, "med")
        #expect(abs(Double(med.scalars[4]) - median) <= 1e-5 * median + 1e-7, "\(med.scalars[4]) vs \(median)")
        let counts = try tensor(i, "counts")
        #expect(counts.shape == [8] && counts.scalars.reduce(0, +) == 300)
        let gm = try tensor(i, "gmeans"), mean = try tensor(i, "mean")
        let recombined = zip(gm.scalars, counts.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } / 300
        #expect(abs(recombined - Double(mean.scalars[4])) <= 1e-4 * Double(mean.scalars[4]))
        #expect(try figure(i, "fig").panels.count == 1)
        for (src, words) in [
            ("error_profile(cm, traj, by: [1, 2])", "2 labels for 300 samples"),
            ("error_profile(cm, traj, quantiles: [1.5])", "[0, 1]"),
            ("error_profile(cm, traj, by: moons())", "modes"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }

    @Test func scatterColouredByCategoriesOrValuesAndSharedAxes() throws {
        let i = quietSession()
        let r = i.run(
            """
            pts = tensor([[0, 0], [1, 1], [2, 0], [0, 2]])
            cats = scatter(pts, color_by: ["a", "b", "a", "c"])
            nums = scatter(pts, color_by: [0, 1, 0, 2], color_label: "mode")
            late = scatter(pts, color_by: [3, 4, 3, 5])
            bar = scatter(pts, color_by: tensor([0.1, 0.7, 0.3, 0.9]))
            both = figure([cats, bar], share_x: true, share_y: true)
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        func colourAt(_ fig: Figure, _ x: Double, _ y: Double) throws -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
            let t = try fig.transform(ofPanel: 0)
            return try fig.pixels().pixel(Int(t.px(x).rounded()), Int(t.py(y).rounded()))
        }
        func nearest(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8), _ palette: [Color]) -> Int {
            let d = palette.map { c in
                pow(Double(p.r) - c.red * 255, 2) + pow(Double(p.g) - c.green * 255, 2)
                    + pow(Double(p.b) - c.blue * 255, 2)
            }
            return d.indices.min { d[$0] < d[$1] } ?? -1
        }
        let cats = try figure(i, "cats")
        // Strings keep their order of first appearance: a, b, c → cycle 0, 1, 2.
        #expect(nearest(try colourAt(cats, 2, 0), Color.cycle) == 0)
        #expect(nearest(try colourAt(cats, 1, 1), Color.cycle) == 1)
        #expect(nearest(try colourAt(cats, 0, 2), Color.cycle) == 2)
        let nums = try figure(i, "nums")
        #expect(nearest(try colourAt(nums, 0, 2), Color.cycle) == 2)
        // Whole numbers keep their own colour: 5 takes cycle colour 5 though only 3, 4, 5 occur.
        let late = try figure(i, "late")
        #expect(nearest(try colourAt(late, 0, 2), Color.cycle) == 5)
        #expect(nearest(try colourAt(late, 1, 1), Color.cycle) == 4)
        // Values in a colour bar: the largest takes the top of viridis, the smallest its bottom.
        let bar = try figure(i, "bar")
        let ends = [Colormap.viridis.color(at: 0), Colormap.viridis.color(at: 1)]
        let top = try colourAt(bar, 0, 2), bottom = try colourAt(bar, 0, 0)
        #expect(nearest(top, ends) == 1 && nearest(bottom, ends) == 0)
        let barWidth = try bar.transform(ofPanel: 0).frame.width, catsWidth = try cats.transform(ofPanel: 0).frame.width
        #expect(barWidth < catsWidth + 40)
        let both = try figure(i, "both")
        #expect(both.sharesX && both.sharesY)
        for (src, words) in [
            ("scatter(pts, color_by: [1, 2])", "2 values for 4 points"),
            ("scatter(pts, pts, color_by: [1, 2, 3, 4])", "one point set"),
            ("scatter(pts, color_by: [\"a\", 1, 2, 3])", "one number or string per point"),
            ("scatter(pts, color_by: [\"a\", \"b\", \"c\", \"d\"], categorical: false)", "only be categories"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }
}
