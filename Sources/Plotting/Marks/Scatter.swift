/// Points at (x, y), one colour or coloured by a value through a colormap.
struct Scatter: Mark {
    var xs: [Double]
    var ys: [Double]
    var color: Color
    /// Per-point values and their mapping, when colour encodes a quantity.
    var values: [Double]?
    var mapping: ColorMapping?
    var size: Double
    var alpha: Double
    var marker: Marker
    var label: String?

    var extent: Extent { Extent(xs: xs, ys: ys) }
    var colorMapping: ColorMapping? { values == nil ? nil : mapping }
    var legendEntries: [LegendEntry] {
        guard let label else { return [] }
        // Points coloured by value show the colour of the middle of their range.
        let shown = mapping.map { $0.colormap.color(at: 0.5) } ?? color
        return [
            LegendEntry(label: label, swatch: .marker(marker, shown.withAlpha(max(alpha, 0.85)), size: max(size, 6)))
        ]
    }

    /// A marker size that reads well for `n` points: big for a handful, small for a cloud.
    static func defaultSize(_ n: Int) -> Double { n <= 100 ? 6 : n <= 1000 ? 4.5 : n <= 5000 ? 3 : 2.2 }
    /// Clouds get translucent so that density shows through overlap.
    static func defaultAlpha(_ n: Int) -> Double { n <= 300 ? 0.9 : n <= 3000 ? 0.65 : 0.4 }

    func draw(_ c: Canvas, _ t: Transform) {
        let f = t.frame
        let pad = size
        let uniform = color.withAlpha(color.alpha * alpha)
        for i in 0..<min(xs.count, ys.count) {
            if i & 1023 == 0 && RenderCancellation.isCancelled { return }
            guard t.xScale.admits(xs[i]), t.yScale.admits(ys[i]) else { continue }
            let x = t.px(xs[i]), y = t.py(ys[i])
            // Points far outside the frame are clipped anyway; skipping them keeps
            // vector output small when robust limits cut outliers away.
            if x < f.x - pad || x > f.maxX + pad || y < f.y - pad || y > f.maxY + pad { continue }
            var col = uniform
            if let values, let mapping { col = mapping.color(values[i]).withAlpha(alpha) }
            marker.draw(c, x, y, size: size, color: col)
        }
    }
}

/// The dash patterns of lines, in points.
public enum LineStyle: Equatable {
    case solid, dashed, dotted, dashDot
    var dash: [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [5, 3]
        case .dotted: return [1.2, 2.4]
        case .dashDot: return [5, 2.5, 1.2, 2.5]
        }
    }
}

/// A polyline through (x, y), broken wherever a value cannot be placed (NaN, or
/// non-positive on a log axis), with optional markers at the vertices.
struct Line: Mark {
    var xs: [Double]
    var ys: [Double]
    var color: Color
    var width: Double
    var style: LineStyle
    var alpha: Double
    var marker: Marker?
    var markerSize: Double
    var label: String?

    var extent: Extent { Extent(xs: xs, ys: ys, connected: true) }
    var legendEntries: [LegendEntry] {
        guard let label else { return [] }
        return [LegendEntry(label: label, swatch: .line(color, width: width, dash: style.dash, marker: marker))]
    }

    func draw(_ c: Canvas, _ t: Transform) {
        let n = min(xs.count, ys.count)
        c.save()
        c.setColor(color.withAlpha(color.alpha * alpha))
        c.setLineWidth(width)
        c.setDash(style.dash)
        c.setRoundCaps(style == .dotted)
        var pen = false
        for i in 0..<n {
            if i & 1023 == 0 && RenderCancellation.isCancelled { break }
            guard t.xScale.admits(xs[i]), t.yScale.admits(ys[i]) else { pen = false; continue }
            let x = t.px(xs[i]), y = t.py(ys[i])
            if pen { c.line(x, y) } else { c.move(x, y); pen = true }
        }
        c.stroke()
        c.restore()
        if let marker {
            for i in 0..<n where t.xScale.admits(xs[i]) && t.yScale.admits(ys[i]) {
                if i & 1023 == 0 && RenderCancellation.isCancelled { break }
                marker.draw(c, t.px(xs[i]), t.py(ys[i]), size: markerSize, color: color.withAlpha(color.alpha * alpha))
            }
        }
    }
}
