import Bindings
import Foundation
import Notebook
import Script
import Testing

/// Per-sample outcomes (`mode_of`, `per_sample`, `t.column`) and multistep sampling that
/// re-noises along the teacher (`renoise: "teacher"`), checked against the same quantities
/// computed another way in the script (ode_error, data_distance, mode_of on the teacher's
/// solve) or by hand.
@Suite(.serialized) struct PerSampleTests {
    let setup = """
        data = ring(modes: 8, radius: 1, std: 0.05)
        ring = exact(data)
        solver = heun(karras(n: 10))
        z = noise(400, dims: 2, seed: 7) * 80
        ref = solve(ring, solver, z).final
        cm = distill(ring, solver, objective: "cm", iters: 20, batch: 32, width: 16, depth: 2, seed: 0)
        """

    /// The ring's means are modes 0 … 7 in order (angles 2πk/8); points three times as far
    /// out, or turned by 0.35 rad (less than half a mode's spacing, π/8), keep their mode.
    @Test func modeOfNamesTheNearestComponent() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        let r = interp.run(
            """
            data = ring(modes: 8, radius: 1, std: 0.05)
            print(mode_of(data.modes, data))
            print(mode_of(data.modes * 3, data))
            print(mode_of(tensor([[0.9394, 0.3429], [0.4218, 0.9067], [-0.3429, 0.9394], [-0.9067, 0.4218]]), data))
            g = gridmix()
            print(sum(mode_of(g.modes, g) != tensor(range(25))))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(
            text.contains(
                """
                tensor([0, 1, 2, 3, 4, 5, 6, 7])
                tensor([0, 1, 2, 3, 4, 5, 6, 7])
                tensor([0, 1, 2, 3])
                0
                """), "\(text)")
        let bad = interp.run("mode_of(noise(3, dims: 2), moons())")
        #expect(bad.renderedErrors.contains("has no modes"), "\(bad.renderedErrors)")
    }

    /// Each column of the per-sample table against the same quantity computed separately.
    @Test func perSampleRowsMatchTheirIndependentComputation() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            t = per_sample(cm, teacher: ring, noise: z)
            print(t.columns, t.nrows)
            x = cm.sample(z, steps: 1)
            print(abs(mean(t.column("error")) - ode_error(x, ref)) < 1e-6 * ode_error(x, ref))
            print(sum(t.column("teacher_mode") != mode_of(ref, data)), sum(t.column("student_mode") != mode_of(x, data)))
            same = t.column("teacher_mode") == t.column("student_mode")
            print(sum(t.column("same_mode") != where(same, 1, 0)), sum(t.column("noise") != tensor(range(400))))
            dd = data_distance(x, ring).correction_each
            print(max(abs(t.column("data_distance") - dd)) <= 1e-6 * max(dd))
            print(t)
            t.save("per.csv")
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(
            text.contains(
                """
                ["noise", "teacher_mode", "student_mode", "same_mode", "error", "data_distance"] 400
                true
                0 0
                0 0
                true
                """), "\(text)")
        #expect(text.contains("… 385 more rows (400 in all"), "\(text)")
        let csv = try String(contentsOf: dir.appendingPathComponent("per.csv"), encoding: .utf8)
        #expect(
            csv.hasPrefix("noise,teacher_mode,student_mode,same_mode,error,data_distance\n0,"), "\(csv.prefix(200))")
        #expect(csv.split(separator: "\n").count == 401)
    }

    /// compare labels each multistep row with how it re-noised; the "teacher" row equals
    /// sampling with renoise: "teacher" by hand and per_sample's mean error.
    @Test func compareLabelsRenoisingAndAgreesWithSample() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        #expect(interp.run(setup).succeeded)
        let r = interp.run(
            """
            t = compare([cm], teacher: ring, solver: solver, noise: z, steps: [1, 2], renoise: ["fresh", "teacher"])
            print(t.columns[2], len(t.rows))
            print(t.rows[2].renoise, t.rows[3].renoise, t.rows[4].renoise)
            x2 = cm.sample(z, steps: 2, renoise: "teacher", teacher: ring, solver: solver)
            e = ode_error(x2, ref)
            print(abs(t.rows[4].ode_error.mean - e) < 1e-9 + 1e-6 * e)
            p = per_sample(cm, teacher: ring, noise: z, steps: 2, renoise: "teacher")
            print(abs(mean(p.column("error")) - e) < 1e-6 * e)
            f2 = cm.sample(z, steps: 2, seed: 0)
            print(abs(t.rows[3].ode_error.mean - ode_error(f2, ref)) < 1e-6 * ode_error(f2, ref))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(text.contains("renoise 5\n— fresh teacher\ntrue\ntrue\ntrue"), "\(text)")
        let rk = interp.run(
            """
            compare([cm], teacher: ring, solver: rk45(), noise: z, steps: [2], renoise: "teacher")
            """)
        #expect(rk.renderedErrors.contains("rk45 has no fixed levels"), "\(rk.renderedErrors)")
        let other = interp.run(
            "cm.sample(z, steps: 2, renoise: \"teacher\", teacher: ring, solver: heun(karras(n: 12)))")
        #expect(
            other.renderedErrors.contains("needs the teacher solved on the student's grid")
                || other.renderedErrors.contains("was distilled with"), "\(other.renderedErrors)")
        let none = interp.run("cm.sample(z, steps: 2, renoise: \"teacher\")")
        #expect(none.renderedErrors.contains("needs the teacher"), "\(none.renderedErrors)")
        let typo = interp.run("cm.sample(z, steps: 2, renoise: \"along\")")
        #expect(typo.renderedErrors.contains("renoise must be \"fresh\" or \"teacher\""), "\(typo.renderedErrors)")
    }

    /// For a student of one Gaussian (near its closed-form consistency function after a
    /// short training), re-noising along the teacher keeps the 2- and 4-step ODE error at the
    /// student's own one-step level, while fresh noise puts it near the exact student's
    /// fresh-noise error, (c − 1)²·a²·σ_max² + c²·σ_n² ≈ 0.2 for s = 0.5 at σ_n ≈ 1.5 (N = 10):
    /// the deterministic rows are at least 20 times smaller.
    @Test func renoisingAlongTheTeacherMakesMultistepErrorMeaningful() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out) = session(dir)
        let r = interp.run(
            """
            g = exact(gaussian(mean: [0.3, -0.2], std: 0.5))
            solver = heun(karras(n: 10))
            z = noise(2000, dims: 2, seed: 3) * 80
            s = distill(g, solver, objective: "direct", iters: 300, batch: 256, width: 32, depth: 2, seed: 0)
            t = compare([s], teacher: g, solver: solver, noise: z, steps: [1, 2, 4], renoise: ["fresh", "teacher"],
                        metrics: ["ode_error"], bootstrap: 0)
            print(t)
            one = t.rows[2].ode_error.mean
            for i in [3, 5] { print(t.rows[i].renoise, t.rows[i + 1].renoise,
                                    t.rows[i + 1].ode_error.mean * 20 < t.rows[i].ode_error.mean,
                                    t.rows[i + 1].ode_error.mean < 3 * one + 1e-4, t.rows[i].ode_error.mean > 0.05) }
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(text.contains("fresh teacher true true true\nfresh teacher true true true"), "\(text)")
    }

    /// notebooks/why-modes.cml runs end to end at a tiny budget and draws its basin figure.
    @Test func whyModesNotebookRuns() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var o = RunOptions()
        o.outputDirectory = dir
        o.parameters = [("iters", "20"), ("count", "300")]
        let (run, reports) = try NotebookRunner(setUp: bindingsSetUp)
            .run(file: root.appendingPathComponent("notebooks/why-modes.cml"), options: o)
        #expect(!run.failed)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("basins.png").path))
        let md = try String(contentsOf: reports[0], encoding: .utf8)
        #expect(md.contains("Direct CM: mode agreement") && md.contains("renoise teacher: mode agreement"))
    }
}
