import Foundation
import Script

/// One literal value of the language, as a `-p name=value` override or a sweep's grid holds it.
///
/// Only data: a value read from the command line can never become code, because what goes
/// into the notebook is this value written out again (``source``), never the text as typed.
public indirect enum Literal: Equatable, Sendable {
    case none
    case bool(Bool)
    /// The number and its text as typed (`1e-3` stays `1e-3` in the report's source).
    case number(Double, text: String)
    case string(String)
    case list([Literal])
    case record([Field])

    public struct Field: Equatable, Sendable {
        public var name: String
        public var value: Literal
        public init(name: String, value: Literal) { self.name = name; self.value = value }
    }

    /// The value as source text of the language.
    public var source: String {
        switch self {
        case .none: return "none"
        case .bool(let b): return b ? "true" : "false"
        case .number(_, let text): return text
        case .string(let s): return Value.string(s).repr
        case .list(let xs): return "[" + xs.map(\.source).joined(separator: ", ") + "]"
        case .record(let fs):
            return "{"
                + fs.map { f in
                    (Literal.isName(f.name) ? f.name : Value.string(f.name).repr) + ": " + f.value.source
                }.joined(separator: ", ") + "}"
        }
    }

    /// How a table shows the value: strings bare, everything else as source.
    public var label: String {
        if case .string(let s) = self { return s }
        return source
    }

    /// The value for `JSONSerialization` (numbers as numbers, `none` as null).
    public var json: Any {
        switch self {
        case .none: return NSNull()
        case .bool(let b): return b
        case .number(let x, _): return x
        case .string(let s): return s
        case .list(let xs): return xs.map(\.json)
        case .record(let fs): return Dictionary(fs.map { ($0.name, $0.value.json) }, uniquingKeysWith: { a, _ in a })
        }
    }

    static func isName(_ s: String) -> Bool {
        guard let f = s.first, f.isLetter || f == "_" else { return false }
        return s.allSatisfy { $0.isLetter || ($0.isASCII && $0.isNumber) || $0 == "_" }
            && ![
                "and", "or", "not", "if", "else", "for", "in", "while", "fn", "return", "break", "continue",
                "true", "false", "none",
            ].contains(s)
    }
}

/// Reads command-line values as literals with the language's own scanner: numbers
/// (`3`, `-2.5`, `1e-3`), strings (`"a b"`, `'a'`), `true`/`false`/`none`, lists
/// (`[0, 1, [2]]`), records (`{lr: 1e-3, name: "ring"}`) and integer ranges `a..b`
/// (both ends included, read as the list of their values). Inside a list or record a
/// bare word is a string (`[moons, ring]`). Nothing else: no names, operators or calls.
public enum LiteralReader {
    /// The most values one range may hold (`0..99999`), so a typo cannot fill the memory.
    public static let maxRange = 100_000

    /// A problem with the value, and the column (1-based) in the value where it was seen.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var column: Int
        public var description: String { "column \(column): \(message)" }
    }

    /// A `-p name=value` value: exactly one literal. A value that is not a literal and does
    /// not start like one (a quote, `[` or `{`) is taken as a plain string (`-p data=moons`),
    /// written out quoted; one that starts like a literal must be exactly one.
    public static func read(_ text: String) throws -> Literal {
        do {
            var p = try TokenStream(text)
            let value = try p.item(topLevel: true)
            try p.expectEnd()
            if case .range(let xs) = value { return .list(xs) }
            if case .literal(let v) = value { return v }
        } catch let f as Failure {
            let first = text.trimmingCharacters(in: .whitespaces).first
            if let first, "\"'[{".contains(first) { throw f }
        }
        return .string(text)
    }

    /// A sweep's `-p name=v1,v2,…`: comma-separated literals; a range `a..b` stands for all its
    /// values. A bare word is a string; anything else that is not a literal is an error.
    public static func readValues(_ text: String) throws -> [Literal] {
        var p = try TokenStream(text)
        var out: [Literal] = []
        repeat {
            switch try p.item(topLevel: true) {
            case .literal(let v): out.append(v)
            case .range(let xs): out += xs
            }
            if out.count > maxRange { throw Failure(message: "more than \(maxRange) values", column: 1) }
        } while p.match(.comma)
        try p.expectEnd()
        return out
    }
}

/// The tokens of one value and a cursor over them.
private struct TokenStream {
    enum Item { case literal(Literal), range([Literal]) }

    let tokens: [Token]
    var i = 0

    init(_ text: String) throws {
        var scanner = Scanner(text)
        let all = scanner.scan()
        // A value is one line: a line break (or ';') is a mistake at its position.
        if let nl = all.first(where: { $0.kind == .newline || $0.kind == .semicolon }) {
            throw LiteralReader.Failure(
                message: "expected one value, found \(nl.kind == .newline ? "a line break" : "';'")",
                column: nl.span.column)
        }
        if let e = scanner.errors.first {
            throw LiteralReader.Failure(message: e.message, column: e.span?.column ?? 1)
        }
        tokens = all
    }

    var peek: Token { tokens[min(i, tokens.count - 1)] }

    mutating func advance() -> Token { let t = peek; i += 1; return t }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard peek.kind == kind else { return false }
        i += 1
        return true
    }

    func fail(_ message: String, _ t: Token? = nil) -> LiteralReader.Failure {
        let t = t ?? peek
        let found = t.kind == .eof ? "the end of the value" : t.kind == .string ? "string \"\(t.text)\"" : "'\(t.text)'"
        return LiteralReader.Failure(message: "\(message), found \(found)", column: t.span.column)
    }

    mutating func expectEnd() throws {
        guard peek.kind == .eof else { throw fail("expected the end of the value") }
    }

    /// A literal, or (at the top) a range `a..b`.
    mutating func item(topLevel: Bool) throws -> Item {
        let t = peek
        switch t.kind {
        case .number, .minus:
            let (x, text) = try number()
            if peek.kind == .dot {
                let dots = advance()
                guard match(.dot) else { throw fail("expected '..' for a range", dots) }
                let (y, _) = try number()
                return .range(try range(x, y, at: t))
            }
            return .literal(.number(x, text: text))
        case .string: i += 1; return .literal(.string(t.text))
        case .kwTrue: i += 1; return .literal(.bool(true))
        case .kwFalse: i += 1; return .literal(.bool(false))
        case .kwNone: i += 1; return .literal(.none)
        case .identifier: i += 1; return .literal(.string(t.text))
        case .leftBracket:
            i += 1
            var xs: [Literal] = []
            while peek.kind != .rightBracket {
                switch try item(topLevel: false) {
                case .literal(let v): xs.append(v)
                case .range(let r): xs += r
                }
                if xs.count > LiteralReader.maxRange {
                    throw fail("a list of more than \(LiteralReader.maxRange) values")
                }
                if !match(.comma) { break }
            }
            guard match(.rightBracket) else { throw fail("expected ',' or ']' in the list") }
            return .literal(.list(xs))
        case .leftBrace:
            i += 1
            var fs: [Literal.Field] = []
            while peek.kind != .rightBrace {
                let key = peek
                guard key.kind == .identifier || key.kind == .string else {
                    throw fail("expected a field name in the record")
                }
                i += 1
                if fs.contains(where: { $0.name == key.text }) {
                    throw LiteralReader.Failure(
                        message: "field '\(key.text)' appears twice in the record", column: key.span.column)
                }
                guard match(.colon) else { throw fail("expected ':' after the field name '\(key.text)'") }
                guard case .literal(let v) = try item(topLevel: false) else {
                    throw LiteralReader.Failure(
                        message: "a range cannot be a field's value; write the list", column: key.span.column)
                }
                fs.append(Literal.Field(name: key.text, value: v))
                if !match(.comma) { break }
            }
            guard match(.rightBrace) else { throw fail("expected ',' or '}' in the record") }
            return .literal(.record(fs))
        default:
            throw fail("expected a value (number, string, true/false/none, list, record or range a..b)")
        }
    }

    /// A number with an optional leading minus, and its text.
    mutating func number() throws -> (Double, String) {
        let negative = match(.minus)
        let t = peek
        guard t.kind == .number, t.number.isFinite else { throw fail("expected a number") }
        i += 1
        return (negative ? -t.number : t.number, (negative ? "-" : "") + t.text)
    }

    func range(_ a: Double, _ b: Double, at t: Token) throws -> [Literal] {
        guard a == a.rounded(), b == b.rounded(), abs(a) < 1e15, abs(b) < 1e15 else {
            throw LiteralReader.Failure(message: "a range a..b needs whole numbers", column: t.span.column)
        }
        guard a <= b else {
            throw LiteralReader.Failure(
                message: "the range \(formatNumber(a))..\(formatNumber(b)) is empty (it counts up, both ends included)",
                column: t.span.column)
        }
        guard b - a < Double(LiteralReader.maxRange) else {
            throw LiteralReader.Failure(
                message: "the range holds more than \(LiteralReader.maxRange) values", column: t.span.column)
        }
        return (Int(a)...Int(b)).map { .number(Double($0), text: String($0)) }
    }
}
