// Completion, inspection and `is_complete`: the prompt's rules, answered over the protocol.
import Foundation
import Notebook
import Script

extension KernelSession {
    /// `complete_request`: the prompt's completions for the word before the cursor.
    func complete(_ c: JSONObject) -> JSONObject {
        let (scalars, cursor) = Self.cursor(in: c)
        var start = cursor
        while start > 0 && Self.isWord(scalars[start - 1]) { start -= 1 }
        let word = Self.text(scalars[start..<cursor])
        let matches = ReplCompletion.complete(
            word, before: Self.text(scalars[..<cursor]),
            interpreter: session.interpreter)
        var unique: [String] = []
        for m in matches where !unique.contains(m) { unique.append(m) }
        return [
            "status": "ok", "matches": unique, "cursor_start": start, "cursor_end": cursor,
            "metadata": JSONObject(),
        ]
    }

    /// `inspect_request`: `help(x)` for the name (or member path) under the cursor.
    func inspect(_ c: JSONObject) -> JSONObject {
        let (scalars, cursor) = Self.cursor(in: c)
        var start = cursor, end = cursor
        while start > 0 && Self.isWord(scalars[start - 1]) { start -= 1 }
        while end < scalars.count && Self.isWord(scalars[end]) { end += 1 }
        let word = Self.text(scalars[start..<end]).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let head = word.split(separator: ".").first.map(String.init) ?? ""
        // A variable, a builtin or a keyword (completion knows all three).
        let found = !head.isEmpty && session.interpreter.completions(for: head).contains(head)
        let data: JSONObject = found ? ["text/plain": session.help(for: word)] : [:]
        return ["status": "ok", "found": found, "data": data, "metadata": JSONObject()]
    }

    /// `is_complete_request`: incomplete while a bracket is open (as the prompt's
    /// continuation lines), invalid for a stray closing bracket or a syntax error.
    static func isComplete(_ c: JSONObject) -> JSONObject {
        let code = c["code"] as? String ?? ""
        let open = Session.openBrackets(code)
        if open > 0 { return ["status": "incomplete", "indent": String(repeating: "    ", count: open)] }
        if open < 0 || !Parser.parse(code).errors.isEmpty { return ["status": "invalid"] }
        return ["status": "complete"]
    }

    /// The code's Unicode scalars and the cursor (protocol 5.2+: in code points),
    /// clamped to the code.
    static func cursor(in c: JSONObject) -> ([Unicode.Scalar], Int) {
        let scalars = Array((c["code"] as? String ?? "").unicodeScalars)
        let cursor = max(0, min(scalars.count, c["cursor_pos"] as? Int ?? scalars.count))
        return (scalars, cursor)
    }

    static func isWord(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s == "." || s.properties.isAlphabetic || s.properties.numericType != nil
    }

    static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars)
        return String(v)
    }
}
