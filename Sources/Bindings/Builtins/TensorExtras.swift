import Script
import Tensors

/// Tensor helpers the studies need: `stack` (columns) and `concat` (rows).
func registerTensorExtras(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "stack",
        doc: """
            Joins 1-D tensors (or lists of numbers) of equal length n as the columns of an [n, k] tensor, e.g. \
            stack(p.sigma, p.error) for lines().
            """, parameters: [.variadic("columns")]
    ) { a in
        let cols = try a.rest.enumerated().map { i, v -> [Float] in
            switch v {
            case .tensor(let t) where t.rank == 1: return t.scalars
            case .list(let l):
                return try l.map { x -> Float in
                    guard case .number(let n) = x else {
                        throw ScriptError("stack: column \(i + 1) must hold numbers", at: a.restSpans[i])
                    }
                    return Float(n)
                }
            default:
                let got = "\(v.typeName)\(tensorShape(v))"
                throw ScriptError(
                    "stack: column \(i + 1) must be a 1-D tensor or a list, got \(got)",
                    at: a.restSpans[i])
            }
        }
        guard let n = cols.first?.count else { throw a.error("stack needs at least one column") }
        for (i, c) in cols.enumerated() where c.count != n {
            throw ScriptError("stack: column \(i + 1) has \(c.count) entries, the first has \(n)", at: a.restSpans[i])
        }
        var out = [Float](repeating: 0, count: n * cols.count)
        for (j, c) in cols.enumerated() { for i in 0..<n { out[i * cols.count + j] = c[i] } }
        return .tensor(Tensor(shape: [n, cols.count], scalars: out))
    }
    r.register(
        name: "concat", doc: "Joins tensors along their first axis; the other axes must agree.",
        parameters: [.variadic("tensors")]
    ) { a in
        var shape: [Int]? = nil
        var out: [Float] = []
        for (i, v) in a.rest.enumerated() {
            let span = a.restSpans[i]
            guard case .tensor(let t) = v, t.rank >= 1 else {
                throw ScriptError("concat: argument \(i + 1) must be a tensor with at least one axis", at: span)
            }
            if let s = shape {
                guard Array(s.dropFirst()) == Array(t.shape.dropFirst()) else {
                    throw ScriptError("concat: shape \(t.shape) does not fit \(s) after the first axis", at: span)
                }
                shape = [s[0] + t.shape[0]] + s.dropFirst()
            } else {
                shape = t.shape
            }
            if let s = shape {
                do {
                    try SizeGuard.elements(
                        s, maxElements: a.interpreter.limits.maxElements, what: "concat: result of shape")
                } catch let e as SizeError {
                    throw ScriptError(e.message, at: span)
                }
            }
            try a.interpreter.charge(elements: t.count, at: span)
            out += t.scalars
        }
        guard let s = shape else { throw a.error("concat needs at least one tensor") }
        return .tensor(Tensor(shape: s, scalars: out))
    }
}
