/// The region between two curves over the same x, filled translucently: the spread
/// of a quantity (e.g. its 10–90% quantiles) around a line drawn on top of it.
struct Band: Mark {
    var xs: [Double]
    var lower: [Double]
    var upper: [Double]
    var color: Color
    var alpha: Double
    var label: String?

    var extent: Extent { Extent(xs: xs + xs, ys: lower + upper, connected: true) }
    var legendEntries: [LegendEntry] { label.map { [LegendEntry(label: $0, swatch: .patch(color))] } ?? [] }

    func draw(_ c: Canvas, _ t: Transform) {
        // Runs of points that both scales can place are filled separately, so a NaN or a
        // non-positive value on a log axis breaks the band instead of distorting it.
        var run: [Int] = []
        func flush() {
            defer { run = [] }
            guard run.count >= 2 else { return }
            c.move(t.px(xs[run[0]]), t.py(upper[run[0]]))
            for i in run.dropFirst() { c.line(t.px(xs[i]), t.py(upper[i])) }
            for i in run.reversed() { c.line(t.px(xs[i]), t.py(lower[i])) }
            c.close()
            c.setColor(color.withAlpha(color.alpha * alpha)); c.fill()
        }
        for i in 0..<min(xs.count, lower.count, upper.count) {
            if t.xScale.admits(xs[i]) && t.yScale.admits(lower[i]) && t.yScale.admits(upper[i]) {
                run.append(i)
            } else {
                flush()
            }
        }
        flush()
    }
}
