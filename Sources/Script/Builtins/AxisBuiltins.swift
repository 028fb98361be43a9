import Foundation
import Tensors

/// Reductions along one axis of a tensor, `argmin`/`argmax`, and `where`.
extension CoreBuiltins {
    /// The reduction `name` of tensor `t` along `axis` (negative counts from the end): a
    /// tensor without that axis, or a number when none is left. Sums run in Double.
    static func reduce(_ t: Tensor, axis: Int, _ f: ([Double]) -> Double) -> Value {
        let (outer, n, inner) = split(t.shape, axis)
        var out = [Float](repeating: 0, count: outer * inner)
        var lane = [Double](repeating: 0, count: n)
        for o in 0..<outer {
            for i in 0..<inner {
                for k in 0..<n { lane[k] = Double(t.scalars[(o * n + k) * inner + i]) }
                out[o * inner + i] = Float(f(lane))
            }
        }
        var shape = t.shape
        shape.remove(at: axis)
        if shape.isEmpty { return .number(Double(out[0])) }
        return .tensor(Tensor(shape: shape, scalars: out))
    }

    /// `[outer, n, inner]` around `axis` of `shape`.
    static func split(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The `axis:` argument as an axis of `t` (negative counts from the end), or nil when absent.
    static func axis(_ args: Arguments, of t: Tensor) throws -> Int? {
        guard args.isGiven("axis") else { return nil }
        let a = try args.interpreter.wholeNumber(args["axis"], what: "axis", at: args.span(of: "axis"))
        let k = a < 0 ? a + t.rank : a
        guard k >= 0 && k < t.rank else {
            throw args.error("axis \(a) is out of range for a tensor of shape \(t.shape) (\(t.rank) axes)", at: "axis")
        }
        guard t.shape[k] > 0 else {
            throw args.error("cannot reduce along an empty axis (shape \(t.shape))", at: "axis")
        }
        return k
    }

    static func registerAxes(in r: Registry) {
        for (name, pick) in [
            ("argmin", { (a: Double, b: Double) in a < b }), ("argmax", { (a: Double, b: Double) in a > b }),
        ] {
            let what = name == "argmin" ? "smallest" : "largest"
            r.register(
                name: name,
                doc: """
                    The index of the \(what) element: of the whole tensor (flattened, as a number) or, with axis:, \
                    along that axis (a tensor without it). The first one wins ties; nan is skipped.
                    """, parameters: [.required("x"), .optional("axis")]
            ) { args in
                let t = try args.tensor("x")
                guard t.count > 0 else { throw args.error("\(name) of an empty tensor", at: "x") }
                try args.interpreter.charge(elements: t.count, at: args.callSpan)
                func best(_ xs: [Double]) -> Double {
                    var b = -1
                    for (i, x) in xs.enumerated() where !x.isNaN && (b < 0 || pick(x, xs[b])) { b = i }
                    return Double(max(b, 0))
                }
                guard let k = try axis(args, of: t) else { return .number(best(t.scalars.map(Double.init))) }
                return reduce(t, axis: k, best)
            }
        }
        r.register(
            name: "where",
            doc: """
                where(cond, a, b): element-wise a where cond is true (non-zero), else b; cond, a and b broadcast \
                (numbers too), as NumPy's where. where(mask) with one 1-D argument: the indices where it is true.
                """, parameters: [.required("cond"), .optional("a"), .optional("b")]
        ) { args in
            let c = try args.tensor("cond")
            if !args.isGiven("a") && !args.isGiven("b") {
                guard c.rank == 1 else {
                    throw args.error("where(mask) takes a 1-D mask; give a and b for shape \(c.shape)", at: "cond")
                }
                let idx = c.scalars.indices.filter { c.scalars[$0] != 0 }
                return .tensor(Tensor(shape: [idx.count], scalars: idx.map(Float.init)))
            }
            guard args.isGiven("a") && args.isGiven("b") else {
                throw args.error("where needs both a and b: where(cond, a, b)")
            }
            let a = try args.tensor("a"), b = try args.tensor("b")
            do {
                let shape = try broadcastShape(broadcastShape(c.shape, a.shape), b.shape)
                _ = try args.interpreter.elementCount(shape, at: args.callSpan)
                let zero = Tensor(shape: shape)
                let cc = try c.broadcasting(zero) { x, _ in x }, aa = try a.broadcasting(zero) { x, _ in x }
                let bb = try b.broadcasting(zero) { x, _ in x }
                var out = aa
                for i in out.scalars.indices where cc.scalars[i] == 0 { out.scalars[i] = bb.scalars[i] }
                out.isBoolean = a.isBoolean && b.isBoolean
                return .tensor(out)
            } catch let e as ShapeError {
                throw args.error("where: shapes \(c.shape), \(a.shape) and \(b.shape) do not broadcast: \(e.message)")
            }
        }
    }
}
