/// The syntax tree. Every node carries the span of the source it came from, so
/// any runtime error can point at it.

/// An expression node: what it is, and where.
public struct Expr: Sendable {
    public var kind: ExprKind
    public var span: SourceSpan
    /// Height of the tree under this node (a leaf is 1). The parser rejects trees
    /// taller than ``Parser/maxExpressionHeight`` so evaluation cannot exhaust the stack.
    public var height: Int

    public init(_ kind: ExprKind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
        self.height = 1 + kind.children.reduce(0) { Swift.max($0, $1.height) }
    }
}

extension ExprKind {
    /// The direct subexpressions.
    var children: [Expr] {
        switch self {
        case .number, .string, .bool, .none, .name: return []
        case .list(let items): return items
        case .record(let fields): return fields.map(\.value)
        case .unary(_, let e): return [e]
        case .binary(_, let a, let b, _), .logical(_, let a, let b): return [a, b]
        case .call(let f, let args): return [f] + args.map(\.value)
        case .member(let e, _, _): return [e]
        case .index(let e, let items):
            var out = [e]
            for item in items {
                switch item {
                case .single(let i): out.append(i)
                case .slice(let lo, let hi, _): if let lo { out.append(lo) }; if let hi { out.append(hi) }
                }
            }
            return out
        }
    }
}

public enum UnaryOp: String, Sendable { case negate = "-", not = "not" }

public enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "**"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

public enum LogicalOp: String, Sendable { case and, or }

/// One argument at a call site: `x` or `label: x`.
public struct CallArgument: Sendable {
    public var label: String?
    public var labelSpan: SourceSpan?
    public var value: Expr
    /// `f(xs...)`: the list's items become positional arguments.
    public var spread = false
    /// Where the `...` was written.
    public var spreadSpan: SourceSpan? = nil
}

/// One item between the brackets of an index: `i` or a slice `a:b` (either end optional).
public enum IndexItem: Sendable {
    case single(Expr)
    case slice(lower: Expr?, upper: Expr?, span: SourceSpan)
}

public indirect enum ExprKind: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case none
    case name(String)
    case list([Expr])
    case record([(key: String, keySpan: SourceSpan, value: Expr)])
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr, opSpan: SourceSpan)
    case logical(LogicalOp, Expr, Expr)
    case call(Expr, [CallArgument])
    case member(Expr, name: String, nameSpan: SourceSpan)
    case index(Expr, [IndexItem])
}

/// A parameter of a user function: a name and, when it has one, a default.
public struct ParameterDecl: Sendable {
    public var name: String
    public var span: SourceSpan
    public var defaultValue: Expr?
}

/// `fn name(params) { body }`.
public final class FunctionDecl: Sendable {
    public let name: String
    public let span: SourceSpan
    public let parameters: [ParameterDecl]
    public let body: [Stmt]

    init(name: String, span: SourceSpan, parameters: [ParameterDecl], body: [Stmt]) {
        self.name = name; self.span = span; self.parameters = parameters; self.body = body
    }
}

public struct Stmt: Sendable {
    public var kind: StmtKind
    public var span: SourceSpan
}

public indirect enum StmtKind: Sendable {
    case expression(Expr)
    /// `target = value`, where the target is a name, a member or an index.
    case assign(target: Expr, value: Expr)
    case ifElse(condition: Expr, then: [Stmt], otherwise: [Stmt]?)
    case forIn(variable: String, variableSpan: SourceSpan, iterable: Expr, body: [Stmt])
    case whileLoop(condition: Expr, body: [Stmt])
    case function(FunctionDecl)
    case returnValue(Expr?)
    case breakLoop
    case continueLoop
}
