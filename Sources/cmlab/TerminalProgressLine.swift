import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One self-erasing progress line on standard error, drawn from the session's
/// progress hook: `label ████████·········  42%  detail`. At most ten redraws a
/// second; silent when standard error is not a terminal.
final class ProgressLine {
    private let enabled = isatty(2) != 0
    private var drawn = false
    private var lastDraw = 0.0

    func update(_ label: String, _ fraction: Double, _ detail: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw > 0.1 || fraction >= 1 else { return }
        lastDraw = now
        let f = fraction.isFinite ? max(0, min(1, fraction)) : 0
        let width = 24
        let filled = Int(Double(width) * f)
        var line =
            "\(label) " + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            + String(format: " %3.0f%%", f * 100)
        if !detail.isEmpty { line += "  " + detail }
        let columns = Terminal.columns()
        if line.count > columns - 1 { line = String(line.prefix(max(10, columns - 2))) + "…" }
        FileHandle.standardError.write(Data("\r\u{1B}[K\u{1B}[2m\(line)\u{1B}[0m".utf8))
        drawn = true
    }

    /// Erases the line, if one is drawn.
    func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}

/// Facts about the terminal on standard output.
enum Terminal {
    /// Width in columns (80 when unknown).
    static func columns() -> Int {
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }

    static var isInteractive: Bool { isatty(0) != 0 && isatty(1) != 0 }
}
