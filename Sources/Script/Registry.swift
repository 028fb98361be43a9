// Builtins: Swift functions with a doc and a parameter list, callable from scripts.

/// A formal parameter of a builtin.
public struct Parameter {
    public var name: String
    /// The value used when the caller leaves the argument out; nil means required.
    public var defaultValue: Value?
    /// Collects every remaining positional argument (`print(a, b, c)`).
    public var isVariadic: Bool

    public static func required(_ name: String) -> Parameter {
        Parameter(name: name, defaultValue: nil, isVariadic: false)
    }
    public static func optional(_ name: String, _ defaultValue: Value = .none) -> Parameter {
        Parameter(name: name, defaultValue: defaultValue, isVariadic: false)
    }
    public static func variadic(_ name: String) -> Parameter {
        Parameter(name: name, defaultValue: nil, isVariadic: true)
    }
}

/// A function implemented in Swift. Methods of domain objects are builtins too
/// (their body captures the object, and `receiver` names it in the signature).
public final class Builtin {
    public let name: String
    /// The object a method is called on, as its signature shows it (`student` in
    /// `student.sample(x, steps: 1)`); nil for a free function.
    public let receiver: String?
    /// How users call it, derived from the parameter list (see `Signature.swift`):
    /// `distill(teacher, solver, objective: "cm", iters: 4000)`.
    public let signature: String
    /// One paragraph: what it computes, what it returns, what each argument means.
    /// It does not repeat the signature: `help` prints the signature above it.
    public let doc: String
    public let parameters: [Parameter]
    public let body: (Arguments) throws -> Value

    public init(
        name: String, receiver: String? = nil, doc: String, parameters: [Parameter],
        body: @escaping (Arguments) throws -> Value
    ) {
        self.name = name
        self.receiver = receiver
        self.doc = doc
        self.parameters = parameters
        self.body = body
        self.signature = signatureText(name: name, receiver: receiver, parameters: parameters)
    }
}

/// The builtins an interpreter knows, by name, in registration order.
///
/// Registering a name again replaces the earlier builtin. Scripts may shadow a
/// builtin with a variable; the builtin stays reachable for `help` by name.
public final class Registry {
    private var table: [String: Builtin] = [:]
    private var order: [String] = []

    public init() {}

    public func register(_ builtin: Builtin) {
        if table[builtin.name] == nil { order.append(builtin.name) }
        table[builtin.name] = builtin
    }

    /// Registers a builtin; see ``Arguments`` for the typed accessors a body uses.
    public func register(
        name: String, doc: String, parameters: [Parameter],
        body: @escaping (Arguments) throws -> Value
    ) {
        register(Builtin(name: name, doc: doc, parameters: parameters, body: body))
    }

    public subscript(name: String) -> Builtin? { table[name] }

    /// Every builtin name, in registration order.
    public var names: [String] { order }

    /// Parameter names (argument labels) of a builtin, for completion.
    public func labels(of name: String) -> [String] { table[name]?.parameters.map(\.name) ?? [] }
}
