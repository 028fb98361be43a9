import Bindings
import Foundation
import Plotting
import Script
import Tensors
import Testing

/// Tables as values: built from records, printed, saved and loaded (types and order kept),
/// filtered, grouped, joined, plotted; compare's table as plain values; lists spread into plots.
@Suite(.serialized) struct TableTests {
    let rows = """
        t = table([{model: "CM", iters: 100, fd: 0.5, ok: true},
                   {model: "CM", iters: 200, fd: 0.3, ok: false},
                   {model: "Direct CM", iters: 100, fd: 0.25, ok: true},
                   {model: "Direct CM", iters: 200, fd: 0.125, note: "1"}])
        """

    @Test func recordsBecomeATableThatRoundTripsThroughCSVAndJSON() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, out) = session(dir)
        let r = i.run(
            rows + """

                print(t)
                print(t.columns)
                save(t, "t.csv")
                t.save("t.json")
                c = load("t.csv")
                j = load("t.json")
                print(c.columns == t.columns, j.columns == t.columns)
                print(repr(c.rows) == repr(t.rows), repr(j.rows) == repr(t.rows))
                print(c.iters, type(c.note[3]), c.note[0] == none)
                print(t[1].fd, t[-1].model, t[0:2].nrows, t[[3, 0]].model)
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let text = out().joined(separator: "\n")
        // Printed aligned: numbers right, text left, a missing cell as —.
        #expect(text.contains("model      iters     fd  ok     note"), "\(text)")
        #expect(text.contains("CM           100    0.5  true   —"), "\(text)")
        #expect(text.contains("Direct CM    200  0.125  —      1"), "\(text)")
        #expect(text.contains("[\"model\", \"iters\", \"fd\", \"ok\", \"note\"]"), "\(text)")
        #expect(text.contains("true true\ntrue true"), "\(text)")
        #expect(text.contains("tensor([100, 200, 100, 200]) string true"), "\(text)")
        #expect(text.contains("0.3 Direct CM 2 [\"Direct CM\", \"CM\"]"), "\(text)")
        // The files: column order, numbers unquoted, the string "1" quoted so it stays a string.
        let csv = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("model,iters,fd,ok,note\nCM,100,0.5,true,\n"), "\(csv)")
        #expect(csv.contains("Direct CM,200,0.125,,\"1\"\n"), "\(csv)")
        let json = try String(contentsOf: dir.appendingPathComponent("t.json"), encoding: .utf8)
        #expect(json.contains(#"{"model": "CM", "iters": 100, "fd": 0.5, "ok": true, "note": null}"#), "\(json)")
        #expect(json.contains(#""note": "1"}"#), "\(json)")
        // pandas-style readers see numbers: the JSON parses with iters as a number.
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.first?["iters"] is NSNumber)

        for (src, words) in [
            ("table([1, 2])", "list of records"),
            ("table([{a: noise(3)}])", "a table cell holds"),
            ("t[4]", "row 4 is out of range: the table has 4 rows"),
            ("t.save(\"t.txt\")", ".csv or .json"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }

    @Test func filterGroupJoin() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, out) = session(dir)
        let r = i.run(
            rows + """

                fn big(row) { return row.fd > 0.2 }
                print(filter(t, {model: "CM"}).iters)
                print(filter(t, {model: "Direct CM", iters: 200}).fd)
                print(filter(t, big).nrows)
                print(t[t.iters == 100].fd)
                g = group_by(t, "model")
                print(g.columns)
                print(g.count, g.fd)
                print(group_by(t, ["model", "iters"]).count)
                w = table([{model: "CM", mu: 0}, {model: "Direct CM", mu: -1}, {model: "other", mu: 5}])
                k = join(t, w, on: "model")
                print(k.columns, k.mu)
                print(join(g, g, on: "model").columns)
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        #expect(
            out() == [
                "tensor([100, 200])",
                "tensor([0.125])",
                "3",
                "tensor([0.5, 0.25])",
                "[\"model\", \"count\", \"iters\", \"fd\"]",
                // Means by hand: CM (0.5 + 0.3)/2 = 0.4, Direct CM (0.25 + 0.125)/2 = 0.1875.
                "tensor([2, 2]) tensor([0.4, 0.1875])",
                "tensor([1, 1, 1, 1])",
                "[\"model\", \"iters\", \"fd\", \"ok\", \"note\", \"mu\"] tensor([0, 0, -1, -1])",
                "[\"model\", \"count\", \"iters\", \"fd\", \"count_2\", \"iters_2\", \"fd_2\"]",
            ])
        for (src, words) in [
            ("filter(t, {mdoel: \"CM\"})", "did you mean 'model'"),
            ("group_by(t, \"nope\")", "no column 'nope'"),
            ("join(t, t, on: 3)", "column name"),
            ("filter(t, 5)", "record of column values or a function"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }

    /// One line per model, in the cycle's colours: each line's point at iters = 100 is its colour.
    @Test func aTableTurnsIntoAFigureWithALinePerGroup() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, _) = session(dir)
        let r = i.run(
            rows + """

                fig = plot(t, x: "iters", y: "fd", by: "model")
                curves = []
                for m in ["CM", "Direct CM"] { curves = curves + [tensor([[100, 1], [200, 2]])] }
                both = lines(curves..., labels: ["a", "b"])
                n = shape(concat([noise(2, dims: 2), noise(3, dims: 2)]...))
                """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        guard case .object(let o)? = i.lookup("fig"), let fig = (o as? FigureValue)?.figure else {
            Issue.record("no figure"); return
        }
        #expect(i.lookup("n")?.repr == "[5, 2]")
        let t = try fig.transform(ofPanel: 0)
        #expect(t.xLimits.lowerBound < 100 && t.xLimits.upperBound > 200 && t.yLimits.upperBound > 0.5)
        let image = try fig.pixels()
        for (k, y) in [(0, 0.5), (1, 0.25)] {
            let p = image.pixel(Int(t.px(100).rounded()), Int(t.py(y).rounded()))
            let c = Color.cycle[k]
            #expect(
                abs(Double(p.r) - c.red * 255) < 30 && abs(Double(p.g) - c.green * 255) < 30
                    && abs(Double(p.b) - c.blue * 255) < 30, "line \(k): \(p)")
        }
        for (src, words) in [
            ("plot(t, x: \"iters\")", "needs x: and y:"),
            ("plot(t, x: \"model\", y: \"fd\")", "does not hold numbers"),
            ("plot(noise(3, dims: 2), x: \"a\")", "names a column when plotting a table"),
            ("lines(5...)", "only a list can be spread"),
        ] {
            let bad = i.run(src)
            #expect(!bad.succeeded && bad.renderedErrors.contains(words), "\(src): \(bad.renderedErrors)")
        }
    }

    /// compare's table as values: steps are numbers (the teacher's and data's "—" is none),
    /// the JSON keeps column order and writes steps as numbers.
    @Test func compareTablesBecomePlainValues() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (i, out) = session(dir)
        let r = i.run(
            """
            data = ring(modes: 8, radius: 1, std: 0.05)
            teacher = exact(data)
            solver = heun(karras(n: 12))
            z = noise(200, dims: 2, seed: 7) * 80
            cm = distill(teacher, solver, objective: "cm", iters: 20, batch: 64, width: 32, depth: 2, seed: 0)
            c = compare([cm], teacher: teacher, solver: solver, noise: z, steps: [1, 2], bootstrap: 0)
            tc = table(c)
            print(tc.columns[0:3])
            print(filter(tc, {steps: 2}).nrows, filter(tc, {steps: none}).nrows)
            save(c, "c.json")
            print(c[c.steps == 2].model, c[2].steps, shape(c.ode_error))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        // Multistep rows add compare's renoise column ("—", i.e. null, for one step).
        #expect(out() == ["[\"model\", \"steps\", \"renoise\"]", "1 2", "[\"CM\"] 1 [4]"], "\(out())")
        let json = try String(contentsOf: dir.appendingPathComponent("c.json"), encoding: .utf8)
        #expect(json.contains(#"{"model": "CM", "steps": 1, "renoise": null, "ode_error": "#), "\(json)")
        #expect(json.contains(#"{"model": "CM", "steps": 2, "renoise": "fresh", "ode_error": "#), "\(json)")
    }
}
