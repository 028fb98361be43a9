@preconcurrency import CReadline
import Foundation
import Notebook
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// The prompt's line editing: GNU readline in its callback mode, so Ctrl-C at the
/// prompt clears the line here (in ordinary code, not in a signal handler) and
/// Ctrl-C during a cell only sets the session's cancellation token.
///
/// History: one entry per line typed, kept in `~/.cmlab_history` (or
/// `$CMLAB_HISTORY`), appended as each line is entered so a crash loses nothing.
final class LineEditor {
    enum Input { case line(String), interrupt, endOfInput }

    /// Completions for the word `text`, given the text before the cursor (all lines of the cell so far).
    var complete: (_ text: String, _ before: String) -> [String] = { _, _ in [] }
    /// Lines of the cell typed before the current one (for completion inside open brackets).
    var pendingCell = ""
    let historyPath: String
    let interactive: Bool

    nonisolated(unsafe) static var current: LineEditor?
    nonisolated(unsafe) static var matches: [String] = []
    nonisolated(unsafe) static var matchIndex = 0
    nonisolated(unsafe) static var entered: String? = nil
    nonisolated(unsafe) static var endOfInput = false
    /// Set by SIGWINCH; the prompt loop tells readline the new width.
    nonisolated(unsafe) static var resized: sig_atomic_t = 0
    /// Set by SIGINT, at the prompt and while a cell runs.
    nonisolated(unsafe) static var interrupt: CancellationToken?

    init(historyPath: String, cancel: CancellationToken) {
        self.historyPath = historyPath
        interactive = Terminal.isInteractive
        LineEditor.current = self
        LineEditor.interrupt = cancel
        unblock([SIGINT, SIGWINCH]) // a REPL started by another program's thread inherits a blocking mask
        signal(SIGINT) { s in LineEditor.interrupt?.cancel(signal: s) }
        guard interactive else { return }
        rl_readline_name = UnsafePointer(strdup("cmlab"))
        rl_catch_signals = 0
        rl_catch_sigwinch = 0
        signal(SIGWINCH) { _ in LineEditor.resized = 1 }
        rl_completer_word_break_characters = UnsafePointer(strdup(" \t\n\"'`@$><=;|&{(,)}[]+-*/%!:?"))
        rl_attempted_completion_function = { text, _, _ in
            rl_attempted_completion_over = 1
            rl_completion_append_character = 0
            guard let editor = LineEditor.current else { return nil }
            let word = text.map { String(cString: $0) } ?? ""
            let line = rl_line_buffer.map { String(cString: $0) } ?? ""
            let before = editor.pendingCell + String(decoding: line.utf8.prefix(Int(max(0, rl_point))), as: UTF8.self)
            LineEditor.matches = editor.complete(word, before)
            if LineEditor.matches.isEmpty { return nil }
            return rl_completion_matches(text) { _, state in
                if state == 0 { LineEditor.matchIndex = 0 }
                guard LineEditor.matchIndex < LineEditor.matches.count else { return nil }
                defer { LineEditor.matchIndex += 1 }
                return strdup(LineEditor.matches[LineEditor.matchIndex])
            }
        }
        using_history()
        stifle_history(5000)
        if FileManager.default.fileExists(atPath: historyPath) {
            read_history(historyPath)
        } else {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil)
        }
    }

    /// Reads one line. A terminal gets readline; a pipe is read plainly (no prompt echo).
    func read(prompt: String) -> Input {
        guard interactive else {
            if let line = Swift.readLine(strippingNewline: true) { return .line(line) }
            return .endOfInput
        }
        LineEditor.interrupt?.reset()
        LineEditor.entered = nil
        LineEditor.endOfInput = false
        rl_callback_handler_install(prompt) { line in
            if let line { LineEditor.entered = String(cString: line); free(line) } else { LineEditor.endOfInput = true }
            rl_callback_handler_remove()
        }
        while LineEditor.entered == nil && !LineEditor.endOfInput {
            var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, -1)
            if LineEditor.interrupt?.isCancelled == true {
                // Ctrl-C at the prompt: abandon the line, as readline itself would.
                LineEditor.interrupt?.reset()
                rl_point = rl_end
                rl_redisplay() // the cursor to the end of what is shown, where "^C" goes
                fputs("^C\n", stdout); fflush(stdout)
                rl_free_line_state()
                rl_callback_sigcleanup()
                rl_replace_line("", 0)
                rl_point = 0; rl_end = 0
                rl_callback_handler_remove()
                return .interrupt
            }
            if LineEditor.resized != 0 { LineEditor.resized = 0; rl_resize_terminal() }
            if r > 0 { rl_callback_read_char() } else if r < 0 && errno != EINTR { LineEditor.endOfInput = true }
        }
        if let line = LineEditor.entered { return .line(line) }
        fputs("\n", stdout)
        return .endOfInput
    }

    /// Remembers a line in memory and in the history file.
    func remember(_ line: String) {
        guard interactive, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        if let last = history_get(history_base + history_length - 1), String(cString: last.pointee.line) == line {
            return
        }
        add_history(line)
        append_history(1, historyPath)
        history_truncate_file(historyPath, 5000)
    }

    static var defaultHistoryPath: String { ReplHistory.path() }
}
