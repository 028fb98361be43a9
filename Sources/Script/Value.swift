import Tensors

/// A value of the language.
///
/// Numbers are `Double`. Lists, records and tensors are values (copy on
/// assignment, as Swift arrays are); functions and domain objects are references.
public enum Value {
    case none
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([Value])
    case record(Record)
    case tensor(Tensor)
    /// `range(start, stop, step)`, kept lazy so `for i in range(1e9)` needs no memory.
    case range(RangeValue)
    case function(Function)
    case object(ScriptObject)

    /// The type name `type(x)` returns and error messages use.
    public var typeName: String {
        switch self {
        case .none: return "none"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .list: return "list"
        case .record: return "record"
        case .tensor: return "tensor"
        case .range: return "range"
        case .function: return "function"
        case .object(let o): return o.typeName
        }
    }
}

/// Fields in the order they were written.
public struct Record {
    public private(set) var fields: [(name: String, value: Value)]

    public init(_ fields: [(name: String, value: Value)] = []) { self.fields = fields }

    public var names: [String] { fields.map(\.name) }

    public subscript(name: String) -> Value? {
        get { fields.first(where: { $0.name == name })?.value }
        set {
            if let i = fields.firstIndex(where: { $0.name == name }) {
                if let v = newValue { fields[i].value = v } else { fields.remove(at: i) }
            } else if let v = newValue {
                fields.append((name, v))
            }
        }
    }
}

/// An arithmetic progression of numbers, `start, start + step, …` up to (not including) `stop`.
public struct RangeValue: Sendable, Equatable {
    public var start: Double, stop: Double, step: Double

    public var count: Int {
        guard step != 0, start.isFinite, stop.isFinite, step.isFinite else { return 0 }
        let n = ((stop - start) / step).rounded(.up)
        return n > 0 ? (n < 1e18 ? Int(n) : Int(1e18)) : 0
    }

    public subscript(i: Int) -> Double { start + Double(i) * step }
}

/// A callable value: a builtin (Swift) or a user function (script) with the
/// environment it closes over.
public enum Function {
    case builtin(Builtin)
    case user(UserFunction)

    public var name: String {
        switch self {
        case .builtin(let b): return b.name
        case .user(let u): return u.decl.name
        }
    }

    /// `name(a, b: 2)`.
    public var signature: String {
        switch self {
        case .builtin(let b): return b.signature
        case .user(let u): return u.signature
        }
    }

    public var parameterNames: [String] {
        switch self {
        case .builtin(let b): return b.parameters.map(\.name)
        case .user(let u): return u.decl.parameters.map(\.name)
        }
    }
}

/// A function written in the language.
public final class UserFunction {
    public let decl: FunctionDecl
    let closure: Environment

    init(decl: FunctionDecl, closure: Environment) {
        self.decl = decl
        self.closure = closure
    }

    public var signature: String {
        let ps = decl.parameters.map { p in p.defaultValue == nil ? p.name : "\(p.name): …" }
        return "\(decl.name)(\(ps.joined(separator: ", ")))"
    }
}
