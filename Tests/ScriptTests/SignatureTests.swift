import Testing

@testable import Script

/// Signatures are derived from parameter lists; what `help` and error messages show
/// must be what a user can type back.
@Suite struct SignatureTests {
    private func builtin(_ name: String, receiver: String? = nil, _ parameters: [Parameter]) -> Builtin {
        Builtin(name: name, receiver: receiver, doc: "", parameters: parameters) { _ in .none }
    }

    @Test func requiredVariadicAndDefaults() {
        #expect(
            builtin("solve", [.required("teacher"), .required("solver"), .required("x")]).signature
                == "solve(teacher, solver, x)")
        #expect(
            builtin("print", [.variadic("values"), .optional("sep", .string(" "))]).signature
                == "print(values…, sep: \" \")")
        #expect(
            builtin("plot", [.required("x"), .optional("file"), .optional("labels", .list([]))]).signature
                == "plot(x, file: none, labels: [])")
        #expect(
            builtin("f", [.optional("on", .bool(true)), .optional("at", .list([.number(1), .number(2.5)]))])
                .signature == "f(on: true, at: [1, 2.5])")
    }

    @Test func methodsNameTheirReceiver() {
        #expect(
            builtin("sample", receiver: "student", [.required("x"), .optional("steps", .number(1))]).signature
                == "student.sample(x, steps: 1)")
    }

    @Test func exponentsAreWrittenAsTheScannerReadsThem() {
        #expect(compactExponent("1e-06") == "1e-6")
        #expect(compactExponent("1e+20") == "1e20")
        #expect(compactExponent("2.5e-10") == "2.5e-10")
        #expect(compactExponent("0.001") == "0.001")
        #expect(
            builtin("rk45", [.optional("rtol", .number(1e-6)), .optional("sigma_min", .number(0.002))]).signature
                == "rk45(rtol: 1e-6, sigma_min: 0.002)")
    }

    /// Every default shown in a signature evaluates, in the language, to the default itself.
    @Test func shownDefaultsReadBackAsTheDefaults() throws {
        let defaults: [Value] = [
            .number(1e-6), .number(1e20), .number(-3.25e-12), .number(80), .number(0.002),
            .string("l2"), .string("a \"q\""), .list([.number(1), .number(2), .number(4)]),
            .list([.string("ode_error"), .string("nll")]), .bool(false), .none,
        ]
        let i = Interpreter()
        for d in defaults {
            let text = sourceForm(d)
            let back = try #require(i.run(text).value, "\(text) did not evaluate")
            #expect(back.repr == d.repr, "\(text) read back as \(back.repr)")
        }
    }
}
