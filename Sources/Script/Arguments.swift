import Tensors

/// The arguments of one builtin call, bound to parameter names, with typed
/// accessors that throw errors pointing at the offending argument:
///
///     let iters = try args.positiveInt("iters")     // "'iters' must be a positive whole number, got -5"
///     let name  = try args.string("objective")      // "expected a string for 'objective', got number 3"
///     let s     = try args.object("solver", as: SolverObject.self)   // a ScriptObject class of Bindings
public struct Arguments {
    /// The builtin being called.
    public let builtin: Builtin
    /// The interpreter making the call (its `output`, `call(_:_:)`, registry …).
    public unowned let interpreter: Interpreter
    /// The whole call expression.
    public let callSpan: SourceSpan
    var values: [String: Value]
    var spans: [String: SourceSpan]
    /// The values a variadic parameter collected, and where each was written.
    public let rest: [Value]
    public let restSpans: [SourceSpan]

    init(
        builtin: Builtin, interpreter: Interpreter, callSpan: SourceSpan, values: [String: Value],
        spans: [String: SourceSpan], rest: [Value], restSpans: [SourceSpan]
    ) {
        self.builtin = builtin; self.interpreter = interpreter; self.callSpan = callSpan
        self.values = values; self.spans = spans; self.rest = rest; self.restSpans = restSpans
    }

    /// The value bound to `name` (its default when left out; `none` if there is neither).
    public subscript(_ name: String) -> Value { values[name] ?? Value.none }

    /// These arguments with `name` bound to `value` (written where `name` was): a builtin
    /// that takes one value per item of a list argument reads each item through the
    /// same typed accessors.
    public func replacing(_ name: String, with value: Value) -> Arguments {
        var copy = self
        copy.values[name] = value
        return copy
    }

    /// Whether `name` holds something other than `none`.
    public func isGiven(_ name: String) -> Bool {
        if case .none = self[name] { return false }
        return true
    }

    /// Where the argument was written (the call when it was left out).
    public func span(of name: String) -> SourceSpan { spans[name] ?? callSpan }

    /// An error pointing at argument `name`, or at the call when `name` is nil.
    public func error(_ message: String, at name: String? = nil) -> ScriptError {
        ScriptError(message, at: name.map(span(of:)) ?? callSpan)
    }

    private func mismatch(_ expected: String, _ name: String) -> ScriptError {
        error("expected \(expected) for '\(name)' in \(builtin.name)(…), got \(self[name].brief)", at: name)
    }

    public func number(_ name: String) throws -> Double {
        switch self[name] {
        case .number(let x): return x
        case .bool(let b): return b ? 1 : 0
        default: throw mismatch("a number", name)
        }
    }

    /// A number, or nil when the argument is `none`.
    public func optionalNumber(_ name: String) throws -> Double? {
        isGiven(name) ? try number(name) : nil
    }

    /// A whole number that fits in `Int` (no silent truncation of `2.5`).
    public func int(_ name: String) throws -> Int {
        let x = try number(name)
        guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else {
            throw error("'\(name)' must be a whole number, got \(Value.number(x).repr)", at: name)
        }
        return Int(x)
    }

    public func positiveInt(_ name: String) throws -> Int {
        let n = try int(name)
        guard n > 0 else { throw error("'\(name)' must be a positive whole number, got \(n)", at: name) }
        return n
    }

    public func nonNegativeInt(_ name: String) throws -> Int {
        let n = try int(name)
        guard n >= 0 else { throw error("'\(name)' must be zero or more, got \(n)", at: name) }
        return n
    }

    /// A positive count that sizes an allocation (samples, bins, directions, epochs …):
    /// at most `limit`, by default the interpreter's element limit.
    public func count(_ name: String, limit: Int? = nil) throws -> Int {
        let n = try positiveInt(name)
        let max = limit ?? interpreter.limits.maxElements
        guard n <= max else {
            throw error("'\(name)' is \(n), more than the limit of \(max)", at: name)
        }
        return n
    }

    /// The element count of an array this call is about to allocate, checked by
    /// ``SizeGuard`` against the element limit and the machine's memory; the error
    /// points at argument `name` (the call when nil).
    @discardableResult
    public func checkShape(_ shape: [Int], at name: String? = nil, bytesPerElement: Int = 4) throws -> Int {
        let n: Int
        do {
            n = try SizeGuard.elements(
                shape, bytesPerElement: bytesPerElement,
                maxElements: interpreter.limits.maxElements, what: "\(builtin.name)(…) of shape")
        } catch let e as SizeError { throw self.error(e.message, at: name) }
        try interpreter.charge(elements: n, at: name.map(span(of:)) ?? callSpan)
        return n
    }

    public func string(_ name: String) throws -> String {
        guard case .string(let s) = self[name] else { throw mismatch("a string", name) }
        return s
    }

    /// A string that must be one of `choices`, with a suggestion when it is close to one.
    public func choice(_ name: String, _ choices: [String]) throws -> String {
        let s = try string(name)
        guard choices.contains(s) else {
            let list = choices.map { "\"\($0)\"" }.joined(separator: ", ")
            var msg = "'\(name)' must be one of \(list), got \"\(s)\""
            if let near = suggestion(for: s, among: choices) { msg += "; did you mean \"\(near)\"?" }
            throw error(msg, at: name)
        }
        return s
    }

    public func bool(_ name: String) throws -> Bool {
        guard case .bool(let b) = self[name] else { throw mismatch("true or false", name) }
        return b
    }

    public func list(_ name: String) throws -> [Value] {
        switch self[name] {
        case .list(let xs): return xs
        case .range(let r):
            try interpreter.checkListSize(r.count, at: span(of: name))
            return (0..<r.count).map { .number(r[$0]) }
        default: throw mismatch("a list", name)
        }
    }

    public func record(_ name: String) throws -> Record {
        guard case .record(let r) = self[name] else { throw mismatch("a record", name) }
        return r
    }

    /// A tensor; a number becomes a rank-0 tensor and a (nested) list of numbers a tensor of its shape.
    public func tensor(_ name: String) throws -> Tensor {
        do {
            return try interpreter.toTensor(self[name], at: span(of: name))
        } catch let e as ScriptError where e.message.hasPrefix("expected a number, a tensor") {
            throw mismatch("a tensor", name)
        }
    }

    public func function(_ name: String) throws -> Function {
        guard case .function(let f) = self[name] else { throw mismatch("a function", name) }
        return f
    }

    /// A domain object of a given Swift class.
    public func object<T>(_ name: String, as type: T.Type, described: String? = nil) throws -> T {
        if case .object(let o) = self[name], let t = o as? T { return t }
        throw mismatch(described ?? "a \(T.self)".lowercased(), name)
    }
}
