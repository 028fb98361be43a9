import Bindings
import Foundation
import Plotting
import Script

extension Value {
    /// The figure this value holds, if it is one.
    public var figureValue: FigureValue? {
        if case .object(let o) = self { return o as? FigureValue }
        return nil
    }
}

/// Writes a cell's figure value to a fresh file in the session's folder and returns
/// its URL (nil when it cannot be written).
func displayFigure(_ f: FigureValue, hooks: SessionHooks) -> URL? {
    let url = hooks.newFigureURL("png")
    // Ctrl-C or SIGTERM stops a figure still drawing: nothing is written then.
    do { try RenderCancellation.with(hooks.cancel) { try f.figure.save(to: url) } } catch { return nil }
    return url
}
