import Foundation

extension Panel {
    /// Draws the panel into `cell`: grid, marks (clipped to the frame), frame, ticks,
    /// labels, title, colour bar, legend — in that order, so text sits on top.
    func draw(in cell: Rect, canvas c: Canvas, style s: Style) {
        let L = layout(in: cell, canvas: c, style: s)
        let f = L.frame, t = L.transform

        if showsGrid && showsAxes {
            c.save()
            c.setColor(s.gridColor); c.setLineWidth(0.6)
            for tick in L.xTicks.major { let x = t.px(tick.value); c.segment(x, f.y, x, f.maxY) }
            for tick in L.yTicks.major { let y = t.py(tick.value); c.segment(f.x, y, f.maxX, y) }
            c.stroke()
            c.restore()
        }

        c.save()
        c.clip(f)
        for mark in marks { mark.draw(c, t) }
        c.restore()

        if showsAxes { drawAxes(L, c, s) }
        if let title {
            c.text(
                title, f.x + f.width / 2, f.y - (showsAxes ? 7 : 5),
                size: fitted(
                    title, s.titleFontSize,
                    width: 2 * min(f.x + f.width / 2 - cell.x, cell.maxX - f.x - f.width / 2) - 2 * s.padding, c),
                color: s.textColor, h: .center, v: .bottom)
        }
        if let bar = L.colorbar { drawColorbar(bar.mapping, bar.rect, bar.ticks, c, s) }
        drawLegend(in: f, transform: t, canvas: c, style: s, outsideX: L.legendX)
    }

    private func drawAxes(_ L: PanelLayout, _ c: Canvas, _ s: Style) {
        let f = L.frame, t = L.transform
        c.save()
        c.setColor(s.axisColor)
        c.setLineWidth(s.axisLineWidth)
        c.rect(f); c.stroke()
        for tick in L.xTicks.major { let x = t.px(tick.value); c.segment(x, f.maxY, x, f.maxY + s.tickLength) }
        for tick in L.yTicks.major { let y = t.py(tick.value); c.segment(f.x, y, f.x - s.tickLength, y) }
        c.stroke()
        c.setLineWidth(s.axisLineWidth * 0.7)
        for v in L.xTicks.minor { let x = t.px(v); c.segment(x, f.maxY, x, f.maxY + s.tickLength * 0.55) }
        for v in L.yTicks.minor { let y = t.py(v); c.segment(f.x, y, f.x - s.tickLength * 0.55, y) }
        c.stroke()
        c.restore()

        let tickFont = c.fontMetrics(size: s.tickFontSize)
        for tick in L.xTicks.major where !hidesXTickLabels {
            c.text(
                tick.label, t.px(tick.value), f.maxY + s.tickLength + 2.5, size: s.tickFontSize,
                color: s.textColor, h: .center, v: .top)
        }
        var widest = 0.0
        for tick in L.yTicks.major where !hidesYTickLabels {
            widest = max(widest, c.textWidth(tick.label, size: s.tickFontSize))
            c.text(
                tick.label, f.x - s.tickLength - 3, t.py(tick.value), size: s.tickFontSize,
                color: s.textColor, h: .right, v: .middle)
        }
        if let xLabel, !hidesXTickLabels {
            let y = f.maxY + s.tickLength + 3 + tickFont.ascent + tickFont.descent + 3
            c.text(
                xLabel, f.x + f.width / 2, y, size: fitted(xLabel, s.labelFontSize, width: f.width + 40, c),
                color: s.textColor, h: .center, v: .top)
        }
        if let yLabel, !hidesYTickLabels {
            let x = f.x - s.tickLength - 4 - widest - 4
            c.text(
                yLabel, x, f.y + f.height / 2, size: fitted(yLabel, s.labelFontSize, width: f.height + 20, c),
                color: s.textColor, h: .center, v: .bottom, angle: -Double.pi / 2)
        }
    }

    /// The font size at which `text` fits in `width` points: the style's size, or
    /// smaller (down to 6 pt) for a long text, so it never runs into a neighbour.
    func fitted(_ text: String, _ size: Double, width: Double, _ c: Canvas) -> Double {
        let w = c.textWidth(text, size: size)
        return w <= width ? size : max(6, size * width / w)
    }

    /// A vertical bar painted through the same mapping as the marks, with its own ticks.
    private func drawColorbar(_ m: ColorMapping, _ r: Rect, _ ticks: TickSet, _ c: Canvas, _ s: Style) {
        let steps = 256
        c.raster(width: 1, height: steps, into: r, smooth: true) { _, j in
            m.colormap.color(at: 1 - (Double(j) + 0.5) / Double(steps))
        }
        c.save()
        c.setColor(s.axisColor); c.setLineWidth(s.axisLineWidth * 0.8)
        c.rect(r); c.stroke()
        func y(_ v: Double) -> Double { r.maxY - m.fraction(v) * r.height }
        for tick in ticks.major { let yy = y(tick.value); c.segment(r.maxX, yy, r.maxX + s.tickLength, yy) }
        c.stroke()
        c.setLineWidth(s.axisLineWidth * 0.6)
        for v in ticks.minor { let yy = y(v); c.segment(r.maxX, yy, r.maxX + s.tickLength * 0.55, yy) }
        c.stroke()
        c.restore()
        var widest = 0.0
        for tick in ticks.major {
            let f = m.fraction(tick.value)
            guard f >= -1e-9 && f <= 1 + 1e-9 else { continue }
            widest = max(widest, c.textWidth(tick.label, size: s.tickFontSize))
            c.text(
                tick.label, r.maxX + s.tickLength + 3, y(tick.value), size: s.tickFontSize, color: s.textColor,
                h: .left, v: .middle)
        }
        if let label = m.label {
            c.text(
                label, r.maxX + s.tickLength + 3 + widest + 4, r.y + r.height / 2, size: s.labelFontSize,
                color: s.textColor, h: .center, v: .top, angle: -Double.pi / 2)
        }
    }
}
