/// A recursive-descent parser: one method per grammar rule.
///
///     program     → statement* EOF
///     statement   → fnDecl | ifStmt | forStmt | whileStmt          (may be followed directly by another)
///                 | returnStmt | "break" | "continue" | simple    (ended by newline, ";" or "}")
///     fnDecl      → "fn" NAME "(" (param ("," param)*)? ")" block
///     param       → NAME (":" expression)?
///     ifStmt      → "if" expression block ("else" (ifStmt | block))?
///     forStmt     → "for" NAME "in" expression block
///     whileStmt   → "while" expression block
///     block       → "{" statement* "}"
///     simple      → expression ("=" expression)?
///     expression  → or
///     or          → and ("or" and)*
///     and         → not ("and" not)*
///     not         → "not" not | comparison
///     comparison  → term (("==" | "!=" | "<" | "<=" | ">" | ">=") term)*
///     term        → factor (("+" | "-") factor)*
///     factor      → unary (("*" | "/" | "%") unary)*
///     unary       → "-" unary | power
///     power       → postfix ("**" unary)?
///     postfix     → primary ("(" arguments? ")" | "." NAME | "[" indexItem ("," indexItem)* "]")*
///     primary     → NUMBER | STRING | "true" | "false" | "none" | NAME
///                 | "(" expression ")" | "[" list "]" | "{" record "}"
///
/// Newlines end statements except inside `(`, `[` and record braces. On a mistake
/// the parser records the error, skips to the next statement boundary and goes on,
/// so one run reports several mistakes.
public struct Parser {
    /// Deepest bracket/block nesting the parser accepts.
    public static let maxNesting = 64
    /// Tallest expression tree the parser accepts.
    /// (A flat sum of n terms is n levels tall: 1,024 leaves room for long formulas while
    /// evaluating and freeing the tree stays within a small thread stack.)
    public static let maxExpressionHeight = 1024
    /// The parser stops after this many errors.
    public static let maxErrors = 50

    private let tokens: [Token]
    private var current = 0
    private var bracketDepth = 0 // > 0: newlines are insignificant
    private var nesting = 0
    private var loopDepth = 0 // `break` and `continue` need one
    private var functionDepth = 0 // `return` needs one
    public private(set) var errors: [ScriptError] = []
    private var stack = StackGuard()

    public init(tokens: [Token]) {
        stack.arm()
        self.tokens =
            tokens.isEmpty ? [Token(kind: .eof, text: "", number: 0, span: SourceSpan(line: 1, column: 1))] : tokens
    }

    /// Scans and parses `source`; the errors of both passes, in source order.
    public static func parse(_ source: String) -> (statements: [Stmt], errors: [ScriptError]) {
        var scanner = Scanner(source)
        let tokens = scanner.scan()
        var parser = Parser(tokens: tokens)
        let statements = parser.parseProgram()
        // A line with a lexical mistake gets only that report, not the parse errors it causes.
        let badLines = Set(scanner.errors.compactMap { $0.span?.line })
        let parseErrors = parser.errors.filter { !badLines.contains($0.span?.line ?? 0) }
        let errors = (scanner.errors + parseErrors).sorted {
            ($0.span?.line ?? 0, $0.span?.column ?? 0) < ($1.span?.line ?? 0, $1.span?.column ?? 0)
        }
        return (statements, Array(errors.prefix(maxErrors)))
    }

    // MARK: Statements

    public mutating func parseProgram() -> [Stmt] {
        var statements: [Stmt] = []
        skipSeparators()
        while !check(.eof) && errors.count < Self.maxErrors {
            if check(.rightBrace) {
                errors.append(ScriptError("unexpected '}' with no open block", at: peek.span))
                advance()
            } else if let s = statementRecovering(inBlock: false) {
                statements.append(s)
            }
            skipSeparators()
        }
        return statements
    }

    /// A statement, or nil after recording an error and skipping to the next statement.
    private mutating func statementRecovering(inBlock: Bool) -> Stmt? {
        let depth = bracketDepth
        do {
            return try statement()
        } catch {
            errors.append(error as? ScriptError ?? ScriptError("\(error)", at: peek.span))
            bracketDepth = depth
            synchronize(inBlock: inBlock)
            return nil
        }
    }

    /// Skips to just after the next newline or `;` outside any bracket opened while
    /// skipping, or to a `}` that closes an enclosing block (left for the block).
    private mutating func synchronize(inBlock: Bool) {
        var brackets = 0, braces = 0
        while current < tokens.count {
            switch tokens[current].kind {
            case .eof: return
            case .newline, .semicolon:
                if brackets <= 0 && braces <= 0 { current += 1; return }
            case .leftParen, .leftBracket: brackets += 1
            case .rightParen, .rightBracket: brackets -= 1
            case .leftBrace: braces += 1
            case .rightBrace:
                if braces <= 0 && inBlock { return }
                braces -= 1
            default: break
            }
            current += 1
        }
    }

    private mutating func statement() throws -> Stmt {
        switch peek.kind {
        case .kwFn: return try functionDeclaration()
        case .kwIf: return try ifStatement()
        case .kwFor: return try forStatement()
        case .kwWhile: return try whileStatement()
        case .kwReturn:
            if functionDepth == 0 { throw ScriptError("'return' outside a function", at: peek.span) }
            let keyword = advance()
            var value: Expr? = nil
            if !atStatementEnd { value = try expression() }
            try endOfStatement()
            return Stmt(kind: .returnValue(value), span: keyword.span)
        case .kwBreak:
            if loopDepth == 0 { throw ScriptError("'break' outside a loop", at: peek.span) }
            let keyword = advance(); try endOfStatement()
            return Stmt(kind: .breakLoop, span: keyword.span)
        case .kwContinue:
            if loopDepth == 0 { throw ScriptError("'continue' outside a loop", at: peek.span) }
            let keyword = advance(); try endOfStatement()
            return Stmt(kind: .continueLoop, span: keyword.span)
        default:
            return try simpleStatement()
        }
    }

    private mutating func simpleStatement() throws -> Stmt {
        let expr = try expression()
        if match(.equal) {
            switch expr.kind {
            case .name, .member, .index: break
            default:
                throw ScriptError(
                    "cannot assign to this expression; the left of '=' must be a name, a member or an index",
                    at: expr.span)
            }
            let value = try expression()
            try endOfStatement(after: value)
            return Stmt(kind: .assign(target: expr, value: value), span: expr.span)
        }
        try endOfStatement(after: expr)
        return Stmt(kind: .expression(expr), span: expr.span)
    }

    private var atStatementEnd: Bool {
        [.newline, .semicolon, .eof, .rightBrace].contains(peek.kind)
    }

    /// Consumes a newline or `;` (a `}` or the end of input also end a statement).
    private mutating func endOfStatement(after expr: Expr? = nil) throws {
        if match(.newline) || match(.semicolon) { return }
        if check(.eof) || check(.rightBrace) { return }
        var hint = ""
        if let e = expr, case .name(let n) = e.kind {
            let statementKeywords = ["fn", "if", "else", "for", "while", "return", "break", "continue"]
            if let k = suggestion(for: n, among: statementKeywords) {
                hint = "; did you mean '\(k)'?"
            } else {
                hint = "; to call '\(n)', write \(n)(…)"
            }
        }
        throw ScriptError("expected end of line after statement, found \(peek.quoted)\(hint)", at: peek.span)
    }

    private mutating func functionDeclaration() throws -> Stmt {
        let keyword = advance()
        let name = try consume(.identifier, "expected a function name after 'fn', found \(peek.quoted)")
        let open = try consume(.leftParen, "expected '(' after the function name, found \(peek.quoted)")
        var params: [ParameterDecl] = []
        bracketDepth += 1
        if !check(.rightParen) {
            repeat {
                if check(.rightParen) { break }
                let p = try consume(.identifier, "expected a parameter name, found \(peek.quoted)")
                if params.contains(where: { $0.name == p.text }) {
                    throw ScriptError("duplicate parameter '\(p.text)'", at: p.span)
                }
                var def: Expr? = nil
                if match(.colon) {
                    def = try expression()
                } else if params.contains(where: { $0.defaultValue != nil }) {
                    throw ScriptError("parameter '\(p.text)' needs a default, since an earlier one has one", at: p.span)
                }
                params.append(ParameterDecl(name: p.text, span: p.span, defaultValue: def))
            } while match(.comma)
        }
        try closing(.rightParen, open: open, context: "after parameters")
        bracketDepth -= 1
        let savedLoops = loopDepth
        loopDepth = 0; functionDepth += 1
        defer { loopDepth = savedLoops; functionDepth -= 1 }
        let body = try block(context: "function body")
        let decl = FunctionDecl(name: name.text, span: name.span, parameters: params, body: body)
        return Stmt(kind: .function(decl), span: keyword.span.through(name.span))
    }

    private mutating func ifStatement() throws -> Stmt {
        let keyword = advance()
        let condition = try expression()
        if check(.equal) {
            throw ScriptError("expected '{' after the if condition, found '='; use '==' to compare", at: peek.span)
        }
        let then = try block(context: "if")
        var otherwise: [Stmt]? = nil
        // Allow `}` and `else` on separate lines.
        var k = current
        while tokens[k].kind == .newline { k += 1 }
        if tokens[k].kind == .kwElse {
            current = k + 1
            if check(.kwIf) { otherwise = [try ifStatement()] } else { otherwise = try block(context: "else") }
        }
        return Stmt(kind: .ifElse(condition: condition, then: then, otherwise: otherwise), span: keyword.span)
    }

    private mutating func forStatement() throws -> Stmt {
        let keyword = advance()
        let variable = try consume(.identifier, "expected a loop variable after 'for', found \(peek.quoted)")
        try consume(.kwIn, "expected 'in' after 'for \(variable.text)', found \(peek.quoted)")
        let iterable = try expression()
        loopDepth += 1
        defer { loopDepth -= 1 }
        let body = try block(context: "for")
        return Stmt(
            kind: .forIn(variable: variable.text, variableSpan: variable.span, iterable: iterable, body: body),
            span: keyword.span)
    }

    private mutating func whileStatement() throws -> Stmt {
        let keyword = advance()
        let condition = try expression()
        if check(.equal) {
            throw ScriptError("expected '{' after the while condition, found '='; use '==' to compare", at: peek.span)
        }
        loopDepth += 1
        defer { loopDepth -= 1 }
        let body = try block(context: "while")
        return Stmt(kind: .whileLoop(condition: condition, body: body), span: keyword.span)
    }

    private mutating func block(context: String) throws -> [Stmt] {
        let open = try consume(.leftBrace, "expected '{' to start the \(context) block, found \(peek.quoted)")
        try enterNesting(at: open.span)
        defer { nesting -= 1 }
        let saved = bracketDepth
        bracketDepth = 0
        defer { bracketDepth = saved }
        var statements: [Stmt] = []
        skipSeparators()
        while !check(.rightBrace) && !check(.eof) && errors.count < Self.maxErrors {
            if let s = statementRecovering(inBlock: true) { statements.append(s) }
            skipSeparators()
        }
        if !match(.rightBrace) {
            throw ScriptError("'{' is never closed; expected '}' to end the \(context) block", at: open.span)
        }
        return statements
    }

    // MARK: Expressions

    private mutating func expression() throws -> Expr {
        try enterNesting(at: peek.span)
        defer { nesting -= 1 }
        return try checked(or())
    }

    private mutating func or() throws -> Expr {
        var left = try and()
        while match(.kwOr) {
            let right = try and()
            left = try checked(Expr(.logical(.or, left, right), left.span.through(right.span)))
        }
        return left
    }

    private mutating func and() throws -> Expr {
        var left = try not()
        while match(.kwAnd) {
            let right = try not()
            left = try checked(Expr(.logical(.and, left, right), left.span.through(right.span)))
        }
        return left
    }

    private mutating func not() throws -> Expr {
        if check(.kwNot) {
            let op = advance()
            try enterNesting(at: op.span)
            defer { nesting -= 1 }
            let operand = try not()
            return try checked(Expr(.unary(.not, operand), op.span.through(operand.span)))
        }
        return try comparison()
    }

    private static let comparisons: [TokenKind: BinaryOp] = [
        .equalEqual: .equal, .bangEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
        .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    private mutating func comparison() throws -> Expr {
        try binaryChain(Self.comparisons) { try $0.term() }
    }

    private mutating func term() throws -> Expr {
        try binaryChain([.plus: .add, .minus: .subtract]) { try $0.factor() }
    }

    private mutating func factor() throws -> Expr {
        try binaryChain([.star: .multiply, .slash: .divide, .percent: .modulo]) { try $0.unary() }
    }

    /// `operand (op operand)*`, left-associative.
    private mutating func binaryChain(
        _ ops: [TokenKind: BinaryOp], operand: (inout Parser) throws -> Expr
    ) throws -> Expr {
        var left = try operand(&self)
        while let op = ops[peek.kind] {
            let opToken = advance()
            let right = try operand(&self)
            left = try checked(Expr(.binary(op, left, right, opSpan: opToken.span), left.span.through(right.span)))
        }
        return left
    }

    private mutating func unary() throws -> Expr {
        if check(.minus) {
            let op = advance()
            try enterNesting(at: op.span)
            defer { nesting -= 1 }
            let operand = try unary()
            return try checked(Expr(.unary(.negate, operand), op.span.through(operand.span)))
        }
        return try power()
    }

    private mutating func power() throws -> Expr {
        let base = try postfix()
        if check(.starStar) {
            let op = advance()
            try enterNesting(at: op.span)
            defer { nesting -= 1 }
            let exponent = try unary() // right-associative; -x**2 is -(x**2)
            return try checked(Expr(.binary(.power, base, exponent, opSpan: op.span), base.span.through(exponent.span)))
        }
        return base
    }

    private mutating func postfix() throws -> Expr {
        var expr = try primary()
        while true {
            if check(.leftParen) {
                expr = try checked(call(expr))
            } else if check(.dot) {
                advance()
                let name = try consume(.identifier, "expected a member name after '.', found \(peek.quoted)")
                expr = try checked(
                    Expr(.member(expr, name: name.text, nameSpan: name.span), expr.span.through(name.span)))
            } else if check(.leftBracket) {
                expr = try checked(index(expr))
            } else {
                return expr
            }
        }
    }

    private mutating func call(_ callee: Expr) throws -> Expr {
        let open = advance()
        bracketDepth += 1
        defer { bracketDepth -= 1 }
        var args: [CallArgument] = []
        if !check(.rightParen) {
            repeat {
                if check(.rightParen) { break }
                if check(.identifier) && peekSecond.kind == .colon {
                    let label = advance()
                    advance()
                    if args.contains(where: { $0.label == label.text }) {
                        throw ScriptError("argument '\(label.text)' is given twice", at: label.span)
                    }
                    args.append(CallArgument(label: label.text, labelSpan: label.span, value: try expression()))
                } else {
                    let value = try expression()
                    if args.contains(where: { $0.label != nil }) {
                        throw ScriptError("a positional argument cannot follow a labeled one", at: value.span)
                    }
                    var arg = CallArgument(label: nil, labelSpan: nil, value: value)
                    if check(.ellipsis) {
                        let dots = advance()
                        arg.spread = true; arg.spreadSpan = dots.span
                    }
                    args.append(arg)
                }
            } while match(.comma)
        }
        let close = try closing(.rightParen, open: open, context: "in the argument list")
        return Expr(.call(callee, args), callee.span.through(close.span))
    }

    private mutating func index(_ base: Expr) throws -> Expr {
        let open = advance()
        bracketDepth += 1
        defer { bracketDepth -= 1 }
        var items: [IndexItem] = []
        repeat {
            let start = peek.span
            var lower: Expr? = nil
            if !check(.colon) { lower = try expression() }
            if match(.colon) {
                var upper: Expr? = nil
                if !check(.comma) && !check(.rightBracket) { upper = try expression() }
                items.append(.slice(lower: lower, upper: upper, span: start.through(previous.span)))
            } else if let lower {
                items.append(.single(lower))
            }
        } while match(.comma)
        let close = try closing(.rightBracket, open: open, context: "in the index")
        return Expr(.index(base, items), base.span.through(close.span))
    }

    private mutating func primary() throws -> Expr {
        let t = peek
        switch t.kind {
        case .number: advance(); return Expr(.number(t.number), t.span)
        case .string: advance(); return Expr(.string(t.text), t.span)
        case .kwTrue: advance(); return Expr(.bool(true), t.span)
        case .kwFalse: advance(); return Expr(.bool(false), t.span)
        case .kwNone: advance(); return Expr(.none, t.span)
        case .identifier: advance(); return Expr(.name(t.text), t.span)
        case .leftParen:
            let open = advance()
            bracketDepth += 1
            defer { bracketDepth -= 1 }
            let inner = try expression()
            let close = try closing(.rightParen, open: open, context: "after the expression")
            return Expr(inner.kind, open.span.through(close.span))
        case .leftBracket:
            return try listLiteral()
        case .leftBrace:
            return try recordLiteral()
        default:
            var hint = ""
            if t.kind == .equal { hint = "; '=' assigns, '==' compares" }
            if t.kind == .rightParen || t.kind == .rightBracket { hint = "; is there an extra '\(t.text)'?" }
            throw ScriptError("expected an expression, found \(t.quoted)\(hint)", at: t.span)
        }
    }

    private mutating func listLiteral() throws -> Expr {
        let open = advance()
        bracketDepth += 1
        defer { bracketDepth -= 1 }
        var items: [Expr] = []
        while !check(.rightBracket) {
            items.append(try expression())
            if !match(.comma) { break }
        }
        let close = try closing(.rightBracket, open: open, context: "in the list")
        return Expr(.list(items), open.span.through(close.span))
    }

    private mutating func recordLiteral() throws -> Expr {
        let open = advance()
        bracketDepth += 1
        defer { bracketDepth -= 1 }
        var fields: [(key: String, keySpan: SourceSpan, value: Expr)] = []
        while !check(.rightBrace) {
            guard check(.identifier) || check(.string) else {
                throw ScriptError("expected a field name in the record, found \(peek.quoted)", at: peek.span)
            }
            let key = advance()
            if fields.contains(where: { $0.key == key.text }) {
                throw ScriptError("field '\(key.text)' appears twice in the record", at: key.span)
            }
            try consume(.colon, "expected ':' after the field name '\(key.text)', found \(peek.quoted)")
            fields.append((key.text, key.span, try expression()))
            if !match(.comma) { break }
        }
        let close = try closing(.rightBrace, open: open, context: "in the record")
        return Expr(.record(fields), open.span.through(close.span))
    }

    // MARK: Helpers

    /// Throws when an expression tree has grown too tall to evaluate safely.
    private func checked(_ e: Expr) throws -> Expr {
        if e.height > Self.maxExpressionHeight {
            throw ScriptError(
                "expression is too large: more than \(Self.maxExpressionHeight) operators chained or nested"
                    + " (split it over several statements)", at: e.span)
        }
        return e
    }

    private mutating func enterNesting(at span: SourceSpan) throws {
        if nesting >= Self.maxNesting {
            throw ScriptError("nesting too deep (more than \(Self.maxNesting) levels)", at: span)
        }
        if stack.exhausted() {
            throw ScriptError("nesting too deep for the stack of this thread", at: span)
        }
        nesting += 1
    }

    /// Consumes the bracket that closes `open`, or explains which bracket is unclosed.
    @discardableResult
    private mutating func closing(_ kind: TokenKind, open: Token, context: String) throws -> Token {
        if check(kind) { return advance() }
        let found = peek
        if found.kind == .eof || found.line != open.line {
            // Resume after the bracket's own line: later lines are likely statements of their own.
            if let k = tokens.firstIndex(where: { $0.kind == .newline && $0.span.line >= open.line }), k < current {
                current = k
            }
            throw ScriptError(
                "'\(open.text)' is never closed; expected '\(kind.rawValue)' before \(found.quoted) at \(found.span)",
                at: open.span)
        }
        throw ScriptError("expected ',' or '\(kind.rawValue)' \(context), found \(found.quoted)", at: found.span)
    }

    /// Index of the next token that matters: newlines are skipped inside brackets.
    private func significant(_ i: Int) -> Int {
        var k = Swift.min(i, tokens.count - 1)
        if bracketDepth > 0 {
            while tokens[k].kind == .newline && k + 1 < tokens.count { k += 1 }
        }
        return k
    }

    private var peek: Token { tokens[significant(current)] }
    private var peekSecond: Token { tokens[significant(significant(current) + 1)] }
    private var previous: Token { tokens[Swift.max(0, Swift.min(current, tokens.count) - 1)] }

    private func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    @discardableResult
    private mutating func advance() -> Token {
        current = significant(current)
        let t = tokens[current]
        if t.kind != .eof { current += 1 }
        return t
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    @discardableResult
    private mutating func consume(_ kind: TokenKind, _ message: String) throws -> Token {
        if check(kind) { return advance() }
        throw ScriptError(message, at: peek.span)
    }

    private mutating func skipSeparators() {
        while tokens[Swift.min(current, tokens.count - 1)].kind == .newline
            || tokens[Swift.min(current, tokens.count - 1)].kind == .semicolon
        {
            current += 1
        }
    }
}
