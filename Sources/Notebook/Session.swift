import Bindings
import Foundation
import Script
import Tensors

/// A session of numbered cells, as in IPython: the one core behind the prompt, the
/// notebook runner and the Jupyter kernel.
///
/// Each input is a cell `In [n]`; a value it ends with is `Out[n]`, and scripts
/// can read `Out[n]` (a list indexed by cell number, `none` where a cell gave no
/// value), `In[n]` (the source) and `_` (the last value). Inputs that succeed are
/// kept, in order, for ``notebook()`` (the REPL's `:save`).
public final class Session {
    public private(set) var interpreter: Interpreter
    /// The number the next input gets.
    public private(set) var counter = 1
    /// Sources of the inputs that ran without error, in order.
    public private(set) var accepted: [String] = []
    /// Every numbered input with the `Out[n]` text it showed (nil for none or an
    /// error): `inputs[n - 1]` is `In [n]`.
    public private(set) var inputs: [(source: String, shown: String?)] = []
    private var outValues: [Value] = [.none]
    private var inSources: [Value] = [.string("")]
    private let makeInterpreter: () -> Interpreter
    /// Figures written through the session's hooks (see ``init(setUp:hooks:output:)``).
    private let figuresWritten: FigureCount

    /// `makeInterpreter` builds a configured interpreter (bindings installed);
    /// it is called again on ``reset()``.
    public convenience init(makeInterpreter: @escaping () -> Interpreter) {
        self.init(makeInterpreter: makeInterpreter, figuresWritten: FigureCount())
    }

    /// A session whose interpreters print through `output`, stop when `hooks.cancel`
    /// is set, and get the domain from `setUp`. The session watches
    /// `hooks.figureWritten`, so it knows whether a cell showed a figure (see
    /// ``Outcome/figure``).
    public convenience init(
        setUp: @escaping SessionSetUp, hooks: SessionHooks,
        output: @escaping (String) -> Void
    ) {
        let count = FigureCount()
        let watched = SessionHooks(
            cancel: hooks.cancel, progress: hooks.progress,
            figureWritten: { url, figure in
                count.value += 1; hooks.figureWritten(url, figure)
            },
            resolveWritePath: hooks.resolveWritePath, resolveReadPath: hooks.resolveReadPath,
            outputDirectory: hooks.outputDirectory, newFigureURL: hooks.newFigureURL)
        self.init(
            makeInterpreter: {
                let interpreter = Interpreter()
                interpreter.output = output
                interpreter.isCancelled = { hooks.cancel.isCancelled }
                setUp(interpreter, watched)
                return interpreter
            }, figuresWritten: count)
    }

    private init(makeInterpreter: @escaping () -> Interpreter, figuresWritten: FigureCount) {
        self.makeInterpreter = makeInterpreter
        self.figuresWritten = figuresWritten
        interpreter = makeInterpreter()
    }

    /// What one input did.
    public struct Outcome {
        /// `In [n]` (for an input run without storing history: the number the next one gets).
        public var number: Int
        public var result: RunResult
        /// `Out[n]: …` text for a value other than `none`.
        public var shown: String?
        public var seconds: Double
        /// The cell's value (`none` when it has none or failed).
        public var value: Value = .none
        /// The cell's value when it is a figure that the cell did not already write
        /// (`plot(…, file: …)` shows itself): the host shows it, as a notebook would.
        public var figure: FigureValue?
    }

    /// Runs one cell (a complete input, possibly several lines) and numbers it.
    /// With `storeHistory` false (Jupyter's silent and history-less requests) the
    /// cell runs in the same variables but gets no number and leaves `In`, `Out`
    /// and `_` as they were.
    @discardableResult
    public func execute(_ source: String, storeHistory: Bool = true) -> Outcome {
        let n = counter
        if storeHistory {
            counter += 1
            inSources.append(.string(source))
            interpreter.define("In", .list(inSources))
        }
        let figuresBefore = figuresWritten.value
        let t0 = Date()
        let result = interpreter.run(source)
        let seconds = Date().timeIntervalSince(t0)
        var outcome = Outcome(number: n, result: result, shown: nil, seconds: seconds)
        if result.succeeded, let v = result.value, !NotebookRunner.isNone(v) {
            outcome.value = v
            outcome.shown = v.repr
            if figuresWritten.value == figuresBefore { outcome.figure = v.figureValue }
        }
        guard storeHistory else { return outcome }
        if result.succeeded { accepted.append(source) }
        if outcome.shown != nil { interpreter.define("_", outcome.value) }
        inputs.append((source, outcome.shown))
        outValues.append(outcome.value)
        interpreter.define("Out", .list(outValues))
        return outcome
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
        do { try AtomicFile.write(Data(text.utf8), to: url) } catch { throw NotebookError("\(error)") }
    }

    /// A fresh interpreter and numbering; history of accepted inputs cleared.
    public func reset() {
        interpreter = makeInterpreter()
        counter = 1
        accepted = []
        inputs = []
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
            // Member access reads a value and runs nothing the user did not ask for. A
            // member's own help (`?data.labels`), not that of the value it holds (which may
            // be none, whose help is the list of every builtin).
            if let dot = q.lastIndex(of: "."), !q[q.index(after: dot)...].isEmpty {
                let owner = interpreter.run(String(q[..<dot]))
                if owner.succeeded, case .object(let o)? = owner.value,
                    let text = interpreter.helpText(member: String(q[q.index(after: dot)...]), of: o, path: q)
                {
                    return text
                }
            }
            let r = interpreter.run(q)
            if r.succeeded, let v = r.value { return interpreter.helpText(for: v) }
        }
        return interpreter.helpText(for: .string(q))
    }

    /// The name asked about when `input` is a help request (`?x`, `x?`, `??x`, a
    /// lone `?`), as the prompt and the kernel accept it; nil for code.
    public static func helpQuery(_ input: String) -> String? {
        let t = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.contains("\n"), t.hasPrefix("?") || (t.hasSuffix("?") && !t.contains("#")) else { return nil }
        return t
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

/// A counter shared between a session and the hooks it wraps.
private final class FigureCount { var value = 0 }
