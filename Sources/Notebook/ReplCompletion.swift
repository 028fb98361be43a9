import Foundation
import Script

/// Tab completion at the prompt: REPL commands after `:`, argument labels inside
/// a call's parentheses (`distill(t, s, it⇥` → `iters: `), members after `x.`,
/// and variables, builtins and keywords everywhere.
public enum ReplCompletion {
    /// The prompt's `:commands`, offered after a leading `:`.
    public static let commands = ["help", "quit", "exit", "reset", "save", "images"]

    /// Completions for the word `text`, given everything typed before the cursor in this cell.
    public static func complete(_ text: String, before: String, interpreter: Interpreter) -> [String] {
        if before.hasPrefix(":") && !before.contains(" ") {
            return commands.filter { $0.hasPrefix(text) }
        }
        var out: [String] = []
        if !text.contains("."), let callee = openCall(in: before) {
            let labels = argumentLabels(of: callee, in: interpreter)
            out += labels.filter { $0.hasPrefix(text) }.map { $0 + ": " }
        }
        out += interpreter.completions(for: text)
        return out
    }

    /// The name (possibly a member path, `student.sample`) before the innermost
    /// `(` still open at the end of `source`; strings and comments are skipped.
    public static func openCall(in source: String) -> String? {
        var stack: [(Character, String.Index)] = []
        var quote: Character? = nil
        var comment = false
        var i = source.startIndex
        while i < source.endIndex {
            let c = source[i]
            if comment {
                if c.isNewline { comment = false }
            } else if let q = quote {
                if c == "\\" { i = source.index(after: i) } else if c == q || c.isNewline { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                comment = true
            } else if "([{".contains(c) {
                stack.append((c, i))
            } else if ")]}".contains(c) {
                _ = stack.popLast()
            }
            if i < source.endIndex { i = source.index(after: i) }
        }
        guard let (bracket, at) = stack.last, bracket == "(" else { return nil }
        let head = source[..<at]
        let name = head.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        let callee = String(name.reversed())
        return callee.isEmpty || callee.first!.isNumber ? nil : callee
    }

    /// Parameter names of the function `callee` names, looking values up without running anything.
    public static func argumentLabels(of callee: String, in interpreter: Interpreter) -> [String] {
        let path = callee.split(separator: ".").map(String.init)
        guard let first = path.first, var value = interpreter.lookup(first) else { return [] }
        for m in path.dropFirst() {
            guard interpreter.memberNames(of: value).contains(m),
                let v = try? interpreter.member(of: value, m, at: SourceSpan(line: 0, column: 0))
            else { return [] }
            value = v
        }
        if case .function(let f) = value { return f.parameterNames }
        return []
    }
}
