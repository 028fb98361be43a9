/// The domain-free builtins every interpreter starts with.
enum CoreBuiltins {
    static func register(in registry: Registry) {
        registerGeneral(in: registry)
        registerMath(in: registry)
        registerTensors(in: registry)
    }

    /// `print`, `str`, `type`, `len`, `help`, `range`, `list`, `keys`, `format`.
    static func registerGeneral(in r: Registry) {
        r.register(name: "print", signature: "print(values…, sep: \" \")",
                   doc: "Writes the values on one line, separated by `sep`. Strings print without quotes; tensors and objects print as a one-line summary.",
                   parameters: [.variadic("values"), .optional("sep", .string(" "))]) { args in
            let sep = try args.string("sep")
            for v in args.rest { if case .tensor(let t) = v { try args.interpreter.charge(elements: t.count, at: args.callSpan) } }
            let line = args.rest.map(\.description).joined(separator: sep)
            for l in line.split(separator: "\n", omittingEmptySubsequences: false) { args.interpreter.output(String(l)) }
            return .none
        }
        r.register(name: "str", doc: "The value as a string, as `print` would show it.",
                   parameters: [.required("x")]) { args in .string(args["x"].description) }
        r.register(name: "repr", doc: "The value as a string in source form (strings keep their quotes).",
                   parameters: [.required("x")]) { args in .string(args["x"].repr) }
        r.register(name: "type", doc: "The name of the value's type: \"number\", \"string\", \"bool\", \"none\", \"list\", \"record\", \"tensor\", \"range\", \"function\", or a domain type such as \"solver\".",
                   parameters: [.required("x")]) { args in .string(args["x"].typeName) }
        r.register(name: "len", doc: "The number of items: characters of a string, items of a list or range, fields of a record, rows (first axis) of a tensor.",
                   parameters: [.required("x")]) { args in
            switch args["x"] {
            case .string(let s): return .number(Double(s.count))
            case .list(let xs): return .number(Double(xs.count))
            case .range(let rv): return .number(Double(rv.count))
            case .record(let rec): return .number(Double(rec.fields.count))
            case .tensor(let t): return .number(Double(t.rank == 0 ? 1 : t.shape[0]))
            case let v: throw args.error("len needs a string, list, range, record or tensor, got \(v.brief)", at: "x")
            }
        }
        r.register(name: "range", signature: "range(start, stop: none, step: 1)",
                   doc: "The numbers start, start + step, … below stop; with one argument, `range(n)` is 0, 1, …, n − 1. Lazy: `range(1e9)` needs no memory, so loops over it are bounded only by time (and Ctrl-C).",
                   parameters: [.required("start"), .optional("stop"), .optional("step", .number(1))]) { args in
            var start = try args.number("start")
            var stop = 0.0
            if args.isGiven("stop") { stop = try args.number("stop") } else { swap(&start, &stop) }
            let step = try args.number("step")
            guard step != 0 else { throw args.error("'step' must not be zero", at: "step") }
            guard start.isFinite, stop.isFinite, step.isFinite else { throw args.error("range bounds must be finite numbers") }
            return .range(RangeValue(start: start, stop: stop, step: step))
        }
        r.register(name: "list", doc: "A list of the items of a list, range, string (its characters) or tensor (its rows; numbers for a 1-D tensor).",
                   parameters: [.required("x")]) { args in
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
        r.register(name: "keys", doc: "The field names of a record, or the member names of a domain object, as a list of strings.",
                   parameters: [.required("x")]) { args in
            let names = args.interpreter.memberNames(of: args["x"])
            if names.isEmpty, case .record = args["x"] {} else if names.isEmpty {
                throw args.error("keys needs a record or an object, got \(args["x"].brief)", at: "x")
            }
            return .list(names.map { .string($0) })
        }
        r.register(name: "format", signature: "format(x, digits: 4)",
                   doc: "A number as a string with `digits` digits after the decimal point (`format(3.14159, 2)` is \"3.14\"). Lists and tensors format each number.",
                   parameters: [.required("x"), .optional("digits", .number(4))]) { args in
            let d = try args.nonNegativeInt("digits")
            guard d <= 30 else { throw args.error("'digits' must be at most 30, got \(d)", at: "digits") }
            func fmt(_ x: Double) -> String {
                x.isFinite ? String(format: "%.\(d)f", x) : formatNumber(x)
            }
            switch args["x"] {
            case .number(let x): return .string(fmt(x))
            case .list(let xs): return .string("[" + (try xs.map { v -> String in
                guard case .number(let x) = v else { throw args.error("format needs numbers, got \(v.brief) in the list", at: "x") }
                return fmt(x) }).joined(separator: ", ") + "]")
            case .tensor(let t): return .string("[" + t.scalars.prefix(1000).map { fmt(Double($0)) }.joined(separator: ", ") + (t.count > 1000 ? ", …]" : "]"))
            default: throw args.error("expected a number for 'x' in format(…), got \(args["x"].brief)", at: "x")
            }
        }
        r.register(name: "help", signature: "help(x: none)",
                   doc: "Prints the signature and doc of a builtin or function, or the type, doc and members of an object. `help()` lists every builtin; `help(\"name\")` looks a builtin up by name.",
                   parameters: [.optional("x")]) { args in
            let text = args.interpreter.helpText(for: args["x"])
            for l in text.split(separator: "\n", omittingEmptySubsequences: false) { args.interpreter.output(String(l)) }
            return .none
        }
    }
}
