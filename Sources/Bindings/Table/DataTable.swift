import Foundation
import Script
import Tensors

/// A table as a value: named columns in a fixed order and rows of cells that are
/// numbers, strings, booleans or missing. Built from a list of records, from a
/// `compare` table, or loaded from CSV/JSON; filtered, grouped, joined and plotted.
struct DataTable {
    enum Cell: Equatable, Hashable {
        case number(Double)
        case text(String)
        case bool(Bool)
        case missing

        var value: Value {
            switch self {
            case .number(let x): return .number(x)
            case .text(let s): return .string(s)
            case .bool(let b): return .bool(b)
            case .missing: return .none
            }
        }
        var number: Double? { if case .number(let x) = self { return x }; return nil }
        var display: String {
            switch self {
            case .number(let x): return formatShort(x)
            case .text(let s): return s
            case .bool(let b): return b ? "true" : "false"
            case .missing: return "—"
            }
        }
    }

    var columns: [String]
    var rows: [[Cell]]

    var rowCount: Int { rows.count }

    /// The position of column `name`, or nil.
    func index(of name: String) -> Int? { columns.firstIndex(of: name) }

    /// Whether every present cell of column `c` is a number (and at least one is).
    func isNumeric(_ c: Int) -> Bool {
        var any = false
        for r in rows {
            switch r[c] {
            case .number: any = true
            case .missing: continue
            default: return false
            }
        }
        return any
    }

    /// The rows at `positions`, in that order.
    func rows(at positions: [Int]) -> DataTable { DataTable(columns: columns, rows: positions.map { rows[$0] }) }

    /// Row `i` as a record, fields in column order.
    func record(_ i: Int) -> Record { Record(zip(columns, rows[i]).map { ($0, $1.value) }) }

    /// Column `c` as a value: a 1-D tensor when it holds numbers only (missing as NaN), else a list.
    func column(_ c: Int) -> Value {
        if isNumeric(c) {
            return .tensor(Tensor(shape: [rows.count], scalars: rows.map { Float($0[c].number ?? .nan) }))
        }
        return .list(rows.map { $0[c].value })
    }

    /// Aligned text: numbers right-aligned, the rest left; at most `maxRows` rows shown.
    func text(maxRows: Int = 60) -> String {
        let shown = rows.prefix(maxRows)
        let widths = columns.indices.map { c in max(columns[c].count, shown.map { $0[c].display.count }.max() ?? 0) }
        let numeric = columns.indices.map(isNumeric)
        func line(_ cells: [String]) -> String {
            zip(cells.indices, cells).map { i, s in
                let pad = String(repeating: " ", count: max(0, widths[i] - s.count))
                return numeric[i] ? pad + s : s + pad
            }.joined(separator: "  ")
        }
        var out = [line(columns), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        out += shown.map { line($0.map(\.display)) }
        if rows.count > maxRows { out.append("… \(rows.count - maxRows) more rows (\(rows.count) in all)") }
        if rows.isEmpty { out.append("(no rows)") }
        return out.joined(separator: "\n")
    }
}

extension DataTable {
    /// A cell from a script value; nil for values a table cell cannot hold.
    static func cell(_ v: Value) -> Cell? {
        switch v {
        case .number(let x): return .number(x)
        case .string(let s): return .text(s)
        case .bool(let b): return .bool(b)
        case .none: return .missing
        case .tensor(let t) where t.count == 1: return .number(Double(t.scalars[0]))
        default: return nil
        }
    }

    /// A table from records: columns in order of first appearance, missing fields empty.
    /// `where` names the argument in errors.
    init(records: [Value], at span: SourceSpan?) throws {
        var columns: [String] = [], position: [String: Int] = [:]
        var fields: [[(Int, Cell)]] = []
        for (i, v) in records.enumerated() {
            guard case .record(let r) = v else {
                throw ScriptError("table() takes a list of records; item \(i + 1) is \(v.brief)", at: span)
            }
            var row: [(Int, Cell)] = []
            for f in r.fields {
                guard let c = DataTable.cell(f.value) else {
                    throw ScriptError(
                        "row \(i + 1), column '\(f.name)': a table cell holds a number, string, boolean or "
                            + "none, not \(f.value.brief)", at: span)
                }
                let k: Int
                if let p = position[f.name] {
                    k = p
                } else {
                    k = columns.count; position[f.name] = k; columns.append(f.name)
                }
                row.append((k, c))
            }
            fields.append(row)
        }
        self.columns = columns
        self.rows = fields.map { row in
            var cells = [Cell](repeating: .missing, count: columns.count)
            for (k, c) in row { cells[k] = c }
            return cells
        }
    }

    /// A `compare` table as plain values: steps and other numeric text become numbers,
    /// "—" missing; a statistic is its mean with a `_std` column beside it when any
    /// row has several repeats, an interval its value with `_lo`/`_hi` columns.
    init(result t: ResultTable) {
        var columns: [String] = []
        var makers: [([ResultTable.Cell]) -> Cell] = []
        for (c, name) in t.columns.enumerated() {
            let cells = t.rows.map { $0[c] }
            let hasStd = cells.contains {
                if case .stat(_, _, let n) = $0 { return n > 1 }; return false
            }
            let hasInterval = cells.contains {
                if case .interval = $0 { return true }; return false
            }
            columns.append(name)
            makers.append { row in
                switch row[c] {
                case .text(let s): return Double(s).map(Cell.number) ?? (s == "—" || s.isEmpty ? .missing : .text(s))
                case .stat(let m, _, _): return .number(m)
                case .interval(let v, _, _): return .number(v)
                case .number(let x): return .number(x)
                case .missing: return .missing
                }
            }
            if hasStd {
                columns.append(name + "_std")
                makers.append { row in
                    if case .stat(_, let s, _) = row[c] { return .number(s) }; return .missing
                }
            }
            if hasInterval {
                columns.append(name + "_lo")
                makers.append { row in
                    if case .interval(_, let lo, _) = row[c] { return .number(lo) }; return .missing
                }
                columns.append(name + "_hi")
                makers.append { row in
                    if case .interval(_, _, let hi) = row[c] { return .number(hi) }; return .missing
                }
            }
        }
        self.columns = columns
        self.rows = t.rows.map { row in makers.map { $0(row) } }
    }
}
