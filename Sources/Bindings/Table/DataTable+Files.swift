import Foundation
import Script

/// CSV and JSON for tables: the column order is kept, numbers stay numbers, and a
/// string that looks like a number is quoted in CSV so that it loads back as a string.
extension DataTable {
    /// The shortest text that reads back as the same Double ("1", "0.25", "1e-05").
    static func numberText(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    // MARK: CSV (RFC 4180)

    var csv: String {
        func field(_ c: Cell) -> String {
            switch c {
            case .number(let x): return DataTable.numberText(x)
            case .bool(let b): return b ? "true" : "false"
            case .missing: return ""
            case .text(let s): return DataTable.quoted(s)
            }
        }
        var out = columns.map(DataTable.quoted).joined(separator: ",") + "\n"
        for r in rows { out += r.map(field).joined(separator: ",") + "\n" }
        return out
    }

    /// A CSV field for text: quoted when it holds a separator, a quote or a line break, is
    /// empty, or would read back as something else (a number, true/false).
    static func quoted(_ s: String) -> String {
        let needs =
            s.isEmpty || s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || Double(s) != nil || s == "true" || s == "false" || s.first == " " || s.last == " "
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A table from CSV text with a header row. Unquoted fields that read as numbers are
    /// numbers, `true`/`false` booleans, empty fields missing; quoted fields are strings.
    /// `source` names the file in errors ("t.csv:3: …").
    init(csv text: String, source: String) throws {
        var records: [[(String, Bool)]] = [] // (text, was quoted)
        var record: [(String, Bool)] = [], field = "", quoted = false, inQuotes = false, line = 1
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endField() { record.append((field, quoted)); field = ""; quoted = false }
        func endRecord() {
            endField(); if !(record.count == 1 && record[0].0.isEmpty && !record[0].1) { records.append(record) };
            record = []
        }
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" {
                        field.append("\""); i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty && !quoted: inQuotes = true; quoted = true
                case ",": endField()
                case "\r\n", "\n", "\r": line += 1; endRecord()
                default: field.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw ScriptError("\(source):\(line): a quoted field is not closed") }
        if !field.isEmpty || quoted || !record.isEmpty { endRecord() }
        guard let header = records.first else { throw ScriptError("\(source) is empty: a table needs a header row") }
        columns = header.map { $0.0.trimmingCharacters(in: .whitespaces) }
        if let dup = Dictionary(grouping: columns, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ScriptError("\(source):1: the column '\(dup)' appears twice in the header")
        }
        rows = []
        for (k, r) in records.dropFirst().enumerated() {
            guard r.count == columns.count else {
                throw ScriptError("\(source):\(k + 2): \(r.count) fields, the header has \(columns.count)")
            }
            rows.append(
                r.map { text, wasQuoted in
                    if wasQuoted { return .text(text) }
                    let t = text.trimmingCharacters(in: .whitespaces)
                    if t.isEmpty { return .missing }
                    if t == "true" { return .bool(true) }
                    if t == "false" { return .bool(false) }
                    if let x = Double(t) { return .number(x) }
                    switch t.lowercased() {
                    case "inf": return .number(.infinity);
                    case "-inf": return .number(-.infinity);
                    default: break
                    }
                    return .text(t)
                })
        }
    }

    // MARK: JSON (a list of row objects, keys in column order)

    var json: String {
        let string = jsonString
        func value(_ c: Cell) -> String {
            switch c {
            case .number(let x): return x.isFinite ? DataTable.numberText(x) : string(DataTable.numberText(x))
            case .text(let s): return string(s)
            case .bool(let b): return b ? "true" : "false"
            case .missing: return "null"
            }
        }
        let objects = rows.map { r in
            "  {" + zip(columns, r).map { "\(string($0)): \(value($1))" }.joined(separator: ", ") + "}"
        }
        return objects.isEmpty ? "[]\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// A table from a parsed JSON list of flat objects, or nil when the JSON is not one
    /// (then it loads as a plain value). Columns are ordered by where each key first
    /// appears in the text, so a saved table loads back in its own order.
    init?(json object: Any, text: Data) {
        guard let list = object as? [Any], !list.isEmpty else { return nil }
        var dicts: [[String: Any]] = []
        for item in list {
            guard let d = item as? [String: Any], !d.isEmpty else { return nil }
            for v in d.values where !(v is NSNull || v is NSNumber || v is String || v is Bool) { return nil }
            dicts.append(d)
        }
        let raw = String(decoding: text, as: UTF8.self)
        var firstSeen: [String: String.Index] = [:]
        for d in dicts {
            for k in d.keys where firstSeen[k] == nil {
                firstSeen[k] = raw.range(of: jsonString(k))?.lowerBound ?? raw.endIndex
            }
        }
        let names = firstSeen.keys.sorted { (firstSeen[$0] ?? raw.endIndex, $0) < (firstSeen[$1] ?? raw.endIndex, $1) }
        columns = names
        rows = dicts.map { d in
            names.map { k in
                guard let v = d[k] else { return .missing }
                switch fromJSON(v) {
                case .number(let x): return .number(x)
                case .string(let s):
                    switch s {
                    case "nan": return .number(.nan);
                    case "inf": return .number(.infinity)
                    case "-inf": return .number(-.infinity);
                    default: return .text(s)
                    }
                case .bool(let b): return .bool(b)
                default: return .missing
                }
            }
        }
    }
}

/// A JSON string literal for `s`, escaped as JSONSerialization writes it.
func jsonString(_ s: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [s], options: [])) ?? Data("[\"\"]".utf8)
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
}
