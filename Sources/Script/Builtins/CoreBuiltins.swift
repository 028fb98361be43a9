/// The domain-free builtins every interpreter starts with.
enum CoreBuiltins {
    static func register(in registry: Registry) {
        registerGeneral(in: registry)
        registerMath(in: registry)
        registerTensors(in: registry)
        registerAxes(in: registry)
    }

    /// `print`, `str`, `repr`, `type`, `len`, `range`, `list`, `keys`, `format`, `help`.
    static func registerGeneral(in r: Registry) {
        r.register(
            name: "print",
            doc: """
                Writes the values on one line, separated by `sep`. Strings print without quotes; tensors and objects \
                print as a one-line summary.
                """, parameters: [.variadic("values"), .optional("sep", .string(" "))], body: print)
        r.register(
            name: "str", doc: "The value as a string, as `print` would show it.",
            parameters: [.required("x")]
        ) { args in .string(args["x"].description) }
        r.register(
            name: "repr", doc: "The value as a string in source form (strings keep their quotes).",
            parameters: [.required("x")]
        ) { args in .string(args["x"].repr) }
        r.register(
            name: "type",
            doc: """
                The name of the value's type: "number", "string", "bool", "none", "list", "record", "tensor", "range", \
                "function", or a domain type such as "solver".
                """, parameters: [.required("x")]
        ) { args in .string(args["x"].typeName) }
        r.register(
            name: "len",
            doc: """
                The number of items: characters of a string, items of a list or range, fields of a record, rows (first \
                axis) of a tensor.
                """, parameters: [.required("x")], body: len)
        r.register(
            name: "range",
            doc: """
                The numbers start, start + step, … below stop; with one argument, `range(n)` is 0, 1, …, n − 1. Lazy: \
                `range(1e9)` needs no memory, so loops over it are bounded only by time (and Ctrl-C).
                """, parameters: [.required("start"), .optional("stop"), .optional("step", .number(1))], body: range)
        r.register(
            name: "list",
            doc: """
                A list of the items of a list, range, string (its characters) or tensor (its rows; numbers for a 1-D \
                tensor).
                """, parameters: [.required("x")], body: list)
        r.register(
            name: "keys",
            doc: """
                The field names of a record, or the member names of a domain object, as a list of strings.
                """, parameters: [.required("x")], body: keys)
        r.register(
            name: "format",
            doc: """
                A number as a string with `digits` digits after the decimal point (`format(3.14159, 2)` is "3.14"). \
                Lists and tensors format each number.
                """, parameters: [.required("x"), .optional("digits", .number(4))], body: format)
        r.register(
            name: "help",
            doc: """
                Prints the signature and doc of a builtin or function, or the type, doc and members of an object. \
                `help()` lists every builtin; `help("name")` looks a builtin up by name.
                """, parameters: [.optional("x")]
        ) { args in
            args.interpreter.outputLines(args.interpreter.helpText(for: args["x"]))
            return .none
        }
    }

    private static func print(_ args: Arguments) throws -> Value {
        let sep = try args.string("sep")
        for case .tensor(let t) in args.rest { try args.interpreter.charge(elements: t.count, at: args.callSpan) }
        args.interpreter.outputLines(args.rest.map(\.description).joined(separator: sep))
        return .none
    }

    private static func len(_ args: Arguments) throws -> Value {
        switch args["x"] {
        case .string(let s): return .number(Double(s.count))
        case .list(let xs): return .number(Double(xs.count))
        case .range(let rv): return .number(Double(rv.count))
        case .record(let rec): return .number(Double(rec.fields.count))
        case .tensor(let t): return .number(Double(t.rank == 0 ? 1 : t.shape[0]))
        case let v: throw args.error("len needs a string, list, range, record or tensor, got \(v.brief)", at: "x")
        }
    }

    private static func range(_ args: Arguments) throws -> Value {
        var start = try args.number("start")
        var stop = 0.0
        if args.isGiven("stop") { stop = try args.number("stop") } else { swap(&start, &stop) }
        let step = try args.number("step")
        guard step != 0 else { throw args.error("'step' must not be zero", at: "step") }
        guard start.isFinite, stop.isFinite, step.isFinite else {
            throw args.error("range bounds must be finite numbers")
        }
        return .range(RangeValue(start: start, stop: stop, step: step))
    }

    private static func list(_ args: Arguments) throws -> Value {
        let x = args["x"]
        switch x {
        case .list: return x
        case .string(let s):
            try args.interpreter.checkListSize(s.utf8.count, at: args.span(of: "x"))
            return .list(s.map { .string(String($0)) })
        default:
            let n = try args.interpreter.iterationCount(x, at: args.span(of: "x"))
            try args.interpreter.checkListSize(n, at: args.span(of: "x"))
            return .list(try (0..<n).map { try args.interpreter.element(of: x, at: $0) })
        }
    }

    private static func keys(_ args: Arguments) throws -> Value {
        let names = args.interpreter.memberNames(of: args["x"])
        if names.isEmpty, case .record = args["x"] {
        } else if names.isEmpty {
            throw args.error("keys needs a record or an object, got \(args["x"].brief)", at: "x")
        }
        return .list(names.map { .string($0) })
    }

    private static func format(_ args: Arguments) throws -> Value {
        let d = try args.nonNegativeInt("digits")
        guard d <= 30 else { throw args.error("'digits' must be at most 30, got \(d)", at: "digits") }
        func fmt(_ x: Double) -> String {
            x.isFinite ? String(format: "%.\(d)f", x) : formatNumber(x)
        }
        switch args["x"] {
        case .number(let x): return .string(fmt(x))
        case .list(let xs):
            let items = try xs.map { v -> String in
                guard case .number(let x) = v else {
                    throw args.error("format needs numbers, got \(v.brief) in the list", at: "x")
                }
                return fmt(x)
            }
            return .string("[" + items.joined(separator: ", ") + "]")
        case .tensor(let t):
            let items = t.scalars.prefix(1000).map { fmt(Double($0)) }
            return .string("[" + items.joined(separator: ", ") + (t.count > 1000 ? ", …]" : "]"))
        default: throw args.error("expected a number for 'x' in format(…), got \(args["x"].brief)", at: "x")
        }
    }
}

extension Interpreter {
    /// Writes a text line by line to `output` (an empty line stays a line).
    func outputLines(_ text: String) {
        for l in text.split(separator: "\n", omittingEmptySubsequences: false) { output(String(l)) }
    }
}
