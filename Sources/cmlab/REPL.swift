import Foundation
import Nets
import Notebook
import Plotting
import Script
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// The interactive prompt (`cmlab` with no arguments), notebook-style as IPython:
/// numbered cells `In [n]:` / `Out[n]:`, `Out[n]`, `In[n]` and `_` usable later,
/// continuation lines while brackets are open, `?x` for help, Ctrl-C that stops
/// the running cell and keeps every variable, figures previewed in the terminal
/// beside the file written, `:save FILE` to turn the session into a notebook.
final class REPL {
    let cancel = CancellationToken()
    let progress = ProgressLine()
    let editor: LineEditor
    let color: Bool
    var images: TerminalImages.Mode
    /// What the terminal speaks, asked once at start (`:images on` returns to it).
    let detected: TerminalImages.Mode
    var session: Session!
    let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)

    /// `setUp` installs the domain into each fresh interpreter (start, `:reset`).
    init(setUp: @escaping SessionSetUp = sessionSetUp) {
        editor = LineEditor(historyPath: LineEditor.defaultHistoryPath, cancel: cancel)
        color = editor.interactive && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        // With CMLAB_INLINE_IMAGES=0 the terminal is not even asked; `:images kitty|sixel` still force one.
        detected = editor.interactive ? TerminalImages.detect() : .braille
        images = detected
        let policy = WritePolicy(root: directory, unrestricted: true)
        let hooks = SessionHooks(
            cancel: cancel,
            progress: { [progress] in progress.update($0, $1, $2) },
            figureWritten: { [weak self] url, figure in self?.showFigure(url, figure) },
            resolveWritePath: policy.resolve,
            resolveReadPath: { [directory] in resolvedRead($0, base: directory) },
            outputDirectory: directory,
            newFigureURL: { [directory] ext in freshFigureURL(in: directory, ext: ext) })
        session = Session(
            setUp: setUp, hooks: hooks,
            output: { [progress] line in
                progress.clear(); print(line)
            })
        editor.complete = { [unowned self] text, before in
            ReplCompletion.complete(text, before: before, interpreter: self.session.interpreter)
        }
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    /// A prompt colour that readline does not count as width.
    func promptPaint(_ s: String, _ code: String) -> String {
        color ? "\u{1}\u{1B}[\(code)m\u{2}\(s)\u{1}\u{1B}[0m\u{2}" : s
    }

    func run() {
        if editor.interactive {
            print("cmlab — a workbench for consistency models. help() lists builtins, ?name explains one,")
            print(":help lists prompt commands, Ctrl-D quits. Inline figures: \(images.rawValue).\n")
            if let advice = BLASCore.fallbackAdvice() { print(paint("note: " + advice + "\n", "2")) }
        }
        while true {
            let n = session.counter
            let head = "In [\(n)]: "
            var lines: [String] = []
            var quit = false
            editor.pendingCell = ""
            reading: while true {
                let prompt =
                    lines.isEmpty
                    ? promptPaint(head, "32")
                    : promptPaint(String(repeating: " ", count: max(0, head.count - 5)) + "...: ", "32")
                switch editor.read(prompt: editor.interactive ? prompt : "") {
                case .endOfInput:
                    quit = true
                    break reading
                case .interrupt:
                    lines = []
                    break reading
                case .line(let line):
                    editor.remember(line)
                    if lines.isEmpty {
                        let t = line.trimmingCharacters(in: .whitespaces)
                        if t.isEmpty { continue reading }
                        if t.hasPrefix(":") { quit = command(t); break reading }
                        if let query = Session.helpQuery(t) {
                            print(session.help(for: query) + "\n")
                            break reading
                        }
                    }
                    lines.append(line)
                    let source = lines.joined(separator: "\n")
                    if Session.isComplete(source) { execute(source); lines = []; break reading }
                    editor.pendingCell = source + "\n"
                }
            }
            if quit { break }
        }
    }

    func execute(_ source: String) {
        cancel.reset()
        let outcome = session.execute(source)
        progress.clear()
        if cancel.isCancelled && editor.interactive { print("") } // past the "^C" the terminal echoed
        fflush(stdout)
        if !outcome.result.succeeded {
            print(paint(outcome.result.renderedErrors, "31"))
        } else if let shown = outcome.shown {
            print(paint("Out[\(outcome.number)]: ", "31") + shown)
            if let f = outcome.figure {
                let url = freshFigureURL(in: directory, ext: "png")
                do {
                    try RenderCancellation.with(cancel) { try f.figure.save(to: url) }; showFigure(url, f.figure)
                } catch { print(paint("\(error)", "31")) }
            }
        }
        if outcome.seconds > 1 { print(paint(String(format: "(%.2f s)", outcome.seconds), "2")) }
        if cancel.isCancelled { print(paint("Interrupted; every variable is kept.", "33")) }
        cancel.reset()
        if editor.interactive { print("") }
    }

    /// Runs a `:command`; returns true to quit.
    func command(_ line: String) -> Bool {
        let parts = line.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts.first ?? "" {
        case "q", "quit", "exit":
            return true
        case "help", "h":
            print(
                """
                Prompt commands:
                  :save FILE      write this session's successful inputs as a notebook (.cml)
                  :reset          forget every variable and start numbering again
                  :images on|off  figure previews on (\(detected.rawValue) here) or off (only the file's path)
                  :images braille|kitty|sixel  previews in braille characters or that protocol
                  :quit           leave (also Ctrl-D)
                In the language: help() lists builtins, help(x) or ?x explains x, Out[n] is cell n's value,
                _ the last value. Tab completes names, members (x.⇥) and argument labels inside a call.
                Ctrl-C stops a running cell and keeps the session; at the prompt it clears the line.
                """)
        case "reset":
            session.reset()
            print("Session reset.")
        case "save":
            guard !arg.isEmpty else { print("usage: :save FILE.cml"); break }
            var url = resolvedRead(arg, base: directory)
            if url.pathExtension.isEmpty { url.appendPathExtension("cml") }
            guard url.pathExtension.lowercased() == "cml" else {
                print(paint("refusing to save a notebook as .\(url.pathExtension): use a .cml name", "31")); break
            }
            if FileManager.default.fileExists(atPath: url.path) {
                guard case .line(let answer) = editor.read(prompt: "\(url.path) exists; overwrite it? [y/N] "),
                    ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
                else {
                    print("Not saved."); break
                }
            }
            do {
                try session.save(to: url)
                print("Saved \(session.accepted.count) cell\(session.accepted.count == 1 ? "" : "s") to \(url.path)")
            } catch { print(paint("\(error)", "31")) }
        case "images":
            switch arg {
            case "off": images = .off
            case "braille": images = .braille
            case "on": images = detected
            case "kitty": images = .kitty
            case "sixel": images = .sixel
            case "": break
            default: print("usage: :images on|off|braille|kitty|sixel")
            }
            print("Figures: \(images.rawValue)")
        default:
            print("unknown command '\(line)'; :help lists them")
        }
        print("")
        return false
    }

    func showFigure(_ url: URL, _ figure: Figure?) {
        progress.clear()
        print(paint("figure: \(url.path)", "36"))
        fflush(stdout)
        if editor.interactive { TerminalImages.show(url, figure: figure, using: images) }
    }
}
