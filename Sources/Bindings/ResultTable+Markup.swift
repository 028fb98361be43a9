import Foundation
import Script

extension ResultTable {
    /// Whether column `c` holds statistics (right-aligned, as in ``text``).
    func isNumeric(_ c: Int) -> Bool { rows.contains { $0[c].isNumber } }

    /// A GitHub-flavoured Markdown table; numeric columns right-aligned. A long table shows
    /// its first and last rows, as ``text`` does.
    var markdown: String {
        func row(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        let rule = "|" + columns.indices.map { isNumeric($0) ? " ---: |" : " --- |" }.joined()
        let body = shown.map { r in r.map { row($0.map(\.display)) } ?? "| " + omission + " |" }
        let table = ([row(columns), rule] + body).joined(separator: "\n")
        return notes.isEmpty ? table : table + "\n\n" + notes.joined(separator: "\n")
    }

    /// An HTML `<table>`; numeric columns right-aligned, the others left-aligned.
    var html: String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        func cells(_ tag: String, _ values: [String]) -> String {
            values.enumerated().map { c, v in
                // Explicit both ways: front ends' style sheets align table cells differently.
                return "<\(tag) style=\"text-align: \(isNumeric(c) ? "right" : "left")\">\(escape(v))</\(tag)>"
            }.joined()
        }
        var out = ["<table>", "<thead><tr>" + cells("th", columns) + "</tr></thead>", "<tbody>"]
        out += shown.map { r in
            r.map { "<tr>" + cells("td", $0.map(\.display)) + "</tr>" }
                ?? "<tr><td colspan=\"\(columns.count)\">\(escape(omission))</td></tr>"
        }
        out += ["</tbody>", "</table>"]
        out += notes.map { "<p>\(escape($0))</p>" }
        return out.joined(separator: "\n")
    }
}

extension Value {
    /// A results table as Markdown and HTML, for notebook front ends that render
    /// them; nil for any other value.
    public var tableMarkup: (markdown: String, html: String)? {
        guard case .object(let o) = self, let t = o as? TableObject else { return nil }
        return (t.table.markdown, t.table.html)
    }
}
