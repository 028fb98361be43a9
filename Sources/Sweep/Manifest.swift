import Foundation
import Notebook

/// `manifest.json` (and its copy `manifest.csv`) in a sweep's folder: the notebook, the
/// grid, and for every point its parameters, output folder and last known state.
public struct Manifest: Codable, Equatable {
    public struct Entry: Codable, Equatable {
        public var id: Int
        /// The values as literal source, in the order of ``Manifest/parameters``.
        public var values: [String]
        /// The point's report folder, relative to the sweep folder (`points/0003`).
        public var folder: String
        public var state: PointState
    }

    public var version = 1
    /// The notebook's absolute path.
    public var notebook: String
    public var parameters: [String]
    public var zip: Bool
    public var points: [Entry]
    /// The absolute path of a notebook run once before the points (`--shared`), into
    /// ``sharedFolder``; nil when there is none.
    public var shared: String?

    public init(notebook: URL, axes: [SweepAxis], zip: Bool, points: [SweepPoint], shared: URL? = nil) {
        self.notebook = notebook.standardizedFileURL.path
        self.shared = shared?.standardizedFileURL.path
        parameters = axes.map(\.name)
        self.zip = zip
        self.points = points.map {
            Entry(
                id: $0.id, values: $0.settings.map(\.value.source), folder: Manifest.folder(of: $0.id), state: .pending)
        }
    }

    public static func folder(of id: Int) -> String { "points/" + String(format: "%04d", id) }

    /// The shared step's report folder, relative to the sweep folder.
    public static let sharedFolder = "shared"

    /// The shared step's state as its folder shows it; nil when the sweep has none.
    public func sharedState(in dir: URL) -> PointState? {
        guard let shared else { return nil }
        let name = URL(fileURLWithPath: shared).deletingPathExtension().lastPathComponent
        let entry = Entry(id: -1, values: [], folder: Manifest.sharedFolder, state: .pending)
        return PointStatus.state(of: entry, notebookName: name, in: dir)
    }

    /// The notebook's name, which names its report (`<name>.md`).
    public var notebookName: String { URL(fileURLWithPath: notebook).deletingPathExtension().lastPathComponent }

    /// A point's settings, read back from the manifest.
    public func point(_ entry: Entry) throws -> SweepPoint {
        let settings = try zip2(parameters, entry.values).map { name, source in
            Literal.Field(name: name, value: try LiteralReader.read(source))
        }
        return SweepPoint(id: entry.id, settings: settings)
    }

    private func zip2(_ a: [String], _ b: [String]) throws -> [(String, String)] {
        guard a.count == b.count else {
            throw SweepError("manifest point has \(b.count) values for \(a.count) parameters")
        }
        return Array(Swift.zip(a, b))
    }

    /// Whether `other` describes the same sweep (notebook and grid); states may differ.
    public func sameSweep(as other: Manifest) -> Bool {
        notebook == other.notebook && parameters == other.parameters && zip == other.zip && shared == other.shared
            && points.map(\.values) == other.points.map(\.values)
    }

    // MARK: Files

    public static func url(in dir: URL) -> URL { dir.appendingPathComponent("manifest.json") }

    /// The manifest in `dir`, nil when there is none.
    /// - Throws: when a manifest is there but cannot be read.
    public static func read(in dir: URL) throws -> Manifest? {
        let url = url(in: dir)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url)) } catch {
            throw SweepError(
                "\(url.path) is not a sweep manifest CMLab can read (\(error)); choose another --out folder")
        }
    }

    /// Writes `manifest.json` and `manifest.csv`, each to a temporary file then renamed.
    public func write(in dir: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(self).write(to: Manifest.url(in: dir), options: .atomic)
        var csv = (["point"] + parameters + ["folder", "state"]).map(csvField).joined(separator: ",") + "\n"
        for p in points {
            let labels = p.values.map { (try? LiteralReader.read($0).label) ?? $0 }
            csv += ([String(p.id)] + labels + [p.folder, p.state.rawValue]).map(csvField).joined(separator: ",") + "\n"
        }
        try Data(csv.utf8).write(to: dir.appendingPathComponent("manifest.csv"), options: .atomic)
    }

    /// Every point's state as its folder shows it now.
    public mutating func refresh(in dir: URL) {
        for i in points.indices {
            points[i].state = PointStatus.state(of: points[i], notebookName: notebookName, in: dir)
        }
    }
}

/// Where a point stands.
public enum PointState: String, Codable, Equatable {
    case pending, running, done, failed, interrupted
}

/// A CSV field, quoted when it holds a comma, quote or line break.
func csvField(_ s: String) -> String {
    guard s.contains(where: { ",\"\n\r".contains($0) }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
