// The session behind the shell channel: the same `Session` as the REPL's and the
// runner's, with its outputs turned into Jupyter messages.
import Bindings
import Foundation
import Notebook
import Script
import Tensors

/// Runs cells (here) and answers completion, inspection, `is_complete` (in
/// KernelSession+Introspection.swift) and history requests (KernelSession+History.swift).
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
            return (
                [
                    "status": "ok", "execution_count": session.counter - 1, "payload": [page],
                    "user_expressions": JSONObject(),
                ], false
            )
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
        return (
            [
                "status": "ok", "execution_count": count, "payload": [JSONObject](),
                "user_expressions": evaluate(expressions),
            ], false
        )
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
            iopub.publish(
                "execute_result", ["execution_count": count, "data": data, "metadata": JSONObject()],
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
                out[name] = [
                    "status": "ok", "data": ["text/plain": r.value.map(\.repr) ?? "none"],
                    "metadata": JSONObject(),
                ]
            } else {
                out[name] = Self.errorContent(r).merging(["status": "error"]) { a, _ in a }
            }
        }
        return out
    }
}
