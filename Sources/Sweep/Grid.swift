import Foundation
import Notebook

/// One swept parameter and its values, from `-p name=v1,v2,…` (ranges `a..b` expanded).
public struct SweepAxis: Equatable {
    public var name: String
    public var values: [Literal]
    public init(name: String, values: [Literal]) { self.name = name; self.values = values }
}

/// One point of the grid: its number and a value for each swept parameter, in axis order.
public struct SweepPoint: Equatable {
    public var id: Int
    public var settings: [Literal.Field]

    /// The `-p name=value` arguments of `cmlab run`, values as literal source.
    public var runArguments: [String] { settings.flatMap { ["-p", "\($0.name)=\($0.value.source)"] } }
}

/// The grid: the cartesian product of the axes (the first axis varies slowest), or with
/// `zip` the i-th value of every axis together.
public enum Grid {
    /// The largest grid one sweep runs.
    public static let maxPoints = 100_000

    /// Reads `-p name=v1,v2,…` arguments into axes.
    public static func axes(_ specs: [String]) throws -> [SweepAxis] {
        var out: [SweepAxis] = []
        for spec in specs {
            let (name, text): (String, String)
            do { (name, text) = try Parameters.parseOverride(spec) } catch { throw SweepError("\(error)") }
            guard !out.contains(where: { $0.name == name }) else {
                throw SweepError("-p \(name) is given twice; list all its values in one -p \(name)=v1,v2,…")
            }
            do { out.append(SweepAxis(name: name, values: try LiteralReader.readValues(text))) } catch {
                throw SweepError(
                    "-p \(spec): \(error); values are literals separated by commas: "
                        + "numbers, \"strings\", true/false, [lists], {records} or ranges a..b"
                )
            }
        }
        return out
    }

    /// The points of the grid.
    public static func expand(_ axes: [SweepAxis], zip: Bool) throws -> [SweepPoint] {
        guard !axes.isEmpty else { throw SweepError("the grid is empty: give the swept values with -p name=v1,v2,…") }
        if zip {
            let n = axes[0].values.count
            if let odd = axes.first(where: { $0.values.count != n }) {
                throw SweepError(
                    "--zip pairs values, so every -p needs as many: \(axes[0].name) has \(n), \(odd.name) has \(odd.values.count)"
                )
            }
            return (0..<n).map { i in
                SweepPoint(id: i, settings: axes.map { Literal.Field(name: $0.name, value: $0.values[i]) })
            }
        }
        let count = axes.reduce(1.0) { $0 * Double($1.values.count) }
        guard count <= Double(maxPoints) else {
            throw SweepError("the grid has \(Int(count)) points; at most \(maxPoints) run in one sweep")
        }
        var points: [[Literal.Field]] = [[]]
        for axis in axes {
            points = points.flatMap { p in axis.values.map { p + [Literal.Field(name: axis.name, value: $0)] } }
        }
        return points.enumerated().map { SweepPoint(id: $0.offset, settings: $0.element) }
    }

    /// Checks every swept name against the notebook's parameters cell (the same check
    /// `cmlab run` makes), so a typo fails before anything runs.
    public static func check(_ axes: [SweepAxis], notebook url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw SweepError("cannot read notebook \(url.path)")
        }
        let parsed: NotebookFile
        if url.pathExtension.lowercased() == "ipynb" {
            do { parsed = try IpynbReader.parse(Data(text.utf8), fileName: url.lastPathComponent) } catch {
                throw SweepError("\(url.path): \(error)")
            }
        } else {
            parsed = PercentFormat.parse(text)
        }
        let first = axes.compactMap { a in a.values.first.map { (name: a.name, value: $0.source) } }
        do { _ = try Parameters.apply(first, to: parsed) } catch {
            throw SweepError("\(url.lastPathComponent): \(error)")
        }
    }
}
