import Foundation
import Plotting
import Script

/// Tables as values: `table`, `filter`, `group_by`, `join` (and `plot(t, x:, y:, by:)` in PlotBuiltins).
func registerTables(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "table",
        doc: """
            A table from a list of records (columns in order of first appearance; a missing field is none), or from \
            a compare() table as plain values (steps as numbers; a mean ± std as the mean with a _std column, a value \
            [lo, hi] with _lo and _hi columns).
            """, parameters: [.required("rows")]
    ) { a in
        if let t = dataTable(a["rows"]) { return .object(DataTableObject(t, context: ctx)) }
        let rows = try a.list("rows")
        try a.interpreter.checkListSize(rows.count, at: a.span(of: "rows"))
        return .object(DataTableObject(try DataTable(records: rows, at: a.span(of: "rows")), context: ctx))
    }
    r.register(
        name: "filter",
        doc: """
            The rows of a table that match: where is a record of column values ({model: "CM", steps: 1}: every one \
            equal) or a function of a row (a record) that returns true or false. t[mask] picks rows by a boolean \
            tensor too (t[t.steps == 1]).
            """, parameters: [.required("table"), .required("where")]
    ) { a in
        let t = try tableArgument(a, "table")
        var keep: [Int] = []
        switch a["where"] {
        case .record(let r):
            let tests = try r.fields.map { f -> (Int, DataTable.Cell) in
                guard let c = t.index(of: f.name) else {
                    throw a.error(
                        "the table has no column '\(f.name)'\(didYouMean(f.name, among: t.columns))", at: "where")
                }
                guard let cell = DataTable.cell(f.value) else {
                    throw a.error("'\(f.name)' must be compared with a number, string, boolean or none", at: "where")
                }
                return (c, cell)
            }
            keep = (0..<t.rowCount).filter { i in tests.allSatisfy { c, cell in t.rows[i][c] == cell } }
        case .function(let f):
            for i in 0..<t.rowCount {
                let v = try a.interpreter.call(f, [.record(t.record(i))], at: a.span(of: "where"))
                guard case .bool(let b) = v else {
                    throw a.error(
                        "the function must return true or false for each row; row \(i) gave \(v.brief)", at: "where")
                }
                if b { keep.append(i) }
            }
        default:
            throw a.error(
                "where: is a record of column values or a function of a row, got \(a["where"].brief)", at: "where")
        }
        return .object(DataTableObject(t.rows(at: keep), context: ctx))
    }
    r.register(
        name: "group_by",
        doc: """
            One row per distinct value of the columns in by (a name or a list of names), in order of first \
            appearance: those columns, count (rows in the group), then the mean of every other numeric column (under \
            its own name; none values left out).
            """, parameters: [.required("table"), .required("by")]
    ) { a in
        let t = try tableArgument(a, "table")
        let keys = try columnNames(a, "by", in: t)
        var order: [[DataTable.Cell]] = [], members: [[DataTable.Cell]: [Int]] = [:]
        for (i, r) in t.rows.enumerated() {
            let k = keys.map { r[$0] }
            if members[k] == nil { order.append(k); members[k] = [] }
            members[k, default: []].append(i)
        }
        let others = t.columns.indices.filter { !keys.contains($0) && t.isNumeric($0) }
        var columns = keys.map { t.columns[$0] } + ["count"] + others.map { t.columns[$0] }
        if keys.contains(where: { t.columns[$0] == "count" }) || others.contains(where: { t.columns[$0] == "count" }) {
            columns[keys.count] = "rows"
        }
        let rows = order.map { k -> [DataTable.Cell] in
            let m = members[k] ?? []
            return k + [.number(Double(m.count))]
                + others.map { c in
                    let xs = m.compactMap { t.rows[$0][c].number }
                    return xs.isEmpty ? .missing : .number(xs.reduce(0, +) / Double(xs.count))
                }
        }
        return .object(DataTableObject(DataTable(columns: columns, rows: rows), context: ctx))
    }
    r.register(
        name: "join",
        doc: """
            The rows of left and right whose on columns (a name or a list of names) are equal, side by side: left's \
            columns, then right's others (a name both have gets _2 on the right). Rows without a partner are left out \
            (an inner join); left's order is kept.
            """, parameters: [.required("left"), .required("right"), .required("on")]
    ) { a in
        let l = try tableArgument(a, "left"), r = try tableArgument(a, "right")
        let lk = try columnNames(a, "on", in: l), rk = try columnNames(a, "on", in: r, table: "right")
        let rest = r.columns.indices.filter { !rk.contains($0) }
        var index: [[DataTable.Cell]: [Int]] = [:]
        for (j, row) in r.rows.enumerated() { index[rk.map { row[$0] }, default: []].append(j) }
        let columns = l.columns + rest.map { l.columns.contains(r.columns[$0]) ? r.columns[$0] + "_2" : r.columns[$0] }
        var rows: [[DataTable.Cell]] = []
        for row in l.rows {
            for j in index[lk.map { row[$0] }] ?? [] {
                rows.append(row + rest.map { r.rows[j][$0] })
                try a.interpreter.checkListSize(rows.count, at: a.callSpan)
            }
        }
        return .object(DataTableObject(DataTable(columns: columns, rows: rows), context: ctx))
    }
}

/// The table argument `name` (a table or a compare result).
func tableArgument(_ a: Arguments, _ name: String) throws -> DataTable {
    if let t = dataTable(a[name]) { return t }
    throw a.error(
        "expected a table for '\(name)' (table(rows), load(\"t.csv\") or compare(…)), got \(a[name].brief)", at: name)
}

/// Column positions named by argument `name`: one string or a list of strings.
func columnNames(_ a: Arguments, _ name: String, in t: DataTable, table: String = "table") throws -> [Int] {
    let names: [String]
    switch a[name] {
    case .string(let s): names = [s]
    case .list(let l) where !l.isEmpty:
        names = try l.map { v in
            guard let s = v.stringValue else {
                throw a.error("\(name): holds column names (strings), found \(v.brief)", at: name)
            }
            return s
        }
    default: throw a.error("\(name): is a column name or a list of them, got \(a[name].brief)", at: name)
    }
    return try names.map { n in
        guard let c = t.index(of: n) else {
            throw a.error(
                "the \(table) has no column '\(n)'\(didYouMean(n, among: t.columns)); its columns are "
                    + t.columns.joined(separator: ", "), at: name)
        }
        return c
    }
}
