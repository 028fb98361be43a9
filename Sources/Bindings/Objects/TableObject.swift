import Foundation
import Script

/// A results table as a script value.
final class TableObject: MemberTable {
    let table: ResultTable
    let context: BindingsContext
    init(_ t: ResultTable, context: BindingsContext) { table = t; self.context = context }

    var typeName: String { "table" }
    var summary: String { "\n" + table.text }
    var typeDoc: String {
        "A table of results (mean ± spread over seeds). save(t, \"x.csv\") or t.save(\"x.json\") writes it. "
            + "t.ode_error is a column as numbers (the means), t[t.steps == 1] the matching rows as a table, "
            + "table(t) all of it as plain values."
    }
    var members: [Member] {
        [
            .value("columns", "Column names.") { .list(self.table.columns.map { .string($0) }) },
            .value("rows", "Rows as records; statistics as {mean, std}.") {
                .list(
                    self.table.rows.map { r in
                        .record(
                            Record(
                                zip(self.table.columns, r).map { c, cell in
                                    switch cell {
                                    case .text(let s): return (c, .string(s))
                                    case let .stat(m, s, _):
                                        return (c, .record(Record([("mean", .number(m)), ("std", .number(s))])))
                                    case let .interval(v, lo, hi):
                                        return (
                                            c,
                                            .record(
                                                Record([("mean", .number(v)), ("lo", .number(lo)), ("hi", .number(hi))])
                                            )
                                        )
                                    case .number(let x): return (c, .number(x))
                                    case .missing: return (c, .none)
                                    }
                                }))
                    })
            },
            .method(
                "column",
                """
                One column as values, as c.<name> gives it: a 1-D tensor when it holds numbers (a statistic's mean; \
                a missing cell is nan), else a list. Per-sample tables (per_sample) give masks from it: \
                t.column("student_mode") == 3.
                """, [.required("name")]
            ) { args in
                let name = try args.string("name"), plain = DataTable(result: self.table)
                guard let c = plain.columns.firstIndex(of: name) else {
                    throw args.error(
                        "no column '\(name)'; the columns are \(plain.columns.joined(separator: ", "))",
                        at: "name")
                }
                return plain.column(c)
            },
            .value("nrows", "Number of rows.") { .number(Double(self.table.rows.count)) },
            .method("save", "Writes .csv or .json.", [.required("path")]) { args in
                let url = try self.context.resolveWritePath(try args.string("path"))
                switch url.pathExtension.lowercased() {
                case "csv": try writeText(self.table.csv, url)
                case "json": try writeText(self.table.json, url)
                default: throw args.error("a table saves as .csv or .json", at: "path")
                }
                return .string(url.path)
            },
        ] + columnMembers
    }
}
