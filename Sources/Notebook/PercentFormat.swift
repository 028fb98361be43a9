import Foundation

/// The percent format, as Jupytext and editors write it:
///
///     # %% [markdown]
///     # # A title
///     # Some prose.
///
///     # %% tags=["parameters"]
///     iters = 1000
///
///     # %%
///     print(iters)
///
/// A line starting `# %%` (or `#%%`) opens a cell; `[markdown]` (or `[md]`) makes it
/// prose, stored as `# ` comment lines. Strings in the language never span lines, so
/// a marker can never sit inside one: only a line that *starts* with `# %%` counts.
public enum PercentFormat {
    /// Parses a notebook. Never fails: any text is a notebook (text before the
    /// first marker is a code cell without a marker).
    public static func parse(_ text: String) -> NotebookFile {
        // CRLF and CR-only line endings too: in a Swift String "\r\n" is one Character,
        // so splitting on "\n" alone would leave a CRLF file as one line.
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = unified.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var header: [String] = []
        var i = 0
        // A Jupytext YAML header in comments: `# ---` … `# ---` at the very top.
        if lines.first == "# ---", let end = lines.dropFirst().firstIndex(of: "# ---") {
            header = Array(lines[0...end])
            i = end + 1
            while i < lines.count && lines[i].trimmingCharacters(in: .whitespaces).isEmpty { i += 1 }
        }
        var cells: [Cell] = []
        var current: Cell? = nil
        var body: [String] = []
        func flush() {
            guard var c = current else { return }
            while body.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { body.removeLast() }
            c.source = (c.kind == .markdown ? body.map(uncomment) : body).joined(separator: "\n")
            if c.hasMarker || !c.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { cells.append(c) }
        }
        current = Cell(.code, "", hasMarker: false, firstLine: i + 1)
        while i < lines.count {
            let line = lines[i]
            if let marker = parseMarker(line) {
                flush()
                body = []
                current = Cell(marker.kind, "", tags: marker.tags, title: marker.title, firstLine: i + 2)
            } else {
                body.append(line)
            }
            i += 1
        }
        flush()
        return NotebookFile(header: header, cells: cells)
    }

    /// Writes a notebook; `parse(render(nb))` gives `nb` back (up to `firstLine`).
    public static func render(_ notebook: NotebookFile) -> String {
        var out: [String] = notebook.header
        if !out.isEmpty { out.append("") }
        for (n, c) in notebook.cells.enumerated() {
            if n > 0 { out.append("") }
            if c.hasMarker { out.append(markerLine(c)) }
            if c.kind == .markdown {
                out += c.source.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.isEmpty ? "#" : "# " + $0
                }
            } else if !c.source.isEmpty {
                out.append(c.source)
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func markerLine(_ c: Cell) -> String {
        var line = "# %%"
        if !c.title.isEmpty { line += " " + c.title }
        if c.kind == .markdown { line += " [markdown]" }
        if !c.tags.isEmpty { line += " tags=[" + c.tags.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return line
    }

    struct Marker { var kind: Cell.Kind; var title: String; var tags: [String] }

    /// `# %% Title [markdown] tags=["a", "b"]` → its parts; nil for any other line.
    static func parseMarker(_ line: String) -> Marker? {
        var rest: Substring
        if line.hasPrefix("# %%") {
            rest = line.dropFirst(4)
        } else if line.hasPrefix("#%%") {
            rest = line.dropFirst(3)
        } else {
            return nil
        }
        if let c = rest.first, !c.isWhitespace { return nil } // `# %%%` is a comment
        var kind = Cell.Kind.code
        var tags: [String] = []
        if let r = rest.range(of: "tags=[") {
            let after = rest[r.upperBound...]
            let end = after.firstIndex(of: "]") ?? after.endIndex
            tags = after[..<end].split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }.filter { !$0.isEmpty }
            rest = rest[..<r.lowerBound] + (end < after.endIndex ? after[after.index(after: end)...] : "")
        }
        for name in ["[markdown]", "[md]"] {
            if let r = rest.range(of: name) { kind = .markdown; rest.removeSubrange(r) }
        }
        let title = rest.trimmingCharacters(in: .whitespaces)
        return Marker(kind: kind, title: title, tags: tags)
    }

    /// `# text` → `text`; `#` → empty.
    static func uncomment(_ line: String) -> String {
        if line.hasPrefix("# ") { return String(line.dropFirst(2)) }
        if line.hasPrefix("#") { return String(line.dropFirst()) }
        return line
    }
}
