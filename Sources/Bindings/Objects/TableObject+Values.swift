import Script

/// A `compare` table read as values: its columns by name (`c.ode_error`, `c.steps`) and
/// its rows by index or mask (`c[c.steps == 1]`), through the plain table of `table(c)`.
extension TableObject: IndexableObject {
    var itemCount: Int { table.rows.count }
    var itemName: String { "row" }
    func select(_ positions: [Int], single: Bool) throws -> Value {
        let plain = DataTable(result: table)
        if single, let i = positions.first { return .record(plain.record(i)) }
        return .object(DataTableObject(plain.rows(at: positions), context: context))
    }

    /// One member per column of the plain table (means, `_std`/`_lo`/`_hi`), except
    /// names the table's own members use.
    var columnMembers: [Member] {
        let plain = DataTable(result: table)
        let taken: Set<String> = ["columns", "rows", "column", "nrows", "save"]
        return plain.columns.enumerated().filter { !taken.contains($0.element) }.map { c, name in
            .value(name, "Column '\(name)' as values: a tensor of numbers (none as NaN), else a list.") {
                plain.column(c)
            }
        }
    }
}
