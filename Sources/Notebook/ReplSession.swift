import Foundation
import Script

/// The prompt's session, without the terminal: numbered cells as in IPython.
///
/// Each input is a cell `In [n]`; a value it ends with is `Out[n]`, and scripts
/// can read `Out[n]` (a list indexed by cell number, `none` where a cell gave no
/// value), `In[n]` (the source) and `_` (the last value). Inputs that succeed are
/// kept, in order, for ``notebook()`` (the REPL's `:save`).
public final class ReplSession {
    public private(set) var interpreter: Interpreter
    /// The number the next input gets.
    public private(set) var counter = 1
    /// Sources of the inputs that ran without error, in order.
    public private(set) var accepted: [String] = []
    private var outValues: [Value] = [.none]
    private var inSources: [Value] = [.string("")]
    private let makeInterpreter: () -> Interpreter

    /// `makeInterpreter` builds a configured interpreter (bindings installed);
    /// it is called again on ``reset()``.
    public init(makeInterpreter: @escaping () -> Interpreter) {
        self.makeInterpreter = makeInterpreter
        interpreter = makeInterpreter()
    }

    /// What one input did.
    public struct Outcome {
        public var number: Int
        public var result: RunResult
        /// `Out[n]: …` text for a value other than `none`.
        public var shown: String?
        public var seconds: Double
        /// The cell's value (`none` when it has none or failed).
        public var value: Value = .none
    }

    /// Runs one cell (a complete input, possibly several lines) and numbers it.
    @discardableResult
    public func execute(_ source: String) -> Outcome {
        let n = counter
        counter += 1
        inSources.append(.string(source))
        interpreter.define("In", .list(inSources))
        let t0 = Date()
        let result = interpreter.run(source)
        let seconds = Date().timeIntervalSince(t0)
        var shown: String? = nil
        var value = Value.none
        if result.succeeded {
            accepted.append(source)
            if let v = result.value, !NotebookRunner.isNone(v) {
                value = v
                shown = v.repr
                interpreter.define("_", v)
            }
        }
        outValues.append(value)
        interpreter.define("Out", .list(outValues))
        return Outcome(number: n, result: result, shown: shown, seconds: seconds, value: value)
    }

    /// The accepted inputs as a notebook: a title cell, then one code cell per input.
    public func notebook(title: String = "cmlab session") -> NotebookFile {
        let stamp = ISO8601DateFormatter().string(from: Date())
        var cells = [Cell(.markdown, "# \(title)\n\nSaved from the cmlab prompt on \(stamp).")]
        cells += accepted.map { Cell(.code, $0) }
        return NotebookFile(cells: cells)
    }

    /// Writes ``notebook()`` as a `.cml` file.
    public func save(to url: URL) throws {
        let text = PercentFormat.render(notebook(title: url.deletingPathExtension().lastPathComponent))
        do { try text.write(to: url, atomically: true, encoding: .utf8) }
        catch { throw NotebookError("cannot write \(url.path): \(error.localizedDescription)") }
    }

    /// A fresh interpreter and numbering; history of accepted inputs cleared.
    public func reset() {
        interpreter = makeInterpreter()
        counter = 1
        accepted = []
        outValues = [.none]
        inSources = [.string("")]
    }

    /// `?x`, `x?`, `??x`: the help text for `x` (a name or a member path such as `traj.final`).
    public func help(for query: String) -> String {
        let q = query.trimmingCharacters(in: CharacterSet(charactersIn: "? \t"))
        guard !q.isEmpty else { return interpreter.helpText(for: .none) }
        let isPath = q.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        if isPath, !q.contains("."), interpreter.registry[q] != nil || interpreter.globals.lookup(q) != nil {
            return interpreter.helpText(for: .string(q))
        }
        if isPath, let first = q.split(separator: ".").first, interpreter.lookup(String(first)) != nil {
            // Member access reads a value and runs nothing the user did not ask for.
            let r = interpreter.run(q)
            if r.succeeded, let v = r.value { return interpreter.helpText(for: v) }
        }
        return interpreter.helpText(for: .string(q))
    }

    /// Whether `source` is a complete input: every `(`, `[` and `{` closed. The
    /// REPL keeps reading continuation lines until it is. (Unterminated strings do
    /// not continue: strings never span lines.)
    public static func isComplete(_ source: String) -> Bool { openBrackets(source) <= 0 }

    /// Brackets open at the end of `source`, counted on the language's tokens (so
    /// brackets in strings and comments do not count).
    public static func openBrackets(_ source: String) -> Int {
        var scanner = Scanner(source)
        var depth = 0
        for t in scanner.scan() {
            switch t.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            default: break
            }
        }
        return depth
    }
}
