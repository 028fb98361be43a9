/// A place in the source: 1-based line and column, and how many characters the
/// caret line should underline (at least one).
public struct SourceSpan: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var length: Int

    public init(line: Int, column: Int, length: Int = 1) {
        self.line = line
        self.column = column
        self.length = Swift.max(1, length)
    }

    /// The span from the start of `self` to the end of `other` when both sit on one
    /// line; otherwise `self` stretched to the end of its line.
    public func through(_ other: SourceSpan) -> SourceSpan {
        if other.line == line && other.column >= column {
            return SourceSpan(line: line, column: column, length: other.column + other.length - column)
        }
        return SourceSpan(line: line, column: column, length: other.line > line ? Int.max / 4 : length)
    }

    public var description: String { "\(line):\(column)" }
}

/// The one error of the language: a message and the place that caused it.
///
/// Scanner, parser, interpreter and builtins all throw this type. The message
/// already carries any suggestion ("unknown name 'huen'; did you mean 'heun'?").
/// A builtin may throw one without a span; the interpreter then gives it the span
/// of the call (see ``Arguments/error(_:at:)`` to point at one argument instead).
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var span: SourceSpan?

    public init(_ message: String, at span: SourceSpan? = nil) {
        self.message = message
        self.span = span
    }

    /// `3:9: message` (or just the message when there is no position).
    public var description: String {
        if let s = span { return "\(s.line):\(s.column): \(message)" }
        return message
    }

    /// The error in the one format users see: a header line, the source line, and a
    /// caret line under the place. See ``render(_:source:)``.
    public func rendered(in source: String) -> String { render(self, source: source) }
}

/// Renders an error against the source it came from:
///
///     error: 3:9: unknown name 'huen'; did you mean 'heun'?
///     solver = huen(grid)
///              ^^^^
///
/// Tabs in the source line are kept in the caret line's indentation so the caret
/// stays under the place in a terminal.
public func render(_ error: ScriptError, source: String) -> String {
    var out = "error: \(error.description)"
    guard let span = error.span, span.line >= 1 else { return out }
    var lineNo = 1
    var text: Substring? = nil
    // Lines end where the scanner ends them (any newline character, "\r\n" included).
    for line in source.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
        if lineNo == span.line { text = line; break }
        lineNo += 1
    }
    guard let lineText = text else { return out }
    let chars = Array(lineText)
    out += "\n" + String(chars)
    let start = Swift.min(Swift.max(span.column - 1, 0), chars.count)
    let indent = chars[0..<start].map { $0 == "\t" ? "\t" : " " }.joined()
    let width = Swift.max(1, Swift.min(span.length, Swift.max(chars.count - start, 1)))
    out += "\n" + indent + String(repeating: "^", count: width)
    return out
}
