import Foundation
import Notebook
import Script
import Testing

@testable import Bindings
@testable import Plotting

/// Issue 13's small things that misled: which way `field` points, and help on a member.
@Suite struct SmallThingsTests {
    /// For one Gaussian N(μ, s²I), D(x; σ) − x = (μ − x)·σ²/(s² + σ²): every arrow of
    /// field() points straight at the mean (towards the data, −dx/dσ), for a teacher; and
    /// the title says which field it is.
    @Test func fieldPointsTowardsTheData() throws {
        let i = quietSession()
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

    /// `?d.labels` prints that member's doc and value (none for a toy), not the help of none
    /// (the list of every builtin); a method's help shows its signature once, then its doc.
    @Test func helpOnAMemberIsThatMember() {
        let s = Session { quietSession() }
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
