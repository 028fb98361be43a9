import Tensors

extension CoreBuiltins {
    /// `tensor`, `zeros`, `ones`, `full`, `shape`, `reshape`, `tolist`.
    static func registerTensors(in r: Registry) {
        r.register(
            name: "tensor",
            doc: """
                A Float32 tensor from a number, a tensor, or a rectangular nested list of numbers \
                (`tensor([[1, 2], [3, 4]])` has shape [2, 2]).
                """, parameters: [.required("x")]
        ) { args in .tensor(try args.tensor("x")) }
        for (name, fill) in [("zeros", 0.0), ("ones", 1.0)] {
            r.register(
                name: name,
                doc: """
                    A tensor of the given shape filled with \(formatNumber(fill)): `\(name)(3)` is 1-D, `\(name)(2, \
                    3)` (or `\(name)([2, 3])`) is 2 × 3. Every extent must be a whole number ≥ 0.
                    """, parameters: [.variadic("extents")]
            ) { args in
                .tensor(Tensor(shape: try shape(args, for: name), repeating: Float(fill)))
            }
        }
        r.register(
            name: "full", doc: "A tensor of the given shape (a list of extents) filled with `value`.",
            parameters: [.required("shape"), .required("value")]
        ) { args in
            let s = try extents(try args.list("shape"), args: args, span: args.span(of: "shape"))
            return .tensor(Tensor(shape: s, repeating: Float(try args.number("value"))))
        }
        r.register(
            name: "shape", doc: "The extents of a tensor as a list (`[]` for a number).",
            parameters: [.required("x")]
        ) { args in
            switch args["x"] {
            case .number: return .list([])
            case .tensor(let t): return .list(t.shape.map { .number(Double($0)) })
            default: return .list(try args.tensor("x").shape.map { .number(Double($0)) })
            }
        }
        r.register(
            name: "reshape",
            doc: """
                The same elements under another shape with the same count; one extent may be -1 (inferred).
                """, parameters: [.required("x"), .required("shape")]
        ) { args in
            let t = try args.tensor("x")
            var s: [Int] = []
            for v in try args.list("shape") {
                s.append(try args.interpreter.wholeNumber(v, what: "an extent", at: args.span(of: "shape")))
            }
            if let k = s.firstIndex(of: -1) {
                let rest = s.enumerated().filter { $0.offset != k }.map(\.element)
                guard rest.allSatisfy({ $0 > 0 }) else {
                    throw args.error("extents must be positive, got \(s)", at: "shape")
                }
                let known = try args.interpreter.elementCount(rest, at: args.span(of: "shape"))
                guard t.count % known == 0 else {
                    throw args.error("cannot reshape \(t.count) elements into \(s)", at: "shape")
                }
                s[k] = t.count / known
            }
            guard s.count <= 32 else { throw args.error("too many axes (\(s.count)); at most 32", at: "shape") }
            let n = try args.interpreter.elementCount(s, at: args.span(of: "shape"))
            guard n == t.count else {
                throw args.error(
                    "cannot reshape a tensor of shape \(t.shape) (\(t.count) elements) into \(s) "
                        + "(\(n) elements)", at: "shape")
            }
            return .tensor(t.reshaped(s))
        }
        r.register(
            name: "tolist",
            doc: """
                The elements of a tensor as (nested) lists of numbers; a rank-0 tensor gives a number.
                """, parameters: [.required("x")]
        ) { args in
            let t = try args.tensor("x")
            try args.interpreter.checkListSize(t.count, at: args.span(of: "x"))
            func build(_ axis: Int, _ offset: Int) -> (Value, Int) {
                if axis == t.rank { return (.number(Double(t.scalars[offset])), offset + 1) }
                var items: [Value] = [], o = offset
                for _ in 0..<t.shape[axis] { let (v, next) = build(axis + 1, o); items.append(v); o = next }
                return (.list(items), o)
            }
            return build(0, 0).0
        }
    }

    /// `zeros(2, 3)` or `zeros([2, 3])`.
    private static func shape(_ args: Arguments, for name: String) throws -> [Int] {
        if args.rest.count == 1, case .list(let xs) = args.rest[0] {
            return try extents(xs, args: args, span: args.restSpans[0])
        }
        if args.rest.isEmpty { throw args.error("\(name) needs at least one extent, as \(name)(2, 3)") }
        return try extents(args.rest, args: args, spans: args.restSpans)
    }

    private static func extents(_ vs: [Value], args: Arguments, span: SourceSpan) throws -> [Int] {
        try extents(vs, args: args, spans: Array(repeating: span, count: vs.count))
    }

    private static func extents(_ vs: [Value], args: Arguments, spans: [SourceSpan]) throws -> [Int] {
        guard vs.count <= 32 else { throw args.error("too many axes (\(vs.count)); at most 32") }
        var out: [Int] = []
        for (v, span) in zip(vs, spans) {
            let n = try args.interpreter.wholeNumber(v, what: "an extent", at: span)
            guard n >= 0 else { throw ScriptError("an extent must be zero or more, got \(n)", at: span) }
            out.append(n)
        }
        _ = try args.interpreter.elementCount(out, at: args.callSpan)
        return out
    }
}
