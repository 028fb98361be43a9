import Foundation
import Tensors

/// Arithmetic and comparison on numbers, strings, lists and tensors (broadcasting).
extension Interpreter {
    func binary(_ op: BinaryOp, _ a: Value, _ b: Value, at span: SourceSpan) throws -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)):
            return try numeric(op, x, y, at: span)
        case (.tensor(let x), .tensor(let y)):
            return try tensorOp(op, x, y, at: span)
        case (.tensor(let x), .number(let y)):
            return try tensorOp(op, x, Tensor(Float(y)), at: span)
        case (.number(let x), .tensor(let y)):
            return try tensorOp(op, Tensor(Float(x)), y, at: span)
        default:
            break
        }
        switch op {
        case .equal: return .bool(valuesEqual(a, b))
        case .notEqual: return .bool(!valuesEqual(a, b))
        default: break
        }
        switch (op, a, b) {
        case (.add, .string(let x), .string(let y)):
            try checkSize(x.utf8.count + y.utf8.count, at: span)
            return .string(x + y)
        case (.add, .list(let x), .list(let y)):
            try checkListSize(x.count + y.count, at: span)
            return .list(x + y)
        case (.less, .string(let x), .string(let y)): return .bool(x < y)
        case (.lessEqual, .string(let x), .string(let y)): return .bool(x <= y)
        case (.greater, .string(let x), .string(let y)): return .bool(x > y)
        case (.greaterEqual, .string(let x), .string(let y)): return .bool(x >= y)
        default:
            var hint = ""
            if op == .add, case .string = a { hint = "; convert with str(x) first" }
            if op == .add, case .string = b { hint = "; convert with str(x) first" }
            if op == .add, case .list = a { hint = "; to append an item, write xs + [item]" }
            let verb: String
            switch op {
            case .add: verb = "add"
            case .subtract: verb = "subtract"
            case .multiply: verb = "multiply"
            case .divide: verb = "divide"
            case .modulo: verb = "take the remainder of"
            case .power: verb = "raise"
            default: verb = "compare"
            }
            throw ScriptError("cannot \(verb) \(a.brief) and \(b.brief) with '\(op.rawValue)'\(hint)", at: span)
        }
    }

    private func numeric(_ op: BinaryOp, _ x: Double, _ y: Double, at span: SourceSpan) throws -> Value {
        switch op {
        case .add: return .number(x + y)
        case .subtract: return .number(x - y)
        case .multiply: return .number(x * y)
        case .divide:
            if y == 0 { throw ScriptError("division by zero", at: span) }
            return .number(x / y)
        case .modulo:
            if y == 0 { throw ScriptError("remainder after division by zero", at: span) }
            return .number(x - y * (x / y).rounded(.down))
        case .power: return .number(Foundation.pow(x, y))
        case .equal: return .bool(x == y)
        case .notEqual: return .bool(x != y)
        case .less: return .bool(x < y)
        case .lessEqual: return .bool(x <= y)
        case .greater: return .bool(x > y)
        case .greaterEqual: return .bool(x >= y)
        }
    }

    /// Element-wise `op` under NumPy broadcasting; comparisons give 0/1 tensors.
    private func tensorOp(_ op: BinaryOp, _ x: Tensor, _ y: Tensor, at span: SourceSpan) throws -> Value {
        let shape: [Int]
        do { shape = try broadcastShape(x.shape, y.shape) } catch {
            throw ScriptError("shape mismatch in '\(op.rawValue)': \(error.message)", at: span)
        }
        try checkSize(try elementCount(shape, at: span), at: span)
        let f: (Float, Float) -> Float
        switch op {
        case .add: f = { $0 + $1 }
        case .subtract: f = { $0 - $1 }
        case .multiply: f = { $0 * $1 }
        case .divide: f = { $0 / $1 }
        case .modulo: f = { a, b in a - b * (a / b).rounded(.down) }
        case .power: f = { Foundation.powf($0, $1) }
        case .equal: f = { $0 == $1 ? 1 : 0 }
        case .notEqual: f = { $0 != $1 ? 1 : 0 }
        case .less: f = { $0 < $1 ? 1 : 0 }
        case .lessEqual: f = { $0 <= $1 ? 1 : 0 }
        case .greater: f = { $0 > $1 ? 1 : 0 }
        case .greaterEqual: f = { $0 >= $1 ? 1 : 0 }
        }
        do {
            var out = try x.broadcasting(y, f)
            switch op {
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: out.isBoolean = true
            default: break
            }
            return .tensor(out)
        } catch {
            throw ScriptError("shape mismatch in '\(op.rawValue)': \(error.message)", at: span)
        }
    }

    /// `and`/`or` element-wise on masks (boolean tensors, broadcast), as NumPy's `&`/`|`.
    func maskLogic(_ op: LogicalOp, _ x: Tensor, _ y: Tensor, at span: SourceSpan) throws -> Value {
        guard x.isBoolean, y.isBoolean else {
            let side = x.isBoolean ? "right" : "left"
            throw ScriptError(
                "'\(op.rawValue)' on tensors needs two masks (boolean tensors from comparisons, as "
                    + "(x > 0) \(op.rawValue) (x < 1)); the \(side) side holds numbers", at: span)
        }
        let shape: [Int]
        do { shape = try broadcastShape(x.shape, y.shape) } catch {
            throw ScriptError("shape mismatch in '\(op.rawValue)': \(error.message)", at: span)
        }
        try checkSize(try elementCount(shape, at: span), at: span)
        do {
            var out = try x.broadcasting(
                y, op == .and ? { ($0 != 0 && $1 != 0) ? 1 : 0 } : { ($0 != 0 || $1 != 0) ? 1 : 0 })
            out.isBoolean = true
            return .tensor(out)
        } catch {
            throw ScriptError("shape mismatch in '\(op.rawValue)': \(error.message)", at: span)
        }
    }

    /// Structural equality; tensors compare shape and values, objects and functions by identity.
    func valuesEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { valuesEqual($0, $1) }
        case (.record(let x), .record(let y)):
            return x.fields.count == y.fields.count
                && x.fields.allSatisfy { f in
                    y[f.name].map { valuesEqual(f.value, $0) } ?? false
                }
        case (.tensor(let x), .tensor(let y)): return x == y
        case (.range(let x), .range(let y)): return x == y
        case (.object(let x), .object(let y)): return x === y
        case (.function(.builtin(let x)), .function(.builtin(let y))): return x === y
        case (.function(.user(let x)), .function(.user(let y))): return x === y
        default: return false
        }
    }

    /// Deepest nesting of lists and records a value may have. Every value stays
    /// within it, so printing, comparing and freeing values cannot exhaust the stack.
    public static let maxValueNesting = 100

    /// Nesting depth of lists and records in `v` (a number is 0, `[1]` is 1).
    func nestingDepth(_ v: Value) -> Int {
        switch v {
        case .list(let xs): return 1 + xs.reduce(0) { Swift.max($0, nestingDepth($1)) }
        case .record(let r): return 1 + r.fields.reduce(0) { Swift.max($0, nestingDepth($1.value)) }
        default: return 0
        }
    }

    /// Throws when putting `v` inside a list or record would nest too deeply.
    func checkNesting(_ v: Value, at span: SourceSpan) throws {
        switch v {
        case .list, .record:
            if nestingDepth(v) >= Self.maxValueNesting {
                throw ScriptError("lists and records nested more than \(Self.maxValueNesting) deep", at: span)
            }
        default: break
        }
    }

    /// Throws when a list would hold more than ``Limits/maxListItems`` items.
    public func checkListSize(_ count: Int, at span: SourceSpan) throws {
        try charge(elements: count, at: span)
        if count > limits.maxListItems {
            throw ScriptError("list too long: \(count) items (the limit is \(limits.maxListItems))", at: span)
        }
    }

    /// Throws when a result would hold more than ``Limits/maxElements`` elements.
    public func checkSize(_ count: Int, at span: SourceSpan) throws {
        try charge(elements: count, at: span)
        if count > limits.maxElements {
            throw ScriptError("result too large: \(count) elements (the limit is \(limits.maxElements))", at: span)
        }
    }

    /// The product of a shape, or an error when it is negative or too large
    /// (``SizeGuard``: the non-zero extents must fit the limit, so strides never overflow).
    func elementCount(_ shape: [Int], at span: SourceSpan) throws -> Int {
        let n: Int
        do { n = try SizeGuard.elements(shape, maxElements: limits.maxElements, what: "result of shape") } catch let e
            as SizeError
        {
            throw ScriptError(e.message, at: span)
        }
        try charge(elements: n, at: span)
        return n
    }
}
