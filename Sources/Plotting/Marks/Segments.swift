/// Straight segments from (x0, y0) to (x1, y1), all in one colour: jumps, links, offsets.
struct Segments: Mark {
    var x0: [Double], y0: [Double], x1: [Double], y1: [Double]
    var color: Color
    var width: Double
    var alpha: Double
    var style: LineStyle
    var label: String?

    /// Only the ends are asked to be in view (with the way between them covered for the legend).
    var extent: Extent { Extent(xs: x1, ys: y1) }
    var legendEntries: [LegendEntry] {
        label.map {
            [
                LegendEntry(
                    label: $0,
                    swatch: .line(color.withAlpha(max(alpha, 0.6)), width: max(width, 1), dash: style.dash, marker: nil)
                )
            ]
        } ?? []
    }

    func draw(_ c: Canvas, _ t: Transform) {
        c.save()
        c.setColor(color.withAlpha(color.alpha * alpha)); c.setLineWidth(width); c.setDash(style.dash)
        for i in 0..<min(x0.count, y0.count, x1.count, y1.count) {
            guard t.xScale.admits(x0[i]), t.yScale.admits(y0[i]), t.xScale.admits(x1[i]), t.yScale.admits(y1[i]) else {
                continue
            }
            c.move(t.px(x0[i]), t.py(y0[i])); c.line(t.px(x1[i]), t.py(y1[i]))
        }
        c.stroke()
        c.restore()
    }
}
