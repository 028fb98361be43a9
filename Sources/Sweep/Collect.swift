import Foundation
import Notebook

/// `cmlab collect DIR`: the tables every complete point saved (its `.csv` files) as one
/// long table, each row carrying the point's parameters; with `by`, grouped over the other
/// parameters (usually seeds) as mean ± spread (population standard deviation).
public struct Collected {
    /// Points not collected (failed, interrupted, pending) with their state.
    public var missing: [(id: Int, settings: String, state: PointState)]
    /// The swept parameters (columns of the long table after `point`).
    public var parameters: [String]
    public var columns: [String]
    public var rows: [[String]]
    /// The grouped table (with `by`), else nil.
    public var grouped: (columns: [String], rows: [[String]])?

    /// Reads the sweep in `dir`.
    public static func collect(_ dir: URL, by: [String] = []) throws -> Collected {
        guard var manifest = try Manifest.read(in: dir) else {
            throw SweepError("no sweep in \(dir.path): manifest.json is missing")
        }
        manifest.refresh(in: dir)
        for b in by where !manifest.parameters.contains(b) {
            throw SweepError(
                "--by \(b): not a swept parameter; the sweep varies \(manifest.parameters.joined(separator: ", "))")
        }
        var columns = ["point"] + manifest.parameters + ["table", "row"]
        let reserved = Set(columns)
        var rows: [[String: String]] = []
        var missing: [(Int, String, PointState)] = []
        for entry in manifest.points {
            let labels = entry.values.map { (try? LiteralReader.read($0).label) ?? $0 }
            guard entry.state == .done else {
                missing.append(
                    (
                        entry.id, zip(manifest.parameters, labels).map { "\($0)=\($1)" }.joined(separator: " "),
                        entry.state
                    ))
                continue
            }
            let folder = dir.appendingPathComponent(entry.folder)
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.lowercased().hasSuffix(".csv") }.sorted()
            for file in files {
                guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else {
                    continue
                }
                let table = parseCSV(text)
                for (r, cells) in table.rows.enumerated() {
                    var row: [String: String] = [
                        "point": String(entry.id), "table": String(file.dropLast(4)), "row": String(r),
                    ]
                    for (p, l) in zip(manifest.parameters, labels) { row[p] = l }
                    for (c, v) in zip(table.header, cells) {
                        let name = reserved.contains(c) ? "\(file.dropLast(4)).\(c)" : c
                        if !columns.contains(name) { columns.append(name) }
                        row[name] = v
                    }
                    rows.append(row)
                }
            }
        }
        let table = rows.map { r in columns.map { r[$0] ?? "" } }
        var out = Collected(
            missing: missing.map { (id: $0.0, settings: $0.1, state: $0.2) }, parameters: manifest.parameters,
            columns: columns, rows: table, grouped: nil)
        if !by.isEmpty { out.grouped = group(columns: columns, rows: table, by: by, parameters: manifest.parameters) }
        return out
    }

    /// Rows grouped by the `by` parameters, the table and the row number; each other column
    /// shown once when it agrees across the group, else as `mean ± std` of its numbers.
    static func group(
        columns: [String], rows: [[String]], by: [String], parameters: [String]
    ) -> (columns: [String], rows: [[String]]) {
        let keyCols = by + ["table", "row"]
        let keyIdx = keyCols.compactMap { columns.firstIndex(of: $0) }
        let dropped = Set(["point"] + parameters.filter { !by.contains($0) })
        let valueIdx = columns.indices.filter { !dropped.contains(columns[$0]) && !keyCols.contains(columns[$0]) }
        var order: [[String]] = []
        var groups: [[String]: [[String]]] = [:]
        for r in rows {
            let k = keyIdx.map { r[$0] }
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(r)
        }
        let outColumns = keyCols + valueIdx.map { columns[$0] } + ["n"]
        let outRows = order.map { k -> [String] in
            let g = groups[k] ?? []
            let values = valueIdx.map { c -> String in
                let cells = g.map { $0[c] }
                if Set(cells).count <= 1 { return cells.first ?? "" }
                let xs = cells.compactMap(Double.init)
                guard xs.count == cells.count else { return cells.joined(separator: " / ") }
                let m = xs.reduce(0, +) / Double(xs.count)
                let s = (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)).squareRoot()
                return "\(short(m)) ± \(short(s))"
            }
            return k + values + [String(g.count)]
        }
        return (outColumns, outRows)
    }

    /// Writes `collected.csv`, `collected.json` and `collected.md` into `dir` (each through
    /// a temporary file and a rename), and `collected.png` when given a figure; returns their URLs.
    public func write(to dir: URL, figure: CollectedFigure? = nil) throws -> [URL] {
        var pngURL: URL?
        if let figure {
            let url = dir.appendingPathComponent("collected.png")
            do { try figure.figure.save(to: url) } catch { throw SweepError("collected.png: \(error)") }
            pngURL = url
        }
        let csvURL = dir.appendingPathComponent("collected.csv")
        let jsonURL = dir.appendingPathComponent("collected.json")
        let mdURL = dir.appendingPathComponent("collected.md")
        let csv = ([columns] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        try Data(csv.utf8).write(to: csvURL, options: .atomic)
        let objects: [[String: Any]] = rows.map { r in
            Dictionary(
                zip(columns, r).filter { !$0.1.isEmpty }.map { c, v in (c, Double(v).map { $0 as Any } ?? v) },
                uniquingKeysWith: { a, _ in a })
        }
        var json: [String: Any] = [
            "rows": objects,
            "missing": missing.map { ["point": $0.id, "parameters": $0.settings, "state": $0.state.rawValue] },
        ]
        if let g = grouped {
            json["grouped"] = g.rows.map {
                Dictionary(zip(g.columns, $0).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
            }
        }
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(
            to: jsonURL, options: .atomic)
        var md = "# Collected sweep\n\n"
        if let figure {
            md += "![\(figure.metric) against \(figure.against)](collected.png)\n\n"
            md += "\(figure.metric) against \(figure.against), mean ± std (n) over the points of each line:\n\n"
            let rows = figure.series.flatMap { s in
                s.x.indices.map { i in [s.label, short(s.x[i]), short(s.mean[i]), short(s.std[i]), String(s.n[i])] }
            }
            md += markdown(["line", figure.against, figure.metric, "std", "n"], rows) + "\n"
        }
        if let g = grouped {
            md += "Grouped: mean ± std over the other parameters.\n\n" + markdown(g.columns, g.rows) + "\n"
        }
        md += "All rows (\(rows.count)):\n\n" + markdown(columns, rows) + "\n"
        if missing.isEmpty {
            md += "Every point is complete.\n"
        } else {
            md +=
                "Not collected (\(missing.count)):\n\n"
                + missing.map { "- point \($0.id) (\($0.settings)): \($0.state.rawValue)" }.joined(separator: "\n")
                + "\n"
        }
        try Data(md.utf8).write(to: mdURL, options: .atomic)
        return [csvURL, jsonURL, mdURL] + (pngURL.map { [$0] } ?? [])
    }
}

func markdown(_ columns: [String], _ rows: [[String]]) -> String {
    func line(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
    }
    return ([line(columns), line(columns.map { _ in "---" })] + rows.map(line)).joined(separator: "\n") + "\n"
}

func short(_ x: Double) -> String { String(format: "%.4g", x) }

/// A CSV file: the header (or `c0, c1, …` when the first row is all numbers, as a saved
/// tensor is) and the rows. Fields may be quoted with `"`, doubled inside.
func parseCSV(_ text: String) -> (header: [String], rows: [[String]]) {
    var rows: [[String]] = []
    var field = "", row: [String] = [], quoted = false, i = text.startIndex
    while i < text.endIndex {
        let c = text[i]
        if quoted {
            if c == "\"" {
                let n = text.index(after: i)
                if n < text.endIndex && text[n] == "\"" { field.append("\""); i = n } else { quoted = false }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            row.append(field); field = ""
        } else if c == "\n" || c == "\r\n" || c == "\r" {
            row.append(field); field = ""; rows.append(row); row = []
        } else {
            field.append(c)
        }
        i = text.index(after: i)
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    rows = rows.filter { !($0.count == 1 && $0[0].isEmpty) }
    guard let first = rows.first else { return ([], []) }
    if first.allSatisfy({ Double($0) != nil }) { return (first.indices.map { "c\($0)" }, rows) }
    return (first, Array(rows.dropFirst()))
}
