import Bindings
import Foundation
import Plotting
import Script
import Tensors
import Testing

/// The domain, driven through the language as a user would.
@Suite(.serialized) struct DomainScriptTests {
    func session(_ dir: URL) -> (Interpreter, () -> [String], () -> [URL]) {
        let interp = Interpreter()
        var lines: [String] = []
        var figures: [URL] = []
        interp.output = { lines.append($0) }
        let ctx = BindingsContext(
            resolveWritePath: { dir.appendingPathComponent($0) },
            resolveReadPath: { dir.appendingPathComponent($0) },
            figureWritten: { url, _ in figures.append(url) })
        installBindings(into: interp, context: ctx)
        return (interp, { lines }, { figures })
    }

    func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("bindings-\(UUID())")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    @Test func quickstartInMiniature() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out, figures) = session(dir)
        let r = interp.run(
            """
            data = ring(modes: 8, radius: 1, std: 0.05)
            teacher = exact(data)
            grid = karras(n: 12)
            solver = heun(grid)
            z = noise(300, dims: 2, seed: 7) * grid.sigma_max
            traj = solve(teacher, solver, z)
            print(traj.final)
            plot(traj, file: "traj.png")
            cm = distill(teacher, solver, objective: "cm", iters: 30, batch: 64, width: 32, depth: 2, seed: 0)
            dcm = distill(teacher, solver, objective: "direct", iters: 30, batch: 64, width: 32, depth: 2, seed: 0)
            print(cm)
            t = compare([cm, dcm], teacher: teacher, solver: solver, noise: z, steps: [1, 2])
            print(t)
            save(t, "table.csv")
            x1 = cm.sample(z, steps: 1)
            print(ode_error(x1, traj.final) > 0)
            print(nll(traj.final, data) < 0)
            cm.save("cm.safetensors")
            back = load("cm.safetensors")
            print(ode_error(back.sample(z, steps: 1), x1))
            save(x1, "x1.npy")
            print(shape(load("x1.npy")))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        #expect(text.contains("Tensor(300×2, f32"))
        #expect(text.contains("student CM (MLP 2×32, 30 iterations"))
        #expect(text.contains("teacher (heun N=12)") && text.contains("Direct CM") && text.contains("ode_error"))
        #expect(text.contains("true\ntrue\n0\n"))
        #expect(figures().map(\.lastPathComponent) == ["traj.png"])
        for f in ["traj.png", "table.csv", "cm.safetensors", "x1.npy"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), "\(f)")
        }
    }

    @Test func mistakesNameTheirPlace() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, _, _) = session(dir)
        let cases: [(String, String)] = [
            ("s = huen(karras())", "did you mean 'heun'"),
            ("g = karras(n: 1)", "n = 1"),
            ("t = exact(moons())", "no analytic denoiser"),
            ("s = distill(exact(ring()), rk45(), iters: 10)", "use euler, heun"),
            ("s = distill(exact(ring()), heun(karras(n: 5)), iters: -3)", "iters"),
            ("s = distill(exact(ring()), heun(karras(n: 5)), objective: \"cd2\")", "objective"),
            ("x = solve(exact(ring()), heun(karras(n: 5)), noise(4, dims: 3))", "3 dims"),
            ("x = load(\"missing.npy\")", "missing.npy"),
            ("save(noise(3), \"x.txt\")", "cannot save a tensor as .txt"),
            ("print(nll(noise(5), moons()))", "no exact density"),
        ]
        for (src, words) in cases {
            let r = interp.run(src)
            #expect(!r.succeeded, "\(src) should fail")
            #expect(r.renderedErrors.contains(words), "\(src): \(r.renderedErrors)")
            #expect(r.renderedErrors.contains("^"), "caret missing: \(r.renderedErrors)")
        }
        // The session goes on.
        #expect(interp.run("y = 1 + 1\ny").succeeded)
    }

    /// `distill` with a list for the per-student arguments trains one student per item,
    /// in lock-step from one stream: each samples exactly as the same student trained
    /// alone. Lists of different lengths are refused at the argument.
    @Test func studentsTrainedTogetherFromTheLanguage() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out, _) = session(dir)
        let r = interp.run(
            """
            teacher = exact(ring(modes: 8, radius: 1, std: 0.05))
            solver = heun(karras(n: 8))
            z = noise(6, dims: 2, seed: 1) * solver.sigma_max
            g = distill(teacher, solver, objective: ["cm", "cm", "direct"], ema: [0, 0.95, 0], name: ["a", "b", "c"],
                        iters: 20, batch: 32, width: 16, depth: 2, seed: 4, snapshots: [10])
            print(len(g), g[0].name, g[1].name, g[2].name, g[2].snapshots[0].name)
            b = distill(teacher, solver, ema: 0.95, iters: 20, batch: 32, width: 16, depth: 2, seed: 4)
            c = distill(teacher, solver, objective: "direct", iters: 20, batch: 32, width: 16, depth: 2, seed: 4)
            print(ode_error(g[1].sample(z), b.sample(z)) == 0, ode_error(g[2].sample(z, steps: 2), c.sample(z, steps: 2)) == 0)
            print(ode_error(g[0].sample(z), b.sample(z)) > 0)
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        #expect(out() == ["3 a b c c @10", "true true", "true"], "\(out())")
        let bad = interp.run("distill(teacher, solver, objective: [\"cm\", \"direct\"], ema: [0, 0.9, 0.99], iters: 2)")
        #expect(bad.renderedErrors.contains("'ema' lists 3 students, but 'objective' lists 2"), "\(bad.renderedErrors)")
        #expect(bad.renderedErrors.contains("^"))

        // A list of seeds: one result per seed, each what that seed alone gives.
        let seeds = interp.run(
            """
            h = distill(teacher, solver, objective: ["cm", "direct"], ema: [0.95, 0], iters: 20, batch: 32, width: 16, depth: 2,
                        seed: [4, 5])
            k = distill(teacher, solver, objective: ["cm", "direct"], ema: [0.95, 0], iters: 20, batch: 32, width: 16, depth: 2, seed: 5)
            one = distill(teacher, solver, iters: 20, batch: 32, width: 16, depth: 2, seed: [4])
            print(len(h), len(h[0]), ode_error(h[0][0].sample(z), b.sample(z)) == 0, ode_error(h[0][1].sample(z), c.sample(z)) == 0)
            print(ode_error(h[1][0].sample(z), k[0].sample(z)) == 0, ode_error(h[1][1].sample(z), k[1].sample(z)) == 0, len(one))
            """)
        #expect(seeds.succeeded, "\(seeds.renderedErrors)")
        #expect(out().suffix(2) == ["2 2 true true", "true true 1"], "\(out())")
        let noSeeds = interp.run("distill(teacher, solver, iters: 2, seed: [])")
        #expect(noSeeds.renderedErrors.contains("'seed' lists no seeds"), "\(noSeeds.renderedErrors)")
        let badSeed = interp.run("distill(teacher, solver, iters: 2, seed: [1, -2])")
        #expect(!badSeed.succeeded && badSeed.renderedErrors.contains("seed"), "\(badSeed.renderedErrors)")
    }

    /// Images end to end at toy size: Fashion-MNIST (skipped when the package is absent),
    /// a U-Net teacher, students started from its weights with snapshots, a classifier's
    /// feature space for fd and precision/recall, image grids and nearest neighbours.
    @Test func imagesEndToEnd() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
        else { return }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out, figures) = session(dir)
        let r = interp.run(
            """
            train = fashion_mnist(size: 14, count: 300, seed: 1)
            test = fashion_mnist(split: "test", size: 14, count: 200)
            print(train)
            t = learned(train, iters: 3, batch: 16)
            solver = heun(karras(n: 6))
            s = distill(t, solver, objective: "cm", iters: 4, batch: 8, snapshots: [2, 4])
            print(len(s.snapshots), s.snapshots[0].iterations, s.snapshots[1].iterations)
            z = noise(24, dims: 196, seed: 3) * 80
            x = s.sample(z, steps: 2)
            print(shape(x))
            clf = classifier(train, test: test, epochs: 1)
            print(fd(x, test.points, features: clf) > 0)
            pr = precision_recall(test.points, x, features: clf)
            print(pr.precision >= 0 and pr.recall <= 1)
            print(shape(nearest(x[0:3], train)))
            traj = solve(t, solver, z)
            grid_image(traj.strip(0), columns: 5, file: "strip.png")
            d = distill(t, solver, objective: "direct", init: "random", iters: 2)
            """)
        let text = out().joined(separator: "\n")
        #expect(
            r.errors.count == 1 && r.renderedErrors.contains("image students start from the teacher's U-Net"),
            "\(r.renderedErrors)")
        #expect(text.contains("data fashion14 (300 images of 14×14, labelled)"))
        #expect(
            text.contains("2 2 4") && text.contains("[24, 196]") && text.contains("true\ntrue")
                && text.contains("[3, 196]"), "\(text)")
        #expect(figures().map(\.lastPathComponent) == ["strip.png"])
    }

    /// A classifier saved and loaded through the language measures the same Fréchet distance
    /// and keeps its test accuracy; a file that is no checkpoint is a clear error.
    @Test func classifierSavedAndLoaded() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
        else { return }
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, out, _) = session(dir)
        let r = interp.run(
            """
            train = fashion_mnist(size: 14, count: 200, seed: 2)
            test = fashion_mnist(split: "test", size: 14, count: 100)
            clf = classifier(train, test: test, epochs: 1, seed: 3)
            save(clf, "clf.safetensors")
            again = load("clf.safetensors")
            print(again.test_accuracy == clf.test_accuracy, again.test_accuracy > 0)
            a = fd(train.points[0:50], test.points, features: clf)
            b = fd(train.points[0:50], test.points, features: again)
            print(a == b, a > 0)
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        #expect(out().joined(separator: "\n").contains("true true\ntrue true"), "\(out())")
        // A safetensors file of another kind: a clear error naming what it is not.
        let header = Array(#"{"__metadata__":{"format":"other"}}"#.utf8)
        var bytes = (0..<8).map { UInt8((header.count >> (8 * $0)) & 0xff) }
        bytes += header
        try Data(bytes).write(to: dir.appendingPathComponent("mlp.safetensors"))
        let bad = interp.run("load(\"mlp.safetensors\")")
        #expect(bad.errors.count == 1 && bad.renderedErrors.contains("nor a classifier"), "\(bad.renderedErrors)")
    }

    /// lines() given a list of tensors draws exactly what it draws given them one by one
    /// (same PNG), and a bad item in such a list is a clear error.
    @Test func linesTakesAListOfCurves() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, _, _) = session(dir)
        let r = interp.run(
            """
            a = stack(tensor([1, 2, 3]), tensor([1, 4, 9]))
            b = stack(tensor([1, 2, 3]), tensor([2, 3, 4]))
            c = [a, b]
            lines(a, b, labels: ["a", "b"], file: "one.png")
            lines(c, labels: ["a", "b"], file: "two.png")
            lines([a], labels: ["a", "b"], file: "three.png")
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let one = try Data(contentsOf: dir.appendingPathComponent("one.png"))
        #expect(one == (try Data(contentsOf: dir.appendingPathComponent("two.png"))))
        #expect(one != (try Data(contentsOf: dir.appendingPathComponent("three.png"))))
        let bad = interp.run("lines([a, \"x\"])")
        #expect(
            bad.errors.count == 1 && bad.renderedErrors.contains("list curve must hold numbers"),
            "\(bad.renderedErrors)")
    }
}
