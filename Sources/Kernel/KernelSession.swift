// The session behind the shell channel: the same `Session` as the REPL's and the
// runner's, with its outputs turned into Jupyter messages.
import Bindings
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Notebook
import Script
import Tensors

/// Runs cells and answers completion, inspection, `is_complete` and history requests.
final class KernelSession {
    let session: Session
    private let output: KernelOutput
    private let cancel: CancellationToken
    private let iopub: IOPubPublisher

    init(setUp: @escaping SessionSetUp, cancel: CancellationToken, directory: URL, iopub: IOPubPublisher) {
        let output = KernelOutput(iopub: iopub)
        // Like the prompt: the user is at the keyboard, so files go where the scripts say.
        let policy = WritePolicy(root: directory, unrestricted: true)
        let hooks = SessionHooks(
            cancel: cancel,
            progress: output.progress,
            figureWritten: output.figure,
            resolveWritePath: policy.resolve,
            resolveReadPath: { resolvedRead($0, base: directory) },
            outputDirectory: directory,
            newFigureURL: { ext in freshFigureURL(in: directory, ext: ext) })
        session = Session(setUp: setUp, hooks: hooks, output: output.print)
        self.output = output
        self.cancel = cancel
        self.iopub = iopub
    }

    // MARK: execute

    /// Runs an `execute_request`'s code; returns the reply's content and whether the cell failed.
    func execute(_ m: Message) -> (reply: JSONObject, failed: Bool) {
        let code = m.content["code"] as? String ?? ""
        let silent = m.content["silent"] as? Bool ?? false
        let store = !silent && (m.content["store_history"] as? Bool ?? true)
        cancel.reset()
        output.begin(m)
        defer { output.end() }

        // `?x` and `x?` ask for help, as at the prompt; the answer goes to the pager.
        if let query = Session.helpQuery(code) {
            let page: JSONObject = ["source": "page", "data": ["text/plain": session.help(for: query)], "start": 0]
            return (["status": "ok", "execution_count": session.counter - 1, "payload": [page],
                     "user_expressions": JSONObject()], false)
        }
        if !silent {
            iopub.publish("execute_input", ["code": code, "execution_count": session.counter], parent: m)
        }
        let outcome = session.execute(code, storeHistory: store)
        let count = store ? outcome.number : session.counter - 1
        if !outcome.result.succeeded {
            let error = Self.errorContent(outcome.result)
            iopub.publish("error", error, parent: m)
            if cancel.isCancelled { output.stream("stderr", "Interrupted; every variable is kept.\n") }
            return (error.merging(["status": "error", "execution_count": count]) { a, _ in a }, true)
        }
        if !silent { show(outcome, count: count, parent: m) }
        if cancel.isCancelled { output.stream("stderr", "Interrupted; every variable is kept.\n") }
        let expressions = m.content["user_expressions"] as? [String: Any] ?? [:]
        return (["status": "ok", "execution_count": count, "payload": [JSONObject](),
                 "user_expressions": evaluate(expressions)], false)
    }

    /// The cell's value: a figure as a picture, a table as text, Markdown and HTML,
    /// anything else as the text `Out[n]` shows.
    private func show(_ outcome: Session.Outcome, count: Int, parent: Message) {
        if let f = outcome.figure {
            output.figure(f.figure)
        } else if let shown = outcome.shown {
            var data: JSONObject = ["text/plain": shown]
            if let t = outcome.value.tableMarkup {
                data["text/markdown"] = t.markdown
                data["text/html"] = t.html
            }
            iopub.publish("execute_result", ["execution_count": count, "data": data, "metadata": JSONObject()],
                          parent: parent)
        }
    }

    /// `ename`, `evalue` and `traceback` of a failed cell: the first error's
    /// `line:column: message`, and every error rendered with its line and caret.
    static func errorContent(_ result: RunResult) -> JSONObject {
        let first = result.errors.first
        let interrupted = first?.message == "interrupted"
        return [
            "ename": interrupted ? "Interrupted" : "ScriptError",
            "evalue": first?.description ?? "error",
            "traceback": result.renderedErrors.split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init),
        ]
    }

    /// `user_expressions`: each expression evaluated after the cell, without a number.
    private func evaluate(_ expressions: [String: Any]) -> JSONObject {
        var out = JSONObject()
        for (name, value) in expressions {
            guard let source = value as? String else { continue }
            let r = session.interpreter.run(source)
            if r.succeeded {
                out[name] = ["status": "ok", "data": ["text/plain": r.value.map(\.repr) ?? "none"],
                             "metadata": JSONObject()]
            } else {
                out[name] = Self.errorContent(r).merging(["status": "error"]) { a, _ in a }
            }
        }
        return out
    }

    // MARK: complete, inspect, is_complete

    /// `complete_request`: the prompt's completions for the word before the cursor.
    func complete(_ c: JSONObject) -> JSONObject {
        let (scalars, cursor) = Self.cursor(in: c)
        var start = cursor
        while start > 0 && Self.isWord(scalars[start - 1]) { start -= 1 }
        let word = Self.text(scalars[start..<cursor])
        let matches = ReplCompletion.complete(word, before: Self.text(scalars[..<cursor]),
                                              interpreter: session.interpreter)
        var unique: [String] = []
        for m in matches where !unique.contains(m) { unique.append(m) }
        return ["status": "ok", "matches": unique, "cursor_start": start, "cursor_end": cursor,
                "metadata": JSONObject()]
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

    // MARK: history

    /// The one session this kernel has, in history entries.
    static let historySession = 1

    /// `history_request` (tail, range and search), from the session's numbered inputs.
    func history(_ c: JSONObject) -> JSONObject {
        var entries = session.inputs.enumerated().map { (line: $0.offset + 1, source: $0.element.source,
                                                         shown: $0.element.shown) }
        let n = c["n"] as? Int
        switch c["hist_access_type"] as? String ?? "tail" {
        case "range":
            let s = c["session"] as? Int ?? 0
            let start = c["start"] as? Int ?? 1
            let stop = c["stop"] as? Int ?? Int.max
            guard s == 0 || s == Self.historySession else { entries = []; break }
            entries = entries.filter { $0.line >= start && $0.line < stop }
        case "search":
            let pattern = c["pattern"] as? String ?? "*"
            entries = entries.filter { fnmatch(pattern, $0.source, 0) == 0 }
            if c["unique"] as? Bool ?? false {
                // Keep the latest run of each source.
                var seen = Set<String>()
                entries = entries.reversed().filter { seen.insert($0.source).inserted }.reversed()
            }
            if let n { entries = Array(entries.suffix(max(0, n))) }
        default:
            entries = Array(entries.suffix(max(0, n ?? 10)))
        }
        let withOutput = c["output"] as? Bool ?? false
        let history: [Any] = entries.map { e in
            withOutput ? [Self.historySession, e.line, [e.source, e.shown.map { $0 as Any } ?? NSNull()]] as [Any]
                : [Self.historySession, e.line, e.source] as [Any]
        }
        return ["status": "ok", "history": history]
    }

    // MARK: helpers

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
