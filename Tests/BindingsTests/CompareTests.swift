import Bindings
import Foundation
import Script
import Testing

/// `compare`: one row per item the user gives, refusals for students that do not belong,
/// and stated uncertainty.
@Suite(.serialized) struct CompareTests {
    let setup = """
        ring = exact(ring(modes: 8, radius: 1, std: 0.05))
        grid = exact(gridmix())
        solver = heun(karras(n: 10))
        z = noise(400, dims: 2, seed: 7) * 80
        cm = distill(ring, solver, objective: "cm", iters: 20, batch: 32, width: 16, depth: 2, seed: 0)
        """

    /// One student is a list of one: the same table, number for number.
    @Test func oneStudentIsAListOfOne() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            a = compare(cm, teacher: ring, solver: solver, noise: z, steps: [1, 2], bootstrap: 0)
            b = compare([cm], teacher: ring, solver: solver, noise: z, steps: [1, 2], bootstrap: 0)
            print(str(a) == str(b), len(a.rows))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        #expect(out().last == "true 4") // teacher, data, CM at K = 1 and 2
    }

    /// Last session's defect: a ring8 student, its reloaded copy and a grid25 student printed
    /// as one averaged row. Now the grid25 student is refused, and the others get a row each.
    @Test func unrelatedStudentsAreNotMerged() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            g = distill(grid, solver, objective: "cm", iters: 5, batch: 16, width: 16, depth: 2)
            cm.save("cm.safetensors")
            back = load("cm.safetensors")
            t = compare([cm, back, g], teacher: ring, solver: solver, noise: z, steps: [1])
            """)
        #expect(r.renderedErrors.contains("was distilled from grid25"), "\(r.renderedErrors)")
        let ok = interp.run(
            """
            t = compare([cm, back], teacher: ring, solver: solver, noise: z, steps: [1])
            print(t)
            print(len(t.rows), t.rows[2].model, t.rows[3].model)
            print(t.rows[2].ode_error.mean == t.rows[3].ode_error.mean)
            """)
        #expect(ok.succeeded, "\(ok.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(text.contains("4 CM [1] CM [2]\ntrue"), "\(text)")
    }

    @Test func seedListsMustShareTheirSettings() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            cm95 = distill(ring, solver, objective: "cm", ema: 0.95, iters: 20, batch: 32, width: 16, depth: 2, seed: 1)
            t = compare([[cm, cm95]], teacher: ring, solver: solver, noise: z, steps: [1])
            """)
        #expect(r.renderedErrors.contains("differ in ema (0 vs 0.95)"), "\(r.renderedErrors)")
        let euler = interp.run(
            """
            t = compare([cm], teacher: ring, solver: euler(karras(n: 10)), noise: z, steps: [1])
            """)
        #expect(euler.renderedErrors.contains("was distilled with heun"), "\(euler.renderedErrors)")
        // Seeds of one setting: one row, mean ± spread, named by the user.
        let seeds = interp.run(
            """
            cm1 = distill(ring, solver, objective: "cm", iters: 20, batch: 32, width: 16, depth: 2, seed: 1, name: "CM seeds")
            t = compare([[cm1, cm]], teacher: ring, solver: solver, noise: z, steps: [1])
            print(t.rows[2].model, t.rows[2].ode_error.std > 0)
            """)
        #expect(seeds.succeeded, "\(seeds.renderedErrors)")
        #expect(out().joined(separator: "\n").contains("CM seeds ×2 true"))
    }

    /// One seed: a percentile-bootstrap interval over the samples. For a mean of n values it
    /// is close to the normal interval mean ± 1.96·s/√n, computed here from the samples.
    @Test func singleSeedRowsCarryBootstrapIntervals() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            x = cm.sample(z, steps: 1)
            ref = solve(ring, solver, z).final
            t = compare([cm, {name: "saved samples", samples: x}], teacher: ring, solver: solver, noise: z, steps: [1])
            print(t)
            e = t.rows[2].ode_error
            d = (x - ref) ** 2
            per = (d[:, 0] + d[:, 1]) / 2
            half = 1.96 * std(per) / sqrt(400)
            print(abs(e.mean - mean(per)) < 1e-4 * mean(per))
            print(abs((e.hi - e.lo) / (2 * half) - 1) < 0.2, e.lo < e.mean, e.mean < e.hi)
            print(t.rows[3].model, t.rows[3].ode_error.mean == e.mean)
            print(t.rows[1].model, t.rows[1].coverage.lo < t.rows[1].coverage.hi)
            # Set statistics (swd here) are biased by the repeats of each resample; their interval
            # is shifted back onto the value, so it holds it.
            for row in t.rows[1:4] { print(row.swd.lo < row.swd.mean and row.swd.mean < row.swd.hi) }
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(text.contains("95% bootstrap interval over the 400 samples"), "\(text)")
        #expect(text.contains("true\ntrue true true\nsaved samples true\ndata true\ntrue\ntrue\ntrue"), "\(text)")
    }
}
