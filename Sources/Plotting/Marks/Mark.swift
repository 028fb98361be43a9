/// Something drawn inside a panel's axes: points, lines, paths, cells, arrows.
///
/// A mark knows three things: which data coordinates it wants visible (so limits
/// come from the data), how to draw itself through the panel's ``Transform``, and
/// what it contributes to the legend and the colour bar. The panel owns layout;
/// marks never measure text or place themselves.
protocol Mark {
    /// The data extent the mark asks the automatic limits to include.
    var extent: Extent { get }
    /// The legend rows for this mark (none when it is unlabelled).
    var legendEntries: [LegendEntry] { get }
    /// The value→colour mapping to explain in a colour bar, if colours are mapped.
    var colorMapping: ColorMapping? { get }
    func draw(_ canvas: Canvas, _ t: Transform)
}

extension Mark {
    var legendEntries: [LegendEntry] { [] }
    var colorMapping: ColorMapping? { nil }
}

/// The coordinates a mark wants in view.
struct Extent {
    var xs: [Double]
    var ys: [Double]
    /// Cells and images fill exactly their rectangle: no margin beyond it.
    var tight = false
    /// Bars stand on y = 0: the lower y limit stops there instead of adding margin.
    var yFloor: Double? = nil
    /// Consecutive points are joined (lines, bars), so the space between them is covered too.
    var connected = false
}

/// What a legend row shows next to its label.
struct LegendEntry {
    enum Swatch {
        case line(Color, width: Double, dash: [Double], marker: Marker?)
        case marker(Marker, Color, size: Double)
        case patch(Color)
    }
    var label: String
    var swatch: Swatch
}

/// Shapes for scatter points and line markers.
public enum Marker: Equatable {
    case circle, square, diamond, triangle, plus, cross

    /// Adds the marker's outline, centred at (x, y) with diameter `size`, to the path.
    /// Returns whether it is a stroked (open) shape rather than a filled one.
    @discardableResult
    func path(_ c: Canvas, _ x: Double, _ y: Double, size: Double) -> Bool {
        let r = size / 2
        switch self {
        case .circle: c.circle(x, y, r)
        case .square: c.rect(Rect(x: x - r * 0.88, y: y - r * 0.88, width: r * 1.76, height: r * 1.76))
        case .diamond:
            c.move(x, y - r * 1.15); c.line(x + r * 0.85, y); c.line(x, y + r * 1.15); c.line(x - r * 0.85, y);
            c.close()
        case .triangle: c.move(x, y - r * 1.15); c.line(x + r, y + r * 0.6); c.line(x - r, y + r * 0.6); c.close()
        case .plus: c.move(x - r, y); c.line(x + r, y); c.move(x, y - r); c.line(x, y + r); return true
        case .cross:
            c.move(x - r * 0.75, y - r * 0.75); c.line(x + r * 0.75, y + r * 0.75)
            c.move(x - r * 0.75, y + r * 0.75); c.line(x + r * 0.75, y - r * 0.75); return true
        }
        return false
    }

    /// Draws one marker in `color`.
    func draw(_ c: Canvas, _ x: Double, _ y: Double, size: Double, color: Color) {
        c.setColor(color)
        if path(c, x, y, size: size) { c.setLineWidth(max(1, size / 5)); c.stroke() } else { c.fill() }
    }
}
