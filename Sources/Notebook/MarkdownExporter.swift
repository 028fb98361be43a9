/// The Markdown report: prose cells as written, each code cell as a fenced block
/// followed by its printed output, its value, its figures (relative links to the
/// PNG files beside the report) and its run time.
public enum MarkdownExporter {
    public static func render(_ run: NotebookRun) -> String {
        var out: [String] = []
        var head = ["_\(ReportWriter.summary(run))_", ""]
        for failure in run.failures.prefix(5) { head += ["> **Error:** `\(failure)`", ""] }
        // The summary goes under the notebook's own title, or under one made from its name.
        if !ReportWriter.startsWithTitle(run) { out += ["# \(run.name)", ""] + head; head = [] }
        for c in run.cells {
            switch c.status {
            case .prose:
                out += [c.cell.source, ""] + head
                head = []
            case .ran, .failed, .skipped:
                let label = c.executionCount.map { "In [\($0)]" } ?? "In [ ]"
                out += ["```cmlab", c.cell.source, "```", ""]
                for o in c.outputs {
                    switch o {
                    case .stream(let s): out += ["```text", s, "```", ""]
                    case .result(let s): out += ["```text", "Out[\(c.executionCount ?? 0)]: " + s, "```", ""]
                    case .figure(let f): out += ["![\(f.relativePath)](\(f.relativePath))", ""]
                    case .error(let e): out += ["**Error**", "", "```text", e, "```", ""]
                    }
                }
                let note = c.status == .skipped ? ReportWriter.notRun(run) : ReportWriter.duration(c.seconds)
                out += ["<sub>\(label) · \(note)</sub>", ""]
            }
        }
        return out.joined(separator: "\n")
    }
}
