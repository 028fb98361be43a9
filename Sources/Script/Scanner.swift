/// Turns source text into tokens, each knowing its line and column.
///
/// Newlines are tokens (they end statements); the parser decides where they are
/// insignificant (inside `(` and `[`). `#` starts a comment to the end of the line.
/// A character the language does not use, or an unterminated string, is reported
/// and skipped, so one pass reports every lexical mistake.
public struct Scanner {
    private let chars: [Character]
    private var start = 0, current = 0
    private var line = 1, column = 1
    private var startLine = 1, startColumn = 1
    public private(set) var tokens: [Token] = []
    public private(set) var errors: [ScriptError] = []

    public init(_ source: String) { chars = Array(source) }

    /// Scans the whole source. The last token is always `.eof`.
    public mutating func scan() -> [Token] {
        while current < chars.count {
            start = current; startLine = line; startColumn = column
            scanToken()
        }
        tokens.append(Token(kind: .eof, text: "", number: 0, span: endOfCode(line: line, column: column)))
        return tokens
    }

    /// Where a line's code ends: just after its last token (so "expected an
    /// expression, found end of line" points past the `+`, not past a comment).
    private func endOfCode(line: Int, column: Int) -> SourceSpan {
        if let last = tokens.last, last.kind != .newline, last.span.line == line {
            return SourceSpan(line: line, column: last.span.column + last.span.length)
        }
        return SourceSpan(line: line, column: column)
    }

    private var atEnd: Bool { current >= chars.count }
    private var peek: Character { atEnd ? "\0" : chars[current] }
    private var peekNext: Character { current + 1 < chars.count ? chars[current + 1] : "\0" }

    @discardableResult
    private mutating func advance() -> Character {
        let c = chars[current]
        current += 1
        if c.isNewline { line += 1; column = 1 } else { column += 1 }
        return c
    }

    private mutating func match(_ c: Character) -> Bool {
        guard !atEnd, chars[current] == c else { return false }
        advance()
        return true
    }

    private var span: SourceSpan { SourceSpan(line: startLine, column: startColumn, length: current - start) }

    private mutating func add(_ kind: TokenKind, text: String? = nil, number: Double = 0) {
        let t = text ?? String(chars[start..<current])
        tokens.append(Token(kind: kind, text: t, number: number, span: span))
    }

    private mutating func scanToken() {
        let c = advance()
        switch c {
        case "(": add(.leftParen)
        case ")": add(.rightParen)
        case "[": add(.leftBracket)
        case "]": add(.rightBracket)
        case "{": add(.leftBrace)
        case "}": add(.rightBrace)
        case ",": add(.comma)
        case ".": if peek == "." && peekNext == "." { advance(); advance(); add(.ellipsis) } else { add(.dot) }
        case ":": add(.colon)
        case ";": add(.semicolon)
        case "+": add(.plus)
        case "-": add(.minus)
        case "*": add(match("*") ? .starStar : .star)
        case "/": add(.slash)
        case "%": add(.percent)
        case "=": add(match("=") ? .equalEqual : .equal)
        case "<": add(match("=") ? .lessEqual : .less)
        case ">": add(match("=") ? .greaterEqual : .greater)
        case "!":
            if match("=") {
                add(.bangEqual)
            } else {
                errors.append(
                    ScriptError("unexpected '!'; write 'not x' for negation or '!=' for inequality", at: span))
            }
        case "#":
            while !atEnd && !peek.isNewline { advance() }
        case " ", "\t", "\r":
            break
        case "\"", "'":
            string(quote: c)
        default:
            if c.isNewline {
                tokens.append(
                    Token(kind: .newline, text: "\n", number: 0, span: endOfCode(line: startLine, column: startColumn)))
            } else if c.isASCII && c.isNumber {
                number()
            } else if c.isLetter || c == "_" {
                identifier()
            } else {
                errors.append(ScriptError("unexpected character '\(c)'", at: span))
            }
        }
    }

    private mutating func string(quote: Character) {
        var value = ""
        while !atEnd && peek != quote && !peek.isNewline {
            let c = advance()
            if c == "\\" && !atEnd && !peek.isNewline {
                let e = advance()
                switch e {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "\\": value.append("\\")
                case "\"": value.append("\"")
                case "'": value.append("'")
                default:
                    errors.append(
                        ScriptError(
                            "unknown escape '\\\(e)' in string",
                            at: SourceSpan(line: line, column: column - 2, length: 2)))
                }
            } else {
                value.append(c)
            }
        }
        if atEnd || peek.isNewline {
            errors.append(
                ScriptError(
                    "unterminated string; add a closing \(quote)", at: SourceSpan(line: startLine, column: startColumn))
            )
            return
        }
        advance() // the closing quote
        add(.string, text: value)
    }

    private mutating func number() {
        while peek.isASCII && peek.isNumber { advance() }
        if peek == "." && peekNext.isASCII && peekNext.isNumber {
            advance()
            while peek.isASCII && peek.isNumber { advance() }
        }
        if peek == "e" || peek == "E" {
            let save = (current, line, column)
            advance()
            if peek == "+" || peek == "-" { advance() }
            if peek.isASCII && peek.isNumber {
                while peek.isASCII && peek.isNumber { advance() }
            } else {
                (current, line, column) = save // `2e` is `2` followed by the name `e`
            }
        }
        let text = String(chars[start..<current])
        add(.number, number: Double(text) ?? .nan)
    }

    private mutating func identifier() {
        while peek.isLetter || (peek.isASCII && peek.isNumber) || peek == "_" { advance() }
        let text = String(chars[start..<current])
        add(TokenKind.keywords[text] ?? .identifier)
    }
}
