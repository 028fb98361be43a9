import Foundation
import Nets

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress bar on standard error when it is a terminal; silent when piped.
final class ProgressBar {
    let label: String
    let enabled = isatty(2) != 0
    private var drawn = false

    init(label: String) { self.label = label }

    func update(_ p: TrainingProgress) {
        guard enabled else { return }
        let width = 30
        let filled = min(width, Int(Double(width) * Double(p.iteration) / Double(max(1, p.iterations))))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(
            format: "\r%@ %@ %d/%d  loss %.3e  %.0f it/s  %@ left ", label, bar, p.iteration, p.iterations,
            p.loss, p.iterationsPerSecond, formatDuration(p.secondsLeft))
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

func formatDuration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    if s < 60 { return String(format: "%.0fs", s) }
    if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
    return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
}
