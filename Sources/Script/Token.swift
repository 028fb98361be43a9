/// The kinds of token the scanner produces.
public enum TokenKind: String, Sendable, Equatable {
    // Brackets and punctuation.
    case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]"
    case leftBrace = "{", rightBrace = "}"
    case comma = ",", dot = ".", ellipsis = "...", colon = ":", semicolon = ";", newline = "end of line"
    // Operators.
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", starStar = "**"
    case equal = "=", equalEqual = "==", bangEqual = "!=", less = "<", lessEqual = "<="
    case greater = ">", greaterEqual = ">="
    // Literals and names.
    case identifier = "name", string = "string", number = "number"
    // Keywords.
    case kwAnd = "and", kwOr = "or", kwNot = "not", kwIf = "if", kwElse = "else"
    case kwFor = "for", kwIn = "in", kwWhile = "while", kwFn = "fn", kwReturn = "return"
    case kwBreak = "break", kwContinue = "continue"
    case kwTrue = "true", kwFalse = "false", kwNone = "none"
    case eof = "end of input"

    static let keywords: [String: TokenKind] = [
        "and": .kwAnd, "or": .kwOr, "not": .kwNot, "if": .kwIf, "else": .kwElse,
        "for": .kwFor, "in": .kwIn, "while": .kwWhile, "fn": .kwFn, "return": .kwReturn,
        "break": .kwBreak, "continue": .kwContinue,
        "true": .kwTrue, "false": .kwFalse, "none": .kwNone,
    ]
}

/// One token: its kind, the text it was scanned from, and where that text sits.
public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    /// The source text (for a string literal: the decoded contents).
    public var text: String
    /// The numeric value of a number literal.
    public var number: Double
    public var span: SourceSpan

    public var line: Int { span.line }
    public var column: Int { span.column }

    /// How the token is named in "expected …, found …" messages.
    var quoted: String {
        switch kind {
        case .newline, .eof: return kind.rawValue
        case .string: return "string \"\(text)\""
        default: return "'\(text)'"
        }
    }
}
