import Bindings
import Foundation
import Script
import Testing

/// The instruments and the embedded toy, driven through the language.
@Suite(.serialized) struct InstrumentScriptTests {
    func session() -> (Interpreter, () -> [String]) {
        let interp = Interpreter()
        var lines: [String] = []
        interp.output = { lines.append($0) }
        installBindings(into: interp, context: BindingsContext())
        return (interp, { lines })
    }

    /// On ring8 embedded in 16 dims: the teacher's own solution has no error to split and
    /// sits near the data's distance (0.0016, see DataDistanceTests); a student's training
    /// curve has a point per snapshot and one for the final weights; white noise read as
    /// 4 × 4 images has a flat spectrum near 1.
    @Test func instrumentsRunOnTheEmbeddedToy() throws {
        let (interp, out) = session()
        let r = interp.run(
            """
            data = embed(ring(), dims: 16, seed: 3)
            print(data)
            teacher = exact(data)
            solver = heun(karras(n: 12))
            z = noise(400, dims: 16, seed: 7) * 80
            ref = solve(teacher, solver, z).final
            e = error_split(ref, ref, teacher)
            print(e.total == 0 and e.along == 0)
            d = data_distance(samples(data, 2000, seed: 1), teacher, sigma: 0.1, training: samples(data, 500, seed: 2))
            print(abs(d.correction - 0.0016) < 0.0003)
            print(d.nearest > d.correction)
            s = distill(teacher, solver, objective: "direct", iters: 30, batch: 64, width: 32, depth: 2, snapshots: [10])
            c = training_curve(s, teacher, solver, noise: z, metrics: ["ode_error", "distance", "across", "along"])
            print(tolist(c.iteration))
            print(shape(c.across))
            sp = spectrum(noise(3000, dims: 16, seed: 1))
            print(max(abs(sp.power - 1)) < 0.2)
            es = error_spectrum(s.sample(z), ref, data: samples(data, 400))
            print(shape(es.relative))
            print(coverage(plane(samples(data, 1000), data), ring()).share > 0.95)
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out()
        #expect(text.first?.contains("ring8-in-16d (16-D, exact density)") == true, "\(text)")
        #expect(text.filter { $0 == "true" }.count == 5, "\(text)")
        #expect(text.contains { $0.contains("[10, 30]") }, "\(text)")
        #expect(text.contains { $0.contains("[2]") } && text.contains { $0.contains("[3]") }, "\(text)")
    }

    @Test func badInputIsReportedAtItsPosition() {
        let (interp, _) = session()
        let cases: [(String, String)] = [
            ("x = embed(moons(), dims: 8)", "not a Gaussian mixture"),
            ("x = embed(ring(), dims: 1)", "below the data's own 2 dims"),
            ("x = embed(ring(), dims: -4)", "dims"),
            ("x = spectrum(noise(5, dims: 10))", "not square images"),
            ("x = spectrum(noise(5, dims: 16), side: 3)", "not 3 × 3 images"),
            ("x = error_split(noise(5), noise(6), exact(ring()))", "same noise"),
            ("x = data_distance(noise(5), exact(ring()), sigma: 0)", "sigma"),
            ("x = data_distance(noise(5), exact(ring()), training: ring())", "give samples(data, n)"),
            ("x = data_distance(noise(5, dims: 3), exact(ring()))", "3 dims"),
            ("x = training_curve(1, exact(ring()), heun())", "expected a student"),
            ("x = plane(noise(3), ring())", "was not made by embed"),
            ("x = embed(ring(), dims: 1e12)", "'dims' is 1000000000000"),
            (
                "x = training_curve(distill(exact(ring()), heun(karras(n: 5)), iters: 2, batch: 8, width: 8, depth: 1), exact(ring()), heun(), noise: 1e13)",
                "'noise' is 10000000000000"
            ),
        ]
        for (src, words) in cases {
            let r = interp.run(src)
            #expect(!r.succeeded, "\(src) should fail")
            #expect(r.renderedErrors.contains(words), "\(src): \(r.renderedErrors)")
        }
        #expect(interp.run("y = 1 + 1\ny").succeeded)
    }
}
