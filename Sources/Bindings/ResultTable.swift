import Foundation
import Tensors

/// A table of results: rows of labelled cells, each metric a mean with a spread over
/// repeats (seeds), printed aligned and saved as CSV or JSON.
struct ResultTable {
    enum Cell {
        case text(String)
        /// Mean and standard deviation over `count` repeats.
        case stat(mean: Double, std: Double, count: Int)
        case missing

        var display: String {
            switch self {
            case .text(let s): return s
            case .missing: return "—"
            case let .stat(m, s, n): return n > 1 ? "\(formatShort(m)) ± \(formatShort(s))" : formatShort(m)
            }
        }
    }
    var columns: [String]
    var rows: [[Cell]]

    /// Columns padded to their widest cell; numbers right-aligned.
    var text: String {
        let widths = columns.indices.map { c in max(columns[c].count, rows.map { $0[c].display.count }.max() ?? 0) }
        func line(_ cells: [String], numeric: [Bool]) -> String {
            zip(cells.indices, cells).map { i, s in
                let pad = String(repeating: " ", count: widths[i] - s.count)
                return numeric[i] ? pad + s : s + pad
            }.joined(separator: "  ")
        }
        let numeric = columns.indices.map(isStatistic)
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        var out = [line(columns, numeric: numeric), rule]
        out += rows.map { line($0.map(\.display), numeric: numeric) }
        return out.joined(separator: "\n")
    }

    /// Whether column `c` holds statistics (numbers, right-aligned, with a spread).
    private func isStatistic(_ c: Int) -> Bool {
        rows.contains { if case .stat = $0[c] { return true }; return false }
    }

    /// CSV with a `_std` column beside each statistic.
    var csv: String {
        let statCols = Set(columns.indices.filter(isStatistic))
        var header: [String] = []
        for (i, c) in columns.enumerated() { header.append(c); if statCols.contains(i) { header.append(c + "_std") } }
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            var cells: [String] = []
            for (i, cell) in r.enumerated() {
                switch cell {
                case .text(let s): cells.append(s.contains(",") ? "\"\(s)\"" : s)
                case let .stat(m, s, _): cells.append("\(m)"); cells.append("\(s)")
                case .missing: cells.append(""); if statCols.contains(i) { cells.append("") }
                }
            }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    /// JSON: a list of row objects; statistics as {mean, std, n}.
    var json: String {
        let objects: [[String: Any]] = rows.map { r in
            var o: [String: Any] = [:]
            for (c, cell) in zip(columns, r) {
                switch cell {
                case .text(let s): o[c] = s
                case let .stat(m, s, n): o[c] = ["mean": jsonNumber(m), "std": jsonNumber(s), "n": n] as [String: Any]
                case .missing: o[c] = NSNull()
                }
            }
            return o
        }
        let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]))
            ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
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
