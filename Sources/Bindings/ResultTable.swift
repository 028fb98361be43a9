import Foundation
import Tensors

/// A table of results: rows of labelled cells, each metric a mean with a spread over
/// repeats (seeds) or a value with a bootstrap interval, printed aligned and saved as CSV
/// or JSON.
struct ResultTable {
    enum Cell {
        case text(String)
        /// Mean and standard deviation over `count` repeats.
        case stat(mean: Double, std: Double, count: Int)
        /// One value with a confidence interval (a bootstrap over samples).
        case interval(value: Double, lo: Double, hi: Double)
        /// One plain number (a per-sample value, an index): no spread, no interval.
        case number(Double)
        case missing

        /// Whether the cell holds a number (statistic or interval).
        var isNumber: Bool {
            switch self {
            case .stat, .interval, .number: return true
            default: return false
            }
        }

        var display: String {
            switch self {
            case .text(let s): return s
            case .missing: return "—"
            case let .stat(m, s, n): return n > 1 ? "\(formatShort(m)) ± \(formatShort(s))" : formatShort(m)
            case let .interval(v, lo, hi): return "\(formatShort(v)) [\(formatShort(lo)), \(formatShort(hi))]"
            case .number(let x): return formatShort(x)
            }
        }
    }
    var columns: [String]
    var rows: [[Cell]]
    /// Lines printed under the table (what ± and [lo, hi] mean).
    var notes: [String] = []

    /// Tables longer than this print their first and last rows only (``shown``).
    static let printedRows = 30

    /// The rows a printout shows: all of them, or for a long table (one row per sample)
    /// the first 10 and the last 5, with `nil` where the others are left out.
    var shown: [[Cell]?] {
        guard rows.count > Self.printedRows else { return rows }
        return rows.prefix(10).map { $0 } + [nil] + rows.suffix(5).map { $0 }
    }

    /// The line printed where rows are left out.
    var omission: String {
        "… \(rows.count - 15) more rows (\(rows.count) in all; t.column(\"name\") gives a whole column)"
    }

    /// Columns padded to their widest cell; numbers right-aligned. A long table prints its
    /// first and last rows (``shown``).
    var text: String {
        let shown = self.shown.compactMap { $0 }
        let widths = columns.indices.map { c in max(columns[c].count, shown.map { $0[c].display.count }.max() ?? 0) }
        func line(_ cells: [String], numeric: [Bool]) -> String {
            zip(cells.indices, cells).map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return numeric[i] ? pad + s : s + pad
            }.joined(separator: "  ")
        }
        let numeric = columns.indices.map(isStatistic)
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        var out = [line(columns, numeric: numeric), rule]
        out += self.shown.map { r in r.map { line($0.map(\.display), numeric: numeric) } ?? omission }
        out += notes
        return out.joined(separator: "\n")
    }

    /// Whether column `c` holds statistics (numbers, right-aligned, with a spread).
    private func isStatistic(_ c: Int) -> Bool {
        rows.contains { $0[c].isNumber }
    }

    /// Whether column `c` holds any mean ± std or interval (it gets a `_std` column in CSV;
    /// a column of plain numbers does not).
    private func hasSpread(_ c: Int) -> Bool {
        rows.contains {
            switch $0[c] {
            case .stat, .interval: return true;
            default: return false
            }
        }
    }

    /// Whether column `c` holds any interval.
    private func hasInterval(_ c: Int) -> Bool {
        rows.contains {
            if case .interval = $0[c] { return true }; return false
        }
    }

    /// CSV with a `_std` column beside each statistic, and `_lo`, `_hi` columns beside
    /// those that hold intervals; plain numbers stand alone.
    var csv: String {
        let statCols = Set(columns.indices.filter(hasSpread))
        let intervalCols = Set(columns.indices.filter(hasInterval))
        var header: [String] = []
        for (i, c) in columns.enumerated() {
            header.append(c)
            if statCols.contains(i) { header.append(c + "_std") }
            if intervalCols.contains(i) { header += [c + "_lo", c + "_hi"] }
        }
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            var cells: [String] = []
            for (i, cell) in r.enumerated() {
                let extra = intervalCols.contains(i) ? 2 : 0
                switch cell {
                case .text(let s): cells.append(csvField(s))
                case let .stat(m, s, _):
                    cells.append("\(m)"); cells.append("\(s)")
                    cells += Array(repeating: "", count: extra)
                case let .interval(v, lo, hi):
                    cells.append("\(v)")
                    if statCols.contains(i) { cells.append("") }
                    cells += ["\(lo)", "\(hi)"]
                case .number(let x):
                    cells.append(x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)")
                    if statCols.contains(i) { cells.append("") }
                    cells += Array(repeating: "", count: extra)
                case .missing:
                    cells.append("")
                    if statCols.contains(i) { cells.append("") }
                    cells += Array(repeating: "", count: extra)
                }
            }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON: a list of row objects with keys in column order; text that is a number
    /// (steps) as a number, "—" as null; statistics as {mean, std, n}, intervals as {mean, lo, hi}.
    var json: String {
        func num(_ x: Double) -> String { x.isFinite ? DataTable.numberText(x) : jsonString(DataTable.numberText(x)) }
        let objects = rows.map { r in
            "  {"
                + zip(columns, r).map { c, cell in
                    let v: String
                    switch cell {
                    case .text(let s): v = s == "—" ? "null" : Double(s).map(num) ?? jsonString(s)
                    case let .stat(m, s, n): v = "{\"mean\": \(num(m)), \"std\": \(num(s)), \"n\": \(n)}"
                    case let .interval(x, lo, hi): v = "{\"mean\": \(num(x)), \"lo\": \(num(lo)), \"hi\": \(num(hi))}"
                    case .number(let x): v = num(x)
                    case .missing: v = "null"
                    }
                    return "\(jsonString(c)): \(v)"
                }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }
}

/// A CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Mean and population standard deviation.
func meanStd(_ xs: [Double]) -> (Double, Double) {
    guard !xs.isEmpty else { return (.nan, .nan) }
    let m = xs.reduce(0, +) / Double(xs.count)
    let v = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count)
    return (m, v.squareRoot())
}

/// A finite number, or its name ("inf", "nan") since JSON has no such numbers.
func jsonNumber(_ x: Double) -> Any { x.isFinite ? x : String(describing: x) }
