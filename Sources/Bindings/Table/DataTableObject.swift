import Foundation
import Script

/// A table as a script value: `t.fd` (a column), `t[0]` (a row as a record), `t[0:5]`,
/// `t[[2, 4]]`, `t[t.steps == 1]` (rows), `t.columns`, `t.rows`, `t.save("t.csv")`.
final class DataTableObject: MemberTable, IndexableObject {
    let table: DataTable
    let context: BindingsContext
    init(_ t: DataTable, context: BindingsContext) { table = t; self.context = context }

    var typeName: String { "table" }
    var receiverName: String { "t" }
    var summary: String { "\n" + table.text() }
    var typeDoc: String {
        "A table: named columns in order, rows of numbers, strings, booleans or none. t.name is a column (a tensor "
            + "of numbers, else a list; t.nrows counts the rows), "
            + "t[i] a row (a record), t[a:b], t[[i, j]] and t[mask] tables of rows. "
            + "filter, group_by, join and plot(t, x:, y:, by:) work on it; save(t, \"t.csv\" or \"t.json\") keeps "
            + "the column order and numbers as numbers, and load gives it back."
    }

    var itemCount: Int { table.rowCount }
    var itemName: String { "row" }
    func select(_ positions: [Int], single: Bool) throws -> Value {
        if single, let i = positions.first { return .record(table.record(i)) }
        return .object(DataTableObject(table.rows(at: positions), context: context))
    }

    private static let fixed: Set<String> = ["columns", "rows", "nrows", "save"]

    var members: [Member] {
        var m: [Member] = [
            .value("columns", "Column names, in order.") { .list(self.table.columns.map { .string($0) }) },
            .value("rows", "Rows as records, fields in column order.") {
                .list((0..<self.table.rowCount).map { .record(self.table.record($0)) })
            },
            .value("nrows", "Number of rows.") { .number(Double(self.table.rowCount)) },
            .method("save", "Writes .csv or .json (column order kept, numbers as numbers).", [.required("path")]) {
                args in
                let url = try self.context.resolveWritePath(try args.string("path"))
                try saveTable(self.table, url, args, at: "path")
                return .string(url.path)
            },
        ]
        for (c, name) in table.columns.enumerated() where !Self.fixed.contains(name) {
            m.append(
                .value(name, "Column '\(name)': a tensor when it holds numbers only (none as NaN), else a list.") {
                    self.table.column(c)
                })
        }
        return m
    }
}

/// Writes a table by extension.
func saveTable(_ t: DataTable, _ url: URL, _ a: Arguments, at name: String) throws {
    switch url.pathExtension.lowercased() {
    case "csv": try writeText(t.csv, url)
    case "json": try writeText(t.json, url)
    default: throw a.error("a table saves as .csv or .json", at: name)
    }
}

/// A table from a table value: a `table`, or a `compare` result (converted to plain values).
func dataTable(_ v: Value) -> DataTable? {
    switch v {
    case .object(let o as DataTableObject): return o.table
    case .object(let o as TableObject): return DataTable(result: o.table)
    default: return nil
    }
}
