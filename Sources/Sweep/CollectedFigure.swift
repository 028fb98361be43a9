import Foundation
import Plotting

/// `collected.png`: one metric against one swept parameter. Each line is one row of one
/// table (e.g. a student at K steps) at one value of each `--by` parameter other than the
/// x parameter; the other parameters (usually seeds) are averaged over, the band is
/// mean ± std (population) over them.
public struct CollectedFigure {
    public struct Series: Equatable {
        public var label: String
        public var x: [Double]
        public var mean: [Double]
        public var std: [Double]
        public var n: [Int]
    }

    public var metric: String
    public var against: String
    public var series: [Series]

    /// The series of `collected`'s long table.
    /// - Throws: when `metric` is not a column, `against` not a swept parameter, or its
    ///   values or the metric's are not numbers.
    public init(_ c: Collected, metric: String, against: String, by: [String]) throws {
        guard let m = c.columns.firstIndex(of: metric) else {
            let numeric = c.columns.indices.filter { i in
                !c.parameters.contains(c.columns[i]) && !["point", "table", "row"].contains(c.columns[i])
                    && c.rows.contains { Double($0[i]) != nil }
            }.map { c.columns[$0] }
            throw SweepError(
                "--metric \(metric): no such column in the collected tables; they have \(numeric.joined(separator: ", "))"
            )
        }
        guard c.parameters.contains(against), let a = c.columns.firstIndex(of: against) else {
            throw SweepError(
                "--against \(against): not a swept parameter; the sweep varies \(c.parameters.joined(separator: ", "))")
        }
        self.metric = metric; self.against = against
        let table = c.columns.firstIndex(of: "table") ?? 0, row = c.columns.firstIndex(of: "row") ?? 0
        let byIdx = by.filter { $0 != against }.compactMap { c.columns.firstIndex(of: $0) }
        let textIdx = c.columns.indices.filter { i in
            !c.parameters.contains(c.columns[i]) && !["point", "table", "row"].contains(c.columns[i])
                && c.rows.contains { !$0[i].isEmpty && Double($0[i]) == nil }
        }
        let tables = Set(c.rows.filter { !$0[m].isEmpty }.map { $0[table] })

        // Series key: the by values, the table and the row; within it, values by x.
        var order: [[String]] = []
        var label: [[String]: String] = [:]
        var values: [[String]: [Double: [Double]]] = [:]
        for r in c.rows where !r[m].isEmpty {
            guard let x = Double(r[a]) else {
                throw SweepError("--against \(against): its value \(r[a]) is not a number")
            }
            guard let y = Double(r[m]) else {
                throw SweepError("--metric \(metric): the value \(r[m]) (point \(r[0])) is not a number")
            }
            let key = byIdx.map { r[$0] } + [r[table], r[row]]
            if values[key] == nil {
                order.append(key)
                var parts = byIdx.map { "\(c.columns[$0])=\(r[$0])" }
                if tables.count > 1 { parts.append(r[table]) }
                // Text columns name the row (model); a number in one (steps = 1) shows its column's name.
                parts += textIdx.compactMap { i in
                    let v = r[i]
                    if v.isEmpty || v == "—" || v == "-" { return nil }
                    return Double(v) == nil ? v : "\(c.columns[i])=\(v)"
                }
                label[key] = parts.joined(separator: " ")
            }
            values[key, default: [:]][x, default: []].append(y)
        }
        guard !order.isEmpty else { throw SweepError("--metric \(metric): no collected row has a value") }
        // Rows that no label tells apart get their row number.
        let counts = Dictionary(grouping: order, by: { label[$0] ?? "" }).mapValues(\.count)
        series = order.map { key in
            var l = label[key] ?? ""
            if (counts[l] ?? 0) > 1 { l += (l.isEmpty ? "" : " ") + "row \(key.last ?? "")" }
            let byX = values[key] ?? [:]
            let xs = byX.keys.sorted()
            let stats = xs.map { x -> (Double, Double, Int) in
                let ys = byX[x] ?? []
                let mean = ys.reduce(0, +) / Double(ys.count)
                return (
                    mean, (ys.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(ys.count)).squareRoot(), ys.count
                )
            }
            return Series(
                label: l.isEmpty ? metric : l, x: xs, mean: stats.map(\.0), std: stats.map(\.1), n: stats.map(\.2))
        }
    }

    /// The figure: a line per series with markers, its band, a legend.
    public var figure: Figure {
        let n = series.first?.n.max() ?? 1
        var fig = Figure(
            width: 480, height: 340,
            title: "\(metric) against \(against)" + (n > 1 ? " (mean ± std over \(n) points)" : ""))
        fig[0].xLabel = against
        fig[0].yLabel = metric
        for (i, s) in series.prefix(Color.cycle.count * 2).enumerated() {
            let color = Color.cycle[i % Color.cycle.count]
            if s.std.contains(where: { $0 > 0 }) {
                fig[0].band(
                    x: s.x, lower: zip(s.mean, s.std).map { $0 - $1 }, upper: zip(s.mean, s.std).map { $0 + $1 },
                    color: color)
            }
            fig[0].line(x: s.x, y: s.mean, label: s.label, color: color, marker: .circle)
        }
        return fig
    }
}
