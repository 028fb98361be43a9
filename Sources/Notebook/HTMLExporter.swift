import Foundation
import Ink

/// The HTML report: one self-contained page. Prose cells go through Ink; code,
/// output and errors are escaped `<pre>` blocks; figures are embedded as base64
/// `<img>` (PNG) or inline SVG, so the page opens anywhere without its folder.
public enum HTMLExporter {
    public static func render(_ run: NotebookRun) -> String {
        let parser = MarkdownParser()
        var body: [String] = []
        var head = ["<p class=\"summary\">\(escape(ReportWriter.summary(run)))</p>"]
        for f in run.failures.prefix(5) { head.append("<p class=\"failure\">Error: \(escape(f))</p>") }
        if !ReportWriter.startsWithTitle(run) { body += ["<h1>\(escape(run.name))</h1>"] + head; head = [] }
        for c in run.cells {
            if c.status == .prose {
                body.append("<section class=\"prose\">\(parser.html(from: c.cell.source))</section>")
                body += head
                head = []
                continue
            }
            let label = c.executionCount.map { "In [\($0)]:" } ?? "In [ ]:"
            var cell = [
                "<section class=\"cell \(c.status)\">",
                "<div class=\"in\"><span class=\"prompt\">\(label)</span><pre>"
                    + "<code class=\"language-cmlab\">\(escape(c.cell.source))</code></pre></div>",
            ]
            for o in c.outputs {
                switch o {
                case .stream(let s): cell.append("<pre class=\"stream\">\(escape(s))</pre>")
                case .result(let s):
                    cell.append(
                        "<div class=\"out\"><span class=\"prompt\">Out[\(c.executionCount ?? 0)]:</span><pre>\(escape(s))</pre></div>"
                    )
                case .figure(let f): cell.append(figure(f))
                case .error(let e): cell.append("<pre class=\"error\">\(escape(e))</pre>")
                }
            }
            let note = c.status == .skipped ? ReportWriter.notRun(run) : ReportWriter.duration(c.seconds)
            cell.append("<div class=\"time\">\(note)</div></section>")
            body.append(cell.joined(separator: "\n"))
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(escape(run.name))</title>
            <style>\(style)</style>
            </head>
            <body>
            <main>
            \(body.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    static func figure(_ f: FigureFile) -> String {
        let caption = "<figcaption>\(escape(f.relativePath))</figcaption>"
        if f.isPNG, let d = f.data {
            return
                "<figure><img src=\"data:image/png;base64,\(d.base64EncodedString())\" "
                + "alt=\"\(escape(f.relativePath))\">\(caption)</figure>"
        }
        if f.isSVG, let d = f.data {
            return
                "<figure><img src=\"data:image/svg+xml;base64,\(d.base64EncodedString())\" "
                + "alt=\"\(escape(f.relativePath))\">\(caption)</figure>"
        }
        return "<figure><a href=\"\(escape(f.relativePath))\">\(escape(f.relativePath))</a></figure>"
    }

    /// Escapes text for HTML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 0; background: #fafafa; color: #222; }
        main { max-width: 960px; margin: 2em auto; padding: 0 1em; }
        pre { background: #fff; border: 1px solid #ddd; padding: .6em .8em; overflow-x: auto; margin: .3em 0; }
        .cell { margin: 1.2em 0; }
        .in, .out { display: flex; gap: .6em; align-items: flex-start; }
        .in pre, .out pre { flex: 1; }
        .prompt { font-family: monospace; color: #307fc1; min-width: 5.5em; padding-top: .7em; }
        .out .prompt { color: #bf5b3d; }
        pre.stream { margin-left: 6.1em; background: #f4f4f4; }
        pre.error { margin-left: 6.1em; background: #fdecea; border-color: #e0a0a0; color: #8a1f11; }
        .failed .in pre { border-color: #e0a0a0; }
        .skipped { opacity: .55; }
        figure { margin: .5em 0 .5em 6.1em; }
        figure img { max-width: 100%; border: 1px solid #eee; background: #fff; }
        figcaption, .time, .summary { font-size: .8em; color: #777; }
        .time { margin-left: 7.6em; }
        .failure { color: #8a1f11; font-weight: bold; }
        """
}
