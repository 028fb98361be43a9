import Foundation
import Script

/// `-p name=value` overrides for a notebook's parameters cell (the cell tagged
/// `parameters`, as papermill reads it).
///
/// The override replaces the right-hand side of the top-level `name = …` in that
/// cell, so the report shows the source that actually ran. A value is one literal
/// (``LiteralReader``): a number (`3`, `1e-3`), a bool, `none`, a quoted string, a list,
/// a record or a range `a..b`; other text is a plain string.
public enum Parameters {
    /// A top-level assignment in a parameters cell: the name and where its
    /// right-hand side sits (character offsets into the cell source).
    public struct Assignment: Equatable {
        public var name: String
        public var valueRange: Range<Int>
    }

    /// Splits `name=value`.
    public static func parseOverride(_ text: String) throws -> (name: String, value: String) {
        guard let eq = text.firstIndex(of: "=") else {
            throw NotebookError("parameter '\(text)' must read name=value")
        }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw NotebookError("parameter '\(text)' has no name before '='") }
        return (name, String(text[text.index(after: eq)...]))
    }

    /// The value as source text of one literal of the language (``LiteralReader/read(_:)``):
    /// a number, string, bool, `none`, list, record or range, written out again, so a value
    /// can never paste code into the notebook.
    /// - Throws: a value that starts like a literal (a quote, `[`, `{`) but is not exactly one.
    public static func literal(_ value: String) throws -> String {
        try LiteralReader.read(value).source
    }

    /// The top-level assignments `name = …` of a cell, found with the language's scanner.
    public static func assignments(in source: String) -> [Assignment] {
        var scanner = Scanner(source)
        let tokens = scanner.scan()
        let offsets = lineOffsets(source)
        func offset(_ t: Token) -> Int { offsets[t.line - 1] + t.column - 1 }
        var out: [Assignment] = []
        var depth = 0
        var atStart = true
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            switch t.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth = max(0, depth - 1)
            default: break
            }
            if atStart && depth == 0 && t.kind == .identifier && i + 2 < tokens.count && tokens[i + 1].kind == .equal {
                // The right-hand side runs to the end of the statement (a newline at depth 0).
                var j = i + 2, d = 0, last = tokens[i + 2]
                while j < tokens.count {
                    let u = tokens[j]
                    if u.kind == .eof || ((u.kind == .newline || u.kind == .semicolon) && d == 0) { break }
                    if [.leftParen, .leftBracket, .leftBrace].contains(u.kind) { d += 1 }
                    if [.rightParen, .rightBracket, .rightBrace].contains(u.kind) { d -= 1 }
                    last = u
                    j += 1
                }
                let start = offset(tokens[i + 2])
                // A string token's text is decoded; its span length covers the quotes.
                let end = offset(last) + last.span.length
                if last.kind != .eof { out.append(Assignment(name: t.text, valueRange: start..<end)) }
                i = j
                atStart = true
                continue
            }
            atStart = (t.kind == .newline || t.kind == .semicolon) && depth == 0
            i += 1
        }
        return out
    }

    /// The notebook with each override applied to its parameters cell.
    /// - Throws: when there is no parameters cell, or a name is not assigned there
    ///   (the message lists the known names).
    public static func apply(
        _ overrides: [(name: String, value: String)], to notebook: NotebookFile
    ) throws -> NotebookFile {
        guard !overrides.isEmpty else { return notebook }
        guard let index = notebook.parametersCellIndex else {
            throw NotebookError("the notebook has no parameters cell; tag one with `# %% tags=[\"parameters\"]`")
        }
        var nb = notebook
        var chars = Array(nb.cells[index].source)
        for (name, value) in overrides {
            let found = assignments(in: String(chars))
            guard let a = found.last(where: { $0.name == name }) else {
                let known = Array(Set(found.map(\.name))).sorted()
                throw NotebookError(
                    "unknown parameter '\(name)'; the parameters cell sets: "
                        + (known.isEmpty ? "nothing" : known.joined(separator: ", ")))
            }
            let text: String
            do { text = try literal(value) } catch let f as LiteralReader.Failure {
                throw NotebookError(
                    "-p \(name)=\(value): \(f); a value is one literal: "
                        + "a number, \"string\", true/false/none, [list], {record} or range a..b"
                )
            }
            chars.replaceSubrange(a.valueRange, with: Array(text))
        }
        nb.cells[index].source = String(chars)
        return nb
    }

    /// Character offset where each line starts, counting lines as the scanner does.
    static func lineOffsets(_ source: String) -> [Int] {
        var out = [0]
        for (i, c) in source.enumerated() where c.isNewline { out.append(i + 1) }
        return out
    }
}

/// A notebook problem outside any cell: a bad parameter, an unreadable file.
public struct NotebookError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
