import Bindings
import Distillation
import Testing

@testable import Script

/// Builtins and methods are documented once: the signature comes from the parameter
/// list, the doc says the rest.
@Suite struct HelpTests {
    @Test func everyBuiltinHasADocThatDoesNotRepeatItsSignature() {
        let i = quietSession()
        #expect(i.builtinNames.count > 60)
        for name in i.builtinNames {
            guard let b = i.registry[name] else { Issue.record("\(name) is listed but not registered"); continue }
            #expect(b.doc.count > 20, "\(name) has no real doc")
            #expect(!b.doc.contains(b.signature), "\(name)'s doc repeats its signature")
            #expect(b.signature.hasPrefix(name + "("), "\(b.signature)")
        }
    }

    /// The defaults `help` shows are the values a call gets: each reads back as its default.
    @Test func shownDefaultsReadBack() throws {
        let i = quietSession()
        for name in i.builtinNames {
            for p in i.registry[name]?.parameters ?? [] {
                guard let d = p.defaultValue else { continue }
                let shown = sourceForm(d)
                #expect(i.signatureOf(name).contains("\(p.name): \(shown)"))
                let back = try #require(i.run(shown).value, "\(name): \(shown) does not evaluate")
                #expect(back.repr == d.repr, "\(name)(\(p.name): \(shown)) reads back as \(back.repr)")
            }
        }
    }

    /// `distill`'s defaults are DistillationConfig's: the language and `cmlab distill` agree.
    @Test func distillDefaultsAreTheConfigs() throws {
        let c = DistillationConfig()
        let ps = try #require(quietSession().registry["distill"]).parameters
        func shown(_ n: String) -> String? { ps.first { $0.name == n }?.defaultValue?.repr }
        #expect(shown("iters") == formatNumber(Double(c.iterations)))
        #expect(shown("batch") == formatNumber(Double(c.batchSize)))
        #expect(shown("lr") == formatNumber(c.learningRate))
        #expect(shown("ema") == formatNumber(c.emaRate))
        #expect(shown("width") == formatNumber(Double(c.width)) && shown("depth") == formatNumber(Double(c.depth)))
        #expect(shown("objective") == "\"\(c.objective.rawValue)\"" && shown("distance") == "\"\(c.distance)\"")
    }

    /// `help(student)` lists each method once, as `student.sample(x, steps: 1, seed: 0) — doc`.
    @Test func methodsAppearOnceInHelp() throws {
        let i = quietSession()
        let r = i.run(
            """
            t = exact(ring())
            s = distill(t, heun(karras(n: 6)), iters: 2, batch: 8, width: 8, depth: 1)
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        var lines: [String] = []
        i.output = { lines.append($0) }
        #expect(i.run("help(s)\nhelp(t)").succeeded)
        let sample = lines.filter { $0.contains("student.sample(") }
        #expect(
            sample.count == 1
                && sample[0].hasPrefix(
                    "  student.sample(x, steps: 1, seed: 0, renoise: \"fresh\", teacher: none, solver: none) — Multistep "
                        + "consistency sampling from x at σ_max (noise already scaled by σ_max)."),
            "\(sample)")
        #expect(lines.contains("  teacher.denoise(x, sigma) — D(x; σ) for every row of x, as a tensor."))
    }
}

extension Interpreter {
    fileprivate func signatureOf(_ name: String) -> String { registry[name]?.signature ?? "" }
}
