import Tensors

extension Interpreter {
    func evaluate(_ expr: Expr, in env: Environment) throws -> Value {
        try enter(expr.span)
        defer { depth -= 1 }
        switch expr.kind {
        case .number(let x): return .number(x)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .none: return .none
        case .name(let n):
            if let v = env.lookup(n) ?? registry[n].map({ .function(.builtin($0)) }) { return v }
            let candidates = env.visibleNames + registry.names + ["true", "false", "none"]
            throw ScriptError("unknown name '\(n)'\(didYouMean(n, among: candidates))", at: expr.span)
        case .list(let items):
            return .list(
                try items.map { e in
                    let v = try evaluate(e, in: env)
                    try checkNesting(v, at: e.span)
                    return v
                })
        case .record(let fields):
            var r = Record()
            for f in fields {
                let v = try evaluate(f.value, in: env)
                try checkNesting(v, at: f.value.span)
                r[f.key] = v
            }
            return .record(r)
        case .unary(.negate, let operand):
            let v = try evaluate(operand, in: env)
            switch v {
            case .number(let x): return .number(-x)
            case .tensor(let t): return .tensor(-t)
            default: throw ScriptError("cannot negate \(v.brief); '-' needs a number or a tensor", at: expr.span)
            }
        case .unary(.not, let operand):
            let v = try evaluate(operand, in: env)
            // A mask negates element-wise (NumPy's `~`).
            if case .tensor(let t) = v, t.isBoolean, t.rank > 0 {
                var out = t.map { $0 != 0 ? 0 : 1 }
                out.isBoolean = true
                return .tensor(out)
            }
            return .bool(!(try truthy(v, at: operand.span)))
        case .binary(let op, let l, let r, let opSpan):
            let a = try evaluate(l, in: env)
            let b = try evaluate(r, in: env)
            return try binary(op, a, b, at: opSpan)
        case .logical(let op, let l, let r):
            let a = try evaluate(l, in: env)
            // Masks combine element-wise (NumPy's `&` and `|`); both sides are evaluated.
            if case .tensor(let x) = a, x.isBoolean, x.rank > 0 {
                let b = try evaluate(r, in: env)
                guard case .tensor(let y) = b else {
                    throw ScriptError("'\(op.rawValue)' after a mask needs another mask, got \(b.brief)", at: r.span)
                }
                return try maskLogic(op, x, y, at: expr.span)
            }
            let t = try truthy(a, at: l.span)
            switch op {
            case .and: return t ? try evaluate(r, in: env) : a
            case .or: return t ? a : try evaluate(r, in: env)
            }
        case .call(let calleeExpr, let argExprs):
            let callee = try evaluate(calleeExpr, in: env)
            guard case .function(let f) = callee else {
                throw ScriptError("\(callee.brief) is not a function, so it cannot be called", at: calleeExpr.span)
            }
            var args: [CallInput] = []
            for a in argExprs {
                let v = try evaluate(a.value, in: env)
                if a.spread {
                    // `f(xs...)`: each item of the list is one positional argument.
                    let items: [Value]
                    switch v {
                    case .list(let xs): items = xs
                    case .range(let r):
                        try checkListSize(r.count, at: a.value.span)
                        items = (0..<r.count).map { .number(r[$0]) }
                    default:
                        throw ScriptError(
                            "only a list can be spread into arguments with ..., got \(v.brief)", at: a.value.span)
                    }
                    try checkListSize(args.count + items.count, at: a.value.span)
                    args += items.map { CallInput(label: nil, labelSpan: nil, value: $0, span: a.value.span) }
                } else {
                    args.append(CallInput(label: a.label, labelSpan: a.labelSpan, value: v, span: a.value.span))
                }
            }
            return try call(f, args, at: expr.span)
        case .member(let baseExpr, let name, let nameSpan):
            return try member(of: try evaluate(baseExpr, in: env), name, at: nameSpan)
        case .index(let baseExpr, let items):
            let base = try evaluate(baseExpr, in: env)
            return try index(base, items, in: env, span: expr.span)
        }
    }

    /// Truth for `if`, `while`, `and`, `or`, `not`: false, none, 0, "" and [] are false.
    func truthy(_ v: Value, at span: SourceSpan) throws -> Bool {
        switch v {
        case .none: return false
        case .bool(let b): return b
        case .number(let x): return x != 0 && !x.isNaN
        case .string(let s): return !s.isEmpty
        case .list(let xs): return !xs.isEmpty
        case .record(let r): return !r.fields.isEmpty
        case .range(let r): return r.count > 0
        case .tensor(let t):
            if t.count == 1 { return t.scalars[0] != 0 }
            throw ScriptError(
                "a tensor of shape [\(t.shape.map(String.init).joined(separator: ", "))] is neither true nor false; "
                    + "compare a reduction such as max(x) instead",
                at: span)
        case .function, .object: return true
        }
    }

    /// `value.name`: a record field, a tensor property, or a domain object's member.
    public func member(of value: Value, _ name: String, at span: SourceSpan) throws -> Value {
        switch value {
        case .record(let r):
            if let v = r[name] { return v }
            throw ScriptError(
                "the record has no field '\(name)'\(memberHint(name, among: r.names, kind: "fields"))", at: span)
        case .object(let o):
            let found: Value?
            do { found = try o.member(name) } catch let e as ScriptError {
                throw ScriptError(e.message, at: e.span ?? span)
            } catch {
                throw ScriptError("\(error)", at: span)
            }
            if let v = found { return v }
            throw ScriptError(
                "\(o.typeName) has no member '\(name)'\(memberHint(name, among: o.memberNames))", at: span)
        case .tensor(let t):
            switch name {
            case "shape": return .list(t.shape.map { .number(Double($0)) })
            case "rank": return .number(Double(t.rank))
            case "count": return .number(Double(t.count))
            default:
                throw ScriptError(
                    "a tensor has no member '\(name)'\(memberHint(name, among: Self.tensorMembers))", at: span)
            }
        default:
            throw ScriptError("\(value.brief) has no member '\(name)'", at: span)
        }
    }

    static let tensorMembers = ["shape", "rank", "count"]

    /// Member names of a value, for completion and `help`.
    public func memberNames(of value: Value) -> [String] {
        switch value {
        case .record(let r): return r.names
        case .object(let o): return o.memberNames
        case .tensor: return Self.tensorMembers
        default: return []
        }
    }
}
