import Testing

@testable import Script

@Suite struct ParserTests {
    @Test func oneRunReportsSeveralMistakes() {
        let (statements, errors) = Parser.parse(
            """
            a = (1 +
            b = 2
            c = [1 2]
            d = 4
            if d = 4 { }
            e = 5
            """)
        #expect(errors.map { $0.span?.line ?? 0 } == [1, 3, 5])
        // The good statements survive: b, d and e.
        #expect(statements.count == 3)
    }

    @Test func recoveryInsideBlocks() {
        let (statements, errors) = Parser.parse(
            """
            fn f(x) {
                y = x +* 2
                return x
            }
            print(f(1))
            """)
        #expect(errors.count == 1 && errors[0].span == SourceSpan(line: 2, column: 12))
        #expect(statements.count == 2)
    }

    @Test func precedenceAndAssociativity() {
        let i = Interpreter()
        #expect(i.run("2 + 3 * 4 ** 2 / 8 - 1").value.map(\.repr) == "7")
        #expect(i.run("2 ** 3 ** 2").value.map(\.repr) == "512")
        #expect(i.run("-2 ** 2").value.map(\.repr) == "-4")
        #expect(i.run("not 1 == 2 and 3 < 4").value.map(\.repr) == "true")
        #expect(i.run("10 - 2 - 3").value.map(\.repr) == "5")
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        let (_, errors) = Parser.parse("x = " + deep)
        #expect(errors.count == 1 && errors[0].message.contains("nesting too deep"))
        // A flat sum of 1,000 terms is a long formula, not a deep one: accepted (issue 14).
        let (_, e1) = Parser.parse("x = 1" + String(repeating: " + 1", count: 1000))
        #expect(e1.isEmpty)
        let chain = "x = 1" + String(repeating: " + 1", count: 3000)
        let (_, e2) = Parser.parse(chain)
        #expect(e2.count == 1 && e2[0].message.contains("too large"))
    }

    @Test func errorCountIsCapped() {
        let (_, errors) = Parser.parse(String(repeating: "x = )\n", count: 500))
        #expect(errors.count == Parser.maxErrors)
    }

    @Test func spansOfExpressions() {
        let (statements, _) = Parser.parse("value = solver.sample(z, steps: 2)")
        guard case .assign(_, let value) = statements[0].kind else { Issue.record("not an assignment"); return }
        #expect(value.span == SourceSpan(line: 1, column: 9, length: 26))
    }
}
