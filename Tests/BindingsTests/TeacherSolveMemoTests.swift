import Foundation
import Script
import Testing

@testable import Bindings

/// The session's teacher solves: a second table from the same noise reuses the teacher's
/// solve and prints the same numbers as a session that solves again; other noise, another
/// teacher or another grid solves afresh.
@Suite(.serialized) struct TeacherSolveMemoTests {
    func session(_ dir: URL) -> (Interpreter, BindingsContext, () -> [String]) {
        let interp = Interpreter()
        var lines: [String] = []
        interp.output = { lines.append($0) }
        let ctx = BindingsContext(
            resolveWritePath: { dir.appendingPathComponent($0) },
            resolveReadPath: { dir.appendingPathComponent($0) })
        installBindings(into: interp, context: ctx)
        return (interp, ctx, { lines })
    }

    let script = """
        T = exact(ring(modes: 8, radius: 1, std: 0.05))
        solver = heun(karras(n: 10))
        z = noise(300, dims: 2, seed: 7) * 80
        cm = distill(T, solver, objective: "cm", iters: 20, batch: 32, width: 16, depth: 2, seed: 0)
        print(compare([cm], teacher: T, solver: solver, noise: z, steps: [1, 2], metrics: ["ode_error", "swd"]))
        """

    @Test func aSecondTableFromTheSameNoiseReusesTheSolve() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (a, actx, aout) = session(dir)
        #expect(a.run(script).succeeded)
        #expect(actx.teacherSolves.hits == 0)
        let again = a.run(
            """
            print(compare([cm], teacher: T, solver: solver, noise: z, steps: [1, 2], metrics: ["ode_error", "swd"]))
            """)
        #expect(again.succeeded, "\(again.renderedErrors)")
        #expect(actx.teacherSolves.hits == 1)
        let printed = aout()
        #expect(printed.count % 2 == 0 && printed.count > 4)
        let first = Array(printed.prefix(printed.count / 2))
        #expect(Array(printed.suffix(printed.count / 2)) == first, "\(printed)")
        // A fresh session (no memo) prints the same table.
        let (b, _, bout) = session(dir)
        #expect(b.run(script).succeeded)
        #expect(bout() == first)
        // Other noise, another teacher, another grid: solved afresh.
        let misses = a.run(
            """
            z2 = noise(300, dims: 2, seed: 8) * 80
            t = compare([cm], teacher: T, solver: solver, noise: z2, steps: [1])
            T2 = exact(ring(modes: 8, radius: 1, std: 0.05))
            t = compare([], teacher: T2, solver: solver, noise: z, steps: [1])
            t = compare([], teacher: T, solver: heun(karras(n: 12)), noise: z, steps: [1])
            t = compare([], teacher: T, solver: euler(karras(n: 10)), noise: z, steps: [1])
            """)
        #expect(misses.succeeded, "\(misses.renderedErrors)")
        #expect(actx.teacherSolves.hits == 1)
    }
}
