import Foundation
import Tensors

/// Writes a run's three reports into its folder: `<name>.md`, `<name>.html`, `<name>.ipynb`.
public enum ReportWriter {
    @discardableResult
    public static func write(_ run: NotebookRun, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let contents = [
            Data(MarkdownExporter.render(run).utf8), Data(HTMLExporter.render(run).utf8),
            try IpynbExporter.render(run),
        ]
        let urls = urls(name: run.name, in: directory)
        // All three or none: a full disk leaves the previous reports side by side.
        do { try AtomicFile.write(zip(contents, urls).map { (data: $0, url: $1) }) } catch {
            throw NotebookError("\(error)")
        }
        return urls
    }

    /// The three reports' files for a run named `name`.
    static func urls(name: String, in directory: URL) -> [URL] {
        ["md", "html", "ipynb"].map { directory.appendingPathComponent("\(name).\($0)") }
    }

    /// Whether the first cell is prose opening with a `# ` heading (the report's title).
    static func startsWithTitle(_ run: NotebookRun) -> Bool {
        guard let first = run.cells.first, first.status == .prose else { return false }
        return first.cell.source.hasPrefix("# ")
    }

    /// Why a cell did not run.
    static func notRun(_ run: NotebookRun) -> String {
        run.interruption != nil ? "not run (the run was interrupted)" : "not run (an earlier cell failed)"
    }

    /// "0.42 s", "3.1 s", "2 min 5 s".
    static func duration(_ s: Double) -> String {
        if s < 10 { return String(format: "%.2f s", s) }
        if s < 60 { return String(format: "%.1f s", s) }
        return "\(Int(s) / 60) min \(Int(s) % 60) s"
    }

    /// One line under the title: when, with which parameters, how it ended.
    static func summary(_ run: NotebookRun) -> String {
        let date = ISO8601DateFormatter().string(from: run.started)
        var parts = ["Run by cmlab on \(date) in \(duration(run.seconds))"]
        if !run.parameters.isEmpty {
            parts.append("parameters " + run.parameters.map { "\($0.name) = \($0.value)" }.joined(separator: ", "))
        }
        let failed = run.cells.filter { $0.status == .failed }.count
        let skipped = run.cells.filter { $0.status == .skipped }.count
        if failed > 0 { parts.append("\(failed) cell\(failed == 1 ? "" : "s") failed") }
        if let i = run.interruption { parts.append(i.description) }
        if skipped > 0 { parts.append("\(skipped) not run") }
        return parts.joined(separator: "; ") + "."
    }
}
