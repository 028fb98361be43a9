import Foundation

/// `status.json` in a point's folder, written when its run ended: the exit status and
/// whether the sweep interrupted it. A point is complete when its run exited 0 and its
/// Markdown report is there.
public struct PointStatus: Codable, Equatable {
    public var exit: Int32
    public var interrupted: Bool
    public var seconds: Double
    public var finished: Date

    public static func url(_ folder: URL) -> URL { folder.appendingPathComponent("status.json") }

    public static func read(_ folder: URL) -> PointStatus? {
        guard let data = try? Data(contentsOf: url(folder)) else { return nil }
        let dec = JSONDecoder()
        dec.dateDecodingStrategy = .iso8601
        return try? dec.decode(PointStatus.self, from: data)
    }

    public func write(_ folder: URL) throws {
        let enc = JSONEncoder()
        enc.dateEncodingStrategy = .iso8601
        try enc.encode(self).write(to: PointStatus.url(folder), options: .atomic)
    }

    static func state(of entry: Manifest.Entry, notebookName: String, in dir: URL) -> PointState {
        let folder = dir.appendingPathComponent(entry.folder)
        guard let s = read(folder) else { return .pending }
        if s.interrupted { return .interrupted }
        if s.exit != 0 { return .failed }
        let report = folder.appendingPathComponent(notebookName + ".md")
        return FileManager.default.fileExists(atPath: report.path) ? .done : .failed
    }
}
