/// A domain object the language can hold, print, ask for members and call methods on.
///
/// The Bindings layer conforms teachers, solvers, students, trajectories and
/// figures. A member is any value: data (`traj.final` → a tensor) or a method,
/// which is a ``Builtin`` that captures the object:
///
///     func member(_ name: String) throws -> Value? {
///         switch name {
///         case "final": return .tensor(final)
///         case "sample": return .function(.builtin(Builtin(
///             name: "sample", receiver: "student",
///             doc: "Multistep consistency sampling from noise x.",
///             parameters: [.required("x"), .optional("steps", .number(1))]) { args in
///                 .tensor(self.sample(try args.tensor("x"), steps: try args.positiveInt("steps"))) }))
///         default: return nil
///         }
///     }
///
/// Returning nil means "no such member"; the interpreter then reports the name with
/// a suggestion drawn from ``memberNames``.
public protocol ScriptObject: AnyObject {
    /// The type as users see it, e.g. "solver".
    var typeName: String { get }
    /// One line for `print` and the REPL's `Out[n]`, e.g. "heun solver over karras(n: 40)".
    var summary: String { get }
    /// A paragraph about the type, printed by `help(x)`.
    var typeDoc: String { get }
    /// Every member name, for completion, `help` and suggestions.
    var memberNames: [String] { get }
    /// The member called `name`, or nil when there is none.
    func member(_ name: String) throws -> Value?
    /// One line describing a member. `help` prints a method's signature before it, so
    /// the line does not repeat it.
    func memberDoc(_ name: String) -> String?
    /// Assigns `obj.name = value`; the default says the object is read-only.
    func setMember(_ name: String, to value: Value) throws
}

extension ScriptObject {
    public var typeDoc: String { "" }
    public func memberDoc(_ name: String) -> String? { nil }
    public func setMember(_ name: String, to value: Value) throws {
        throw ScriptError("cannot assign to '\(name)': members of a \(typeName) are read-only")
    }
}
