import Foundation
import Notebook
import Plotting

#if canImport(Glibc)
    import Glibc
#endif

/// How the prompt shows a figure beside the file it wrote: inline with the kitty
/// graphics protocol or sixel when the terminal is known to speak one, otherwise
/// in braille characters; or not at all (`:images off`: only the path is printed).
///
/// Detection is conservative: kitty when `TERM` is `xterm-kitty` or `KITTY_WINDOW_ID`
/// is set; sixel only when the terminal itself answers the Primary Device Attributes
/// query with attribute 4. Inside tmux or screen (which drop or mangle image
/// sequences) and with `CMLAB_INLINE_IMAGES=0`, always braille.
enum TerminalImages {
    enum Mode: String { case kitty, sixel, braille, off }

    /// What the terminal speaks (braille when `CMLAB_INLINE_IMAGES=0`).
    static func detect() -> Mode {
        let env = ProcessInfo.processInfo.environment
        if env["CMLAB_INLINE_IMAGES"] == "0" { return .braille }
        guard Terminal.isInteractive else { return .braille }
        let term = env["TERM"] ?? ""
        if env["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux") { return .braille }
        if term == "xterm-kitty" || env["KITTY_WINDOW_ID"] != nil { return .kitty }
        if term == "dumb" || term.isEmpty { return .braille }
        return primaryAttributes().contains("4") ? .sixel : .braille
    }

    /// The terminal's answer to `ESC [ c` (e.g. `?62;4;22`) split into attributes;
    /// empty if it does not answer within 200 ms.
    static func primaryAttributes() -> [String] {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return [] }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &saved) }
        FileHandle.standardOutput.write(Data("\u{1B}[c".utf8))
        var reply = [UInt8]()
        var pfd = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        while poll(&pfd, 1, 200) > 0 {
            var byte: UInt8 = 0
            guard read(0, &byte, 1) == 1 else { break }
            reply.append(byte)
            if byte == UInt8(ascii: "c") || reply.count > 64 { break }
        }
        let text = String(decoding: reply, as: UTF8.self)
        guard let q = text.firstIndex(of: "?"), text.hasSuffix("c") else { return [] }
        return text[text.index(after: q)..<text.index(before: text.endIndex)].split(separator: ";").map(String.init)
    }

    /// Prints the figure written to `url` (the caller has already printed the path).
    static func show(_ url: URL, figure: Figure?, using proto: Mode) {
        let columns = min(64, Terminal.columns() - 1)
        switch proto {
        case .kitty:
            let png =
                url.pathExtension.lowercased() == "png" ? try? Data(contentsOf: url) : try? figure?.pngData(dpi: 96)
            if let png { emit(FigurePreview.kitty(png: png, columns: columns) + "\n"); return }
        case .sixel:
            if let image = try? figure?.pixels(dpi: 96) {
                emit(FigurePreview.sixel(image, maxWidth: 800) + "\n"); return
            }
        case .braille:
            break
        case .off:
            return
        }
        // Braille: about 2 dots per character column, so render at a modest DPI.
        guard let figure, let image = try? figure.pixels(dpi: 72) else { return }
        let lines = FigurePreview.braille(image, columns: columns, color: true)
        emit(lines.joined(separator: "\n") + "\n")
    }

    private static func emit(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }
}
