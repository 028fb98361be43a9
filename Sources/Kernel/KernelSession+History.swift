// `history_request`: the session's numbered inputs, as IPython's history answers.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension KernelSession {
    /// The one session this kernel has, in history entries.
    static let historySession = 1

    /// `history_request` (tail, range and search), from the session's numbered inputs.
    func history(_ c: JSONObject) -> JSONObject {
        var entries = session.inputs.enumerated().map {
            (
                line: $0.offset + 1, source: $0.element.source,
                shown: $0.element.shown
            )
        }
        let n = c["n"] as? Int
        switch c["hist_access_type"] as? String ?? "tail" {
        case "range":
            let s = c["session"] as? Int ?? 0
            let start = c["start"] as? Int ?? 1
            let stop = c["stop"] as? Int ?? Int.max
            guard s == 0 || s == Self.historySession else { entries = []; break }
            entries = entries.filter { $0.line >= start && $0.line < stop }
        case "search":
            let pattern = c["pattern"] as? String ?? "*"
            entries = entries.filter { fnmatch(pattern, $0.source, 0) == 0 }
            if c["unique"] as? Bool ?? false {
                // Keep the latest run of each source.
                var seen = Set<String>()
                entries = entries.reversed().filter { seen.insert($0.source).inserted }.reversed()
            }
            if let n { entries = Array(entries.suffix(max(0, n))) }
        default:
            entries = Array(entries.suffix(max(0, n ?? 10)))
        }
        let withOutput = c["output"] as? Bool ?? false
        let history: [Any] = entries.map { e in
            withOutput
                ? [Self.historySession, e.line, [e.source, e.shown.map { $0 as Any } ?? NSNull()]] as [Any]
                : [Self.historySession, e.line, e.source] as [Any]
        }
        return ["status": "ok", "history": history]
    }
}
