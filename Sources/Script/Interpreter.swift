import Tensors

/// Limits that keep any input from trapping, exhausting memory or running forever.
public struct Limits {
    /// Nested user-function calls before "recursion too deep".
    public var maxCallDepth = 200
    /// Largest tensor or string (elements, bytes).
    public var maxElements = 100_000_000
    /// Longest list (each item takes tens of bytes, so this is lower).
    public var maxListItems = 10_000_000
    /// Loop iterations plus calls per `run` (plus one per 4096 elements of bulk
    /// work, see ``Interpreter/charge(elements:at:)``); nil for no budget (the REPL
    /// relies on cancellation instead, the fuzzer on this).
    public var maxSteps: Int? = nil

    public init() {}
}

/// The outcome of one `run`: the value of the last expression statement (for
/// `Out[n]`) or the errors, each renderable against `source`.
public struct RunResult {
    public var value: Value?
    public var errors: [ScriptError]
    public var source: String

    public var succeeded: Bool { errors.isEmpty }

    /// Every error, rendered with its source line and caret, separated by newlines.
    public var renderedErrors: String { errors.map { render($0, source: source) }.joined(separator: "\n") }
}

/// Runs programs against a global environment that persists across runs.
///
/// The REPL and notebooks call ``run(_:)`` once per cell; a failed cell keeps
/// every variable set before it. Scripts and the REPL share the same path.
/// An interpreter is not thread-safe: use it from one thread at a time (any
/// thread; the stack guard adapts to the thread's stack size).
public final class Interpreter {
    public let registry: Registry
    public let globals = Environment()
    public var limits = Limits()
    /// Where `print` (and `help`) write; one call per line of output, without the newline.
    public var output: (String) -> Void = { Swift.print($0) }
    /// Polled at every loop iteration and call; returning true stops the run with
    /// an "interrupted" error (the REPL sets it from Ctrl-C).
    public var isCancelled: () -> Bool = { false }

    var steps = 0
    var callDepth = 0
    var depth = 0
    var stack = StackGuard()

    /// An interpreter with the core builtins (`print`, `len`, `range`, `tensor` …) registered in `registry`.
    public init(registry: Registry = Registry()) {
        self.registry = registry
        CoreBuiltins.register(in: registry)
    }

    /// Parses and runs `source`. Syntax errors are all reported and nothing runs;
    /// a runtime error stops the run at that statement, keeping earlier effects.
    @discardableResult
    public func run(_ source: String) -> RunResult {
        let (statements, syntaxErrors) = Parser.parse(source)
        if !syntaxErrors.isEmpty { return RunResult(value: nil, errors: syntaxErrors, source: source) }
        // A builtin may run source itself (e.g. an `include`); the outer run's counters then stay.
        let nested = depth > 0 || callDepth > 0
        if !nested {
            steps = 0; callDepth = 0; depth = 0
            stack.arm()
        }
        var last: Value? = nil
        do {
            for s in statements {
                if case .expression(let e) = s.kind {
                    last = try evaluate(e, in: globals)
                } else {
                    _ = try execute(s, in: globals)
                    last = nil
                }
            }
        } catch let e as ScriptError {
            return RunResult(value: nil, errors: [e], source: source)
        } catch {
            return RunResult(value: nil, errors: [ScriptError("\(error)", at: nil)], source: source)
        }
        return RunResult(value: last, errors: [], source: source)
    }

    /// Binds a global (e.g. `_` or `Out` for the REPL, `-p name=value` for notebooks).
    public func define(_ name: String, _ value: Value) { globals.define(name, value) }

    /// A global variable, or a builtin of that name.
    public func lookup(_ name: String) -> Value? {
        globals.lookup(name) ?? registry[name].map { .function(.builtin($0)) }
    }

    // MARK: Statements

    enum Flow { case normal, returned(Value), broke, continued }

    func execute(_ statements: [Stmt], in env: Environment) throws -> Flow {
        for s in statements {
            let flow = try execute(s, in: env)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    func execute(_ stmt: Stmt, in env: Environment) throws -> Flow {
        try enter(stmt.span)
        defer { depth -= 1 }
        switch stmt.kind {
        case .expression(let e):
            _ = try evaluate(e, in: env)
        case .assign(let target, let value):
            try assign(try evaluate(value, in: env), to: target, in: env)
        case .ifElse(let condition, let then, let otherwise):
            if try truthy(evaluate(condition, in: env), at: condition.span) {
                return try execute(then, in: env)
            } else if let otherwise {
                return try execute(otherwise, in: env)
            }
        case .forIn(let variable, _, let iterable, let body):
            let seq = try evaluate(iterable, in: env)
            let n = try iterationCount(seq, at: iterable.span)
            for i in 0..<n {
                try tick(at: stmt.span)
                env.define(variable, try element(of: seq, at: i))
                switch try execute(body, in: env) {
                case .normal, .continued: continue
                case .broke: return .normal
                case .returned(let v): return .returned(v)
                }
            }
        case .whileLoop(let condition, let body):
            while try truthy(evaluate(condition, in: env), at: condition.span) {
                try tick(at: stmt.span)
                switch try execute(body, in: env) {
                case .normal, .continued: continue
                case .broke: return .normal
                case .returned(let v): return .returned(v)
                }
            }
        case .function(let decl):
            env.define(decl.name, .function(.user(UserFunction(decl: decl, closure: env))))
        case .returnValue(let e):
            return .returned(try e.map { try evaluate($0, in: env) } ?? Value.none)
        case .breakLoop:
            return .broke
        case .continueLoop:
            return .continued
        }
        return .normal
    }

    /// Counts a step against the budget and polls cancellation.
    func tick(at span: SourceSpan) throws {
        steps &+= 1
        if let max = limits.maxSteps, steps > max {
            throw ScriptError("step budget exhausted (\(max) loop iterations and calls)", at: span)
        }
        if isCancelled() { throw ScriptError("interrupted", at: span) }
    }

    /// Charges work on `elements` values (one step per 4096) against the step
    /// budget, so a loop over big tensors stops as surely as a long empty loop.
    /// Builtins that do bulk work should call it.
    public func charge(elements: Int, at span: SourceSpan) throws {
        guard let max = limits.maxSteps, elements >= 4096 else { return }
        steps &+= elements >> 12
        if steps > max {
            throw ScriptError(
                "step budget exhausted (\(max) steps; large tensors count one step per 4096 elements)", at: span)
        }
    }

    /// Tracks evaluation depth, so no input can overflow the stack.
    func enter(_ span: SourceSpan) throws {
        depth += 1
        if depth > Self.maxDepth || (depth % 8 == 0 && stack.exhausted()) {
            depth -= 1
            throw ScriptError(
                "recursion too deep: evaluation nested too deeply for the stack (is a base case missing?)", at: span)
        }
    }

    /// Nested `evaluate`/`execute` frames allowed. Besides this count, a stack guard
    /// stops evaluation before the thread's stack runs out, whatever its size.
    static let maxDepth = 3000

    // MARK: Assignment

    /// `name = v`, `a.b = v`, `a[i] = v`: read-modify-write down the target's chain.
    func assign(_ value: Value, to target: Expr, in env: Environment) throws {
        switch target.kind {
        case .name(let n):
            env.define(n, value)
        case .member(let base, let name, let nameSpan):
            let container = try evaluate(base, in: env)
            switch container {
            case .record(var r):
                try checkNesting(value, at: target.span)
                r[name] = value
                try assign(.record(r), to: base, in: env)
            case .object(let o):
                do { try o.setMember(name, to: value) } catch let e as ScriptError {
                    throw ScriptError(e.message, at: e.span ?? nameSpan)
                }
            default:
                throw ScriptError("cannot set member '\(name)' on \(container.brief)", at: nameSpan)
            }
        case .index(let base, let items):
            let container = try evaluate(base, in: env)
            try checkNesting(value, at: target.span)
            let updated = try setIndex(container, items, to: value, in: env, span: target.span)
            try assign(updated, to: base, in: env)
        default:
            throw ScriptError("cannot assign to this expression", at: target.span)
        }
    }
}
