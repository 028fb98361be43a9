import Foundation
import Tensors

extension CoreBuiltins {
    /// `abs`, `sqrt`, `exp`, `log`, `floor`, `round` (element-wise on tensors);
    /// `min`, `max`, `sum`, `mean`, `std` (over numbers, a list or a tensor).
    static func registerMath(in r: Registry) {
        let unary: [(String, String, (Double) -> Double, ((Double) -> String?)?)] = [
            ("abs", "Absolute value.", { Swift.abs($0) }, nil),
            (
                "sqrt", "Square root; negative numbers are an error.", { $0.squareRoot() },
                { $0 < 0 ? "sqrt of a negative number (\(formatNumber($0)))" : nil }
            ),
            ("exp", "e raised to x.", { Foundation.exp($0) }, nil),
            (
                "log", "Natural logarithm; zero and negative numbers are an error.", { Foundation.log($0) },
                { $0 <= 0 ? "log of \($0 == 0 ? "zero" : "a negative number (\(formatNumber($0)))")" : nil }
            ),
            ("floor", "The largest whole number not above x.", { $0.rounded(.down) }, nil),
            ("round", "The nearest whole number (halves away from zero).", { $0.rounded() }, nil),
        ]
        for (name, doc, f, domain) in unary {
            r.register(
                name: name, doc: doc + " Works on a number, or element-wise on a tensor.",
                parameters: [.required("x")]
            ) { args in
                switch args["x"] {
                case .number(let x):
                    if let check = domain, let msg = check(x) { throw args.error(msg, at: "x") }
                    return .number(f(x))
                case .tensor(let t):
                    try args.interpreter.charge(elements: t.count, at: args.callSpan)
                    return .tensor(t.map { Float(f(Double($0))) })
                default:
                    let got = args["x"].brief
                    throw args.error("expected a number or a tensor for 'x' in \(name)(…), got \(got)", at: "x")
                }
            }
        }

        let reductions: [(String, String, ([Double]) -> Double)] = [
            ("min", "The smallest", { $0.min() ?? .nan }),
            ("max", "The largest", { $0.max() ?? .nan }),
            ("sum", "The sum", { $0.reduce(0, +) }),
            ("mean", "The mean", { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) }),
            (
                "std", "The population standard deviation",
                { xs in
                    guard !xs.isEmpty else { return .nan }
                    let m = xs.reduce(0, +) / Double(xs.count)
                    return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count)).squareRoot()
                }
            ),
        ]
        for (name, what, f) in reductions {
            r.register(
                name: name,
                doc: """
                    \(what) of the numbers given: several numbers, one list of numbers, or one tensor (all its \
                    elements). With axis: (one tensor), along that axis only, giving a tensor without it \
                    (\(name)(x, axis: 0) over rows; axis: -1 is the last); on a mask, sum counts the true elements. An \
                    empty list or tensor is an error.
                    """, parameters: [.variadic("values"), .optional("axis")]
            ) { args in
                if args.isGiven("axis") {
                    guard args.rest.count == 1, case .tensor(let t) = args.rest[0] else {
                        throw args.error("\(name)(x, axis: k) takes one tensor x", at: "axis")
                    }
                    guard let k = try axis(args, of: t) else { throw args.error("axis is missing", at: "axis") }
                    try args.interpreter.charge(elements: t.count, at: args.callSpan)
                    return reduce(t, axis: k, f)
                }
                let xs = try numbers(args, for: name)
                guard !xs.isEmpty else {
                    if args.rest.count == 1, case .tensor(let t) = args.rest[0] {
                        throw args.error("\(name) of an empty tensor (shape \(t.shape))")
                    }
                    throw args.error("\(name) of an empty list")
                }
                return .number(f(xs))
            }
        }
    }

    /// The numbers a reduction works on: `f(a, b, c)`, `f([a, b, c])` or `f(tensor)`.
    private static func numbers(_ args: Arguments, for name: String) throws -> [Double] {
        if args.rest.isEmpty { throw args.error("\(name) needs at least one value") }
        if args.rest.count == 1 {
            switch args.rest[0] {
            case .tensor(let t):
                try args.interpreter.charge(elements: t.count, at: args.callSpan)
                return t.scalars.map(Double.init)
            case .range(let rv):
                try args.interpreter.checkListSize(rv.count, at: args.restSpans[0])
                return (0..<rv.count).map { rv[$0] }
            case .list(let xs):
                return try xs.map { v in
                    guard case .number(let x) = v else {
                        throw ScriptError("\(name) needs numbers, got \(v.brief) in the list", at: args.restSpans[0])
                    }
                    return x
                }
            default: break
            }
        }
        return try zip(args.rest, args.restSpans).map { v, span in
            guard case .number(let x) = v else {
                throw ScriptError("\(name) needs numbers, a list or a tensor, got \(v.brief)", at: span)
            }
            return x
        }
    }
}
