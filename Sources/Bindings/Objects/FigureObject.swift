import Foundation
import Plotting
import Script

/// A figure: one or more panels, saved by extension (.png, .svg, .pdf).
final class FigureObject: MemberTable {
    var figure: Figure
    let context: BindingsContext
    init(_ f: Figure, context: BindingsContext) { figure = f; self.context = context }

    var typeName: String { "figure" }
    var receiverName: String { "fig" }
    var summary: String { "figure \(figure.rows)×\(figure.columns)\(figure.title.map { " \"\($0)\"" } ?? "")" }
    var typeDoc: String {
        "A figure of one or more panels. Plot builtins return one; pass file: to save it, or call .save(path). "
            + "figure([f1, f2], columns: 2) combines single-panel figures."
    }

    /// Writes the figure and tells the host (so notebooks attach it, the REPL previews it).
    func write(to url: URL, dpi: Double = 144) throws {
        try RenderCancellation.with(context.cancel) { try figure.save(to: url, dpi: dpi) }
        context.figureWritten(url, figure)
    }

    var members: [Member] {
        [
            .method("save", "Writes .png, .svg or .pdf.", [.required("path"), .optional("dpi", .number(144))]) { args in
                let url = try self.context.resolveWritePath(try args.string("path"))
                let dpi = try args.number("dpi")
                guard dpi >= 10 && dpi <= 1200 else {
                    throw args.error("dpi must lie in 10 … 1200, got \(dpi)", at: "dpi")
                }
                try self.write(to: url, dpi: dpi)
                return .string(url.path)
            },
            .value("panels", "Number of panels.") { .number(Double(self.figure.rows * self.figure.columns)) },
        ]
    }
}

/// A script value that is a figure, so hosts (the notebook runner, the REPL) can show
/// a cell whose result is a figure without knowing the Bindings' types.
public protocol FigureValue: AnyObject {
    var figure: Figure { get }
}

extension FigureObject: FigureValue {}
