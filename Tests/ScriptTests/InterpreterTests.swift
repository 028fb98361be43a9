import Tensors
import Testing

@testable import Script

@Suite struct InterpreterTests {
    @Test func globalsPersistAcrossRunsAndFailedCellsKeepThem() {
        let i = Interpreter()
        #expect(i.run("a = 1\nb = 2").succeeded)
        let failed = i.run("c = 3\nd = a + nope\ne = 5")
        #expect(!failed.succeeded)
        #expect(failed.errors[0].span == SourceSpan(line: 2, column: 9, length: 4))
        // Statements before the failure ran; those after did not.
        #expect(i.globalNames == ["a", "b", "c"])
        #expect(i.run("a + b + c").value.map(\.repr) == "6")
    }

    @Test func lastExpressionIsTheValue() {
        let i = Interpreter()
        #expect(i.run("x = 2\nx * 21").value.map(\.repr) == "42")
        #expect(i.run("y = 1").value == nil)
        #expect(i.run("print(1)").value.map(\.repr) == "none")
    }

    @Test func syntaxErrorsRunNothing() {
        let i = Interpreter()
        var out: [String] = []
        i.output = { out.append($0) }
        let r = i.run("print(1)\nx = (")
        #expect(!r.succeeded && out.isEmpty && i.globalNames.isEmpty)
    }

    @Test func renderingShowsLineAndCaret() {
        let i = Interpreter()
        i.registry.register(name: "heun", doc: "solver", parameters: [.required("grid")]) { _ in .none }
        let r = i.run("grid = 1\nsolver = huen(grid)")
        #expect(
            r.renderedErrors == """
                error: 2:10: unknown name 'huen'; did you mean 'heun'?
                solver = huen(grid)
                         ^^^^
                """)
    }

    @Test func renderKeepsTabsAndClampsTheCaret() {
        let e = ScriptError("bad", at: SourceSpan(line: 1, column: 3, length: 100))
        #expect(render(e, source: "\tx = 1") == "error: 1:3: bad\n\tx = 1\n\t ^^^^")
        #expect(render(ScriptError("no place"), source: "x") == "error: no place")
    }

    @Test func cancellationStopsLoopsWithAnError() {
        let i = Interpreter()
        var polls = 0
        i.isCancelled = {
            polls += 1; return polls > 100
        }
        let r = i.run("n = 0\nwhile true { n = n + 1 }")
        #expect(r.errors.map(\.message) == ["interrupted"])
        #expect(r.errors[0].span?.line == 2)
        i.isCancelled = { false }
        #expect(i.run("n > 50").value.map(\.repr) == "true")
    }

    @Test func stepBudget() {
        let i = Interpreter()
        i.limits.maxSteps = 1000
        let r = i.run("for i in range(1e12) { }")
        #expect(r.errors.first?.message.contains("step budget") == true)
    }

    @Test func builtinsGetTypedArgumentsAndGoodErrors() {
        let i = Interpreter()
        var seen: (Int, String, Tensor)? = nil
        i.registry.register(
            name: "train", doc: "test",
            parameters: [.required("x"), .optional("iters", .number(1000)), .optional("objective", .string("cm"))]
        ) { args in
            seen = (try args.positiveInt("iters"), try args.string("objective"), try args.tensor("x"))
            return .none
        }
        #expect(i.run("train([[1, 2]], iters: 5)").succeeded)
        #expect(seen?.0 == 5 && seen?.1 == "cm" && seen?.2.shape == [1, 2])
        #expect(
            i.run("train(1, iters: \"abc\")").errors.map(\.description) == [
                "1:17: expected a number for 'iters' in train(…), got string \"abc\""
            ])
        #expect(
            i.run("train(1, iter: 3)").errors.map(\.description) == [
                "1:10: train has no argument 'iter'; did you mean 'iters'?"
            ])
        #expect(
            i.run("train()").errors.map(\.description) == [
                "1:1: missing argument 'x' in call to train(x, iters: 1000, objective: \"cm\")"
            ])
        #expect(
            i.run("train(1, iters: 0)").errors.map(\.description) == [
                "1:17: 'iters' must be a positive whole number, got 0"
            ])
    }

    @Test func helpAndCompletion() {
        let i = Interpreter()
        i.run("solver_a = 1\nsolver_b = {final: 2, first: 3}\nfn go(alpha, beta: 2) { }")
        #expect(i.completions(for: "x = solv") == ["solver_a", "solver_b"])
        #expect(i.completions(for: "solver_b.fi") == ["solver_b.final", "solver_b.first"])
        #expect(i.completions(for: "pri").contains("print"))
        #expect(i.argumentLabels(of: "go") == ["alpha", "beta"])
        #expect(i.argumentLabels(of: "format") == ["x", "digits"])
        #expect(i.builtinNames.contains("tensor"))
        #expect(i.helpText(for: .string("format")).hasPrefix("format(x, digits: 4)\n"))
    }

    @Test func callingScriptFunctionsFromSwift() throws {
        let i = Interpreter()
        i.run("fn scale(x, k: 2) { return x * k }")
        guard case .function(let f)? = i.lookup("scale") else { Issue.record("no function"); return }
        let v = try i.call(f, [.number(4)], named: [("k", .number(3))], at: SourceSpan(line: 1, column: 1))
        #expect(v.repr == "12")
    }

    @Test func valuesPrint() {
        #expect(Value.number(3).repr == "3")
        #expect(Value.number(0.5).repr == "0.5")
        #expect(Value.number(1e20).repr == "1e+20")
        #expect(Value.number(.nan).repr == "nan")
        #expect(Value.list([.string("a"), .none]).description == "[\"a\", none]")
        #expect(Value.string("a").description == "a")
        // Up to 20 elements print their values (Float32 digits); more print a summary.
        #expect(Value.tensor(Tensor(shape: [2], scalars: [1, 0.1])).repr == "tensor([1, 0.1])")
        #expect(Value.tensor(Tensor(shape: [21], repeating: 2)).repr == "Tensor(21, f32, mean 2, std 0)")
    }

    @Test func suggestions() {
        #expect(suggestion(for: "huen", among: ["heun", "euler"]) == "heun")
        #expect(suggestion(for: "Heun", among: ["heun"]) == "heun")
        #expect(suggestion(for: "itres", among: ["iters", "seed"]) == "iters")
        #expect(suggestion(for: "xyz", among: ["heun"]) == nil)
    }
}

@Suite struct LineEndingTests {
    @Test func crlfSourcesRenderTheRightLine() {
        let i = Interpreter()
        let r = i.run("a = 1\r\nb = qqqq\r\n")
        #expect(r.renderedErrors == "error: 2:5: unknown name 'qqqq'\nb = qqqq\n    ^^^^")
    }
}

@Suite struct DomainObjectTests {
    @Test func completionWalksObjectMembers() {
        let i = Interpreter()
        FakeDomain.register(in: i.registry)
        i.run("solver = heun(karras(n: 5))")
        #expect(i.completions(for: "solver.gr") == ["solver.grid"])
        #expect(i.completions(for: "solver.grid.sig") == ["solver.grid.sigma_max", "solver.grid.sigmas"])
        #expect(i.memberNames(ofGlobal: "solver") == ["method", "grid", "steps"])
        #expect(i.argumentLabels(of: "distill") == ["teacher", "solver", "objective", "iters"])
    }

    @Test func methodErrorsPointAtTheArgument() {
        let i = Interpreter()
        FakeDomain.register(in: i.registry)
        let r = i.run("s = distill(0, heun(karras()))\ns.sample(zeros(2), steps: -1)")
        #expect(r.errors.map(\.description) == ["2:27: 'steps' must be a positive whole number, got -1"])
    }
}
