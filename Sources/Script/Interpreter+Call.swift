/// Calling functions: binding arguments to parameters, then running the body.

/// One evaluated argument at a call site.
struct CallInput {
    var label: String?
    var labelSpan: SourceSpan?
    var value: Value
    var span: SourceSpan
}

/// What binding needs to know about a parameter.
private struct Formal {
    var name: String
    var hasDefault: Bool
    var isVariadic: Bool
}

private struct Bound {
    var values: [String: (value: Value, span: SourceSpan)] = [:]
    var rest: [(value: Value, span: SourceSpan)] = []
}

extension Interpreter {
    /// Calls `function` from Swift (e.g. a builtin that takes a callback).
    /// Errors point at `span` (the caller's call site) unless the callee knows better.
    public func call(
        _ function: Function, _ positional: [Value], named: [(String, Value)] = [],
        at span: SourceSpan
    ) throws -> Value {
        var inputs = positional.map { CallInput(label: nil, labelSpan: nil, value: $0, span: span) }
        for (k, v) in named { inputs.append(CallInput(label: k, labelSpan: span, value: v, span: span)) }
        return try call(function, inputs, at: span)
    }

    func call(_ function: Function, _ args: [CallInput], at span: SourceSpan) throws -> Value {
        try tick(at: span)
        switch function {
        case .builtin(let b): return try callBuiltin(b, args, at: span)
        case .user(let u): return try callUser(u, args, at: span)
        }
    }

    private func callBuiltin(_ b: Builtin, _ args: [CallInput], at span: SourceSpan) throws -> Value {
        let formals = b.parameters.map {
            Formal(name: $0.name, hasDefault: $0.defaultValue != nil, isVariadic: $0.isVariadic)
        }
        let bound = try bind(args, to: formals, name: b.name, signature: b.signature, at: span)
        var values: [String: Value] = [:], spans: [String: SourceSpan] = [:]
        for p in b.parameters where !p.isVariadic {
            if let v = bound.values[p.name] {
                values[p.name] = v.value; spans[p.name] = v.span
            } else {
                values[p.name] = p.defaultValue ?? Value.none
            }
        }
        let arguments = Arguments(
            builtin: b, interpreter: self, callSpan: span, values: values, spans: spans,
            rest: bound.rest.map(\.value), restSpans: bound.rest.map(\.span))
        do {
            return try b.body(arguments)
        } catch var e as ScriptError {
            if e.span == nil { e.span = span }
            throw e
        } catch {
            throw ScriptError("\(b.name): \(error)", at: span)
        }
    }

    private func callUser(_ u: UserFunction, _ args: [CallInput], at span: SourceSpan) throws -> Value {
        let formals = u.decl.parameters.map {
            Formal(name: $0.name, hasDefault: $0.defaultValue != nil, isVariadic: false)
        }
        let bound = try bind(args, to: formals, name: u.decl.name, signature: u.signature, at: span)
        guard callDepth < limits.maxCallDepth else {
            throw ScriptError(
                "recursion too deep: more than \(limits.maxCallDepth) nested calls (is a base case missing?)", at: span)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        let env = Environment(parent: u.closure)
        for p in u.decl.parameters {
            if let v = bound.values[p.name] {
                env.define(p.name, v.value)
            } else if let d = p.defaultValue {
                env.define(p.name, try evaluate(d, in: env))
            }
        }
        switch try execute(u.decl.body, in: env) {
        case .returned(let v): return v
        default: return .none
        }
    }

    /// Matches positional and labeled arguments to parameters, reporting every kind
    /// of mismatch at the argument (or call) that caused it.
    private func bind(
        _ args: [CallInput], to formals: [Formal], name: String, signature: String,
        at span: SourceSpan
    ) throws -> Bound {
        var bound = Bound()
        // Parameters after a variadic one can only be given by label, as in Python.
        let positionalFormals = Array(formals.prefix { !$0.isVariadic })
        let keywordOnly = formals.drop { !$0.isVariadic }.filter { !$0.isVariadic }
        let variadic = formals.contains { $0.isVariadic }
        var next = 0
        for a in args {
            if let label = a.label {
                guard let f = formals.first(where: { $0.name == label && !$0.isVariadic }) else {
                    let names = (positionalFormals + keywordOnly).map(\.name)
                    let hint =
                        names.isEmpty
                        ? "; it takes no labeled arguments" : memberHint(label, among: names, kind: "arguments")
                    throw ScriptError("\(name) has no argument '\(label)'\(hint)", at: a.labelSpan ?? a.span)
                }
                if bound.values[f.name] != nil {
                    throw ScriptError(
                        "argument '\(label)' of \(name) is given twice (once by position)", at: a.labelSpan ?? a.span)
                }
                bound.values[f.name] = (a.value, a.span)
            } else if next < positionalFormals.count {
                bound.values[positionalFormals[next].name] = (a.value, a.span)
                next += 1
            } else if variadic {
                bound.rest.append((a.value, a.span))
            } else {
                let n = positionalFormals.count
                throw ScriptError(
                    "too many arguments: \(signature) takes \(n == 0 ? "none" : "at most \(n)")", at: a.span)
            }
        }
        for f in positionalFormals + keywordOnly where !f.hasDefault && bound.values[f.name] == nil {
            throw ScriptError("missing argument '\(f.name)' in call to \(signature)", at: span)
        }
        return bound
    }
}
