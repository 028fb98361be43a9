import Tensors

extension Value: CustomStringConvertible {
    /// How `print` and `str` show a value: strings bare, everything else as `repr`.
    public var description: String {
        if case .string(let s) = self { return s }
        return repr
    }

    /// A one-line form: strings quoted, tensors and objects as summaries.
    public var repr: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .number(let x): return formatNumber(x)
        case .string(let s): return quoted(s)
        case .list(let xs): return "[" + xs.map(\.repr).joined(separator: ", ") + "]"
        case .record(let r): return "{" + r.fields.map { "\($0.name): \($0.value.repr)" }.joined(separator: ", ") + "}"
        case .tensor(let t): return t.count <= smallTensorLimit ? valuesForm(t) : t.description
        case .range(let r):
            return r.step == 1
                ? "range(\(formatNumber(r.start)), \(formatNumber(r.stop)))"
                : "range(\(formatNumber(r.start)), \(formatNumber(r.stop)), \(formatNumber(r.step)))"
        case .function(.builtin(let b)): return "<builtin \(b.signature)>"
        case .function(.user(let u)): return "<fn \(u.signature)>"
        case .object(let o): return o.summary
        }
    }

    /// The value as error messages name it: `string "abc"`, `number -3`, `list of 4`.
    public var brief: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return "bool \(b)"
        case .number(let x): return "number \(formatNumber(x))"
        case .string(let s): return "string " + quoted(s.count > 40 ? String(s.prefix(40)) + "…" : s)
        case .list(let xs): return "a list of \(xs.count)"
        case .record(let r): return "a record {\(r.names.joined(separator: ", "))}"
        case .tensor(let t): return "a tensor of shape [\(t.shape.map(String.init).joined(separator: ", "))]"
        case .range: return repr
        case .function(let f): return "function \(f.signature)"
        case .object(let o): return "a \(o.typeName)"
        }
    }
}

/// Tensors up to this many elements print their values, as NumPy does; larger ones a summary.
let smallTensorLimit = 20

/// `tensor([[1, 2.5], [3, 4]])`: the values at Float32 precision (the shortest digits that
/// read back as the same Float), masks as true/false.
private func valuesForm(_ t: Tensor) -> String {
    func element(_ x: Float) -> String {
        if t.isBoolean { return x != 0 ? "true" : "false" }
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded() && abs(x) < 1e7 { return String(Int64(x)) }
        return "\(x)"
    }
    func nest(_ axis: Int, _ offset: Int) -> (String, Int) {
        if axis == t.rank { return (element(t.scalars[offset]), offset + 1) }
        var items: [String] = [], o = offset
        for _ in 0..<t.shape[axis] { let (s, next) = nest(axis + 1, o); items.append(s); o = next }
        return ("[" + items.joined(separator: ", ") + "]", o)
    }
    let body = nest(0, 0).0
    return "tensor(" + body + (t.count == 0 ? ", shape \(t.shape)" : "") + ")"
}

private func quoted(_ s: String) -> String {
    var out = "\""
    for c in s {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.append(c)
        }
    }
    return out + "\""
}

/// Whole numbers print without a fraction (`3`, not `3.0`); others with the
/// shortest digits that read back the same (`0.1`, `1e-07`).
public func formatNumber(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
}
