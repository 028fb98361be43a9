import Foundation

/// Where everything of one panel goes on the page, computed before anything is drawn.
///
/// Margins are measured from the real text (tick labels, axis labels, title, colour
/// bar labels), so labels never overlap each other or fall off the page, and tick
/// counts follow the frame's length so that labels keep a gap between them.
struct PanelLayout {
    var frame: Rect
    var transform: Transform
    var xTicks: TickSet
    var yTicks: TickSet
    var colorbar: (mapping: ColorMapping, rect: Rect, ticks: TickSet)?
    /// Where the legend's left edge goes when it sits beside the frame; nil inside.
    var legendX: Double? = nil
}

extension Panel {
    /// The layout, with room on the right for a legend placed outside the frame (always
    /// for ``LegendPosition/outside``; for ``LegendPosition/avoidingData`` when every
    /// inside corner would cover data).
    func layout(in cell: Rect, canvas c: Canvas, style s: Style) -> PanelLayout {
        let inside = layout(in: cell, canvas: c, style: s, legendReserve: 0)
        guard legend == .outside || legend == .avoidingData,
            let box = legendBox(canvas: c, style: s, maxHeight: 0.75 * inside.frame.height)
        else { return inside }
        if legend == .avoidingData && emptiestCorner(inside.frame, inside.transform, box).1 == 0 { return inside }
        let wide = legendBox(canvas: c, style: s, maxHeight: inside.frame.height) ?? box
        var L = layout(in: cell, canvas: c, style: s, legendReserve: wide.width + LegendBox.gap)
        L.legendX = L.colorbar == nil ? L.frame.maxX + LegendBox.gap : cell.maxX - s.padding - wide.width
        return L
    }

    private func layout(in cell: Rect, canvas c: Canvas, style s: Style, legendReserve: Double) -> PanelLayout {
        let extents = marks.map(\.extent)
        let xl =
            usable(xLimits, xScale) ?? autoLimits(extents, axis: \.xs, scale: xScale, mode: limits, floorAware: false)
        let yl =
            usable(yLimits, yScale) ?? autoLimits(extents, axis: \.ys, scale: yScale, mode: limits, floorAware: true)
        let mapping = showsColorbar ? marks.lazy.compactMap(\.colorMapping).first : nil

        let tickFont = c.fontMetrics(size: s.tickFontSize)
        let tickTextHeight = tickFont.ascent + tickFont.descent
        let titleHeight = title == nil ? 0 : s.titleFontSize * 1.3 + 5

        func frameFor(
            xl: ClosedRange<Double>, yl: ClosedRange<Double>
        ) -> (Rect, TickSet, TickSet, (ColorMapping, Rect, TickSet)?) {
            guard showsAxes else {
                return (
                    cell.inset(top: s.padding + titleHeight, left: s.padding, bottom: s.padding, right: s.padding),
                    TickSet(major: [], minor: []), TickSet(major: [], minor: []), nil
                )
            }
            let top = s.padding + max(titleHeight, tickTextHeight / 2)
            let bottom =
                s.padding + s.tickLength + 3 + tickTextHeight + (xLabel == nil ? 0 : s.labelFontSize * 1.25 + 3)
            let plotHeight = max(cell.height - top - bottom, 10)
            let yTicks = fittedTicks(yl, scale: yScale, length: plotHeight, canvas: c, style: s, vertical: true)
            let yLabelWidth = yTicks.major.map { c.textWidth($0.label, size: s.tickFontSize) }.max() ?? 0
            let left = s.padding + (yLabel == nil ? 0 : s.labelFontSize * 1.25 + 4) + yLabelWidth + s.tickLength + 4
            var right = s.padding + 6 + legendReserve
            var bar: (ColorMapping, Rect, TickSet)? = nil
            if let mapping {
                let barTicks = fittedTicks(
                    mapping.range, scale: mapping.scale, length: plotHeight, canvas: c, style: s, vertical: true)
                let labelW = barTicks.major.map { c.textWidth($0.label, size: s.tickFontSize) }.max() ?? 0
                let barWidth = 10.0, gap = 10.0
                let reserve =
                    gap + barWidth + s.tickLength + 3 + labelW + (mapping.label == nil ? 0 : s.labelFontSize * 1.25 + 4)
                right = s.padding + reserve + legendReserve
                let bx = cell.maxX - right + gap
                bar = (mapping, Rect(x: bx, y: cell.y + top, width: barWidth, height: plotHeight), barTicks)
            }
            let frame = cell.inset(top: top, left: left, bottom: bottom, right: right)
            var xTicks = fittedTicks(xl, scale: xScale, length: frame.width, canvas: c, style: s, vertical: false)
            // The last x label may hang over the right edge: keep it on the page.
            if mapping == nil, let last = xTicks.major.last {
                let overhang = c.textWidth(last.label, size: s.tickFontSize) / 2 - (right - s.padding)
                if overhang > 0 {
                    let narrower = cell.inset(top: top, left: left, bottom: bottom, right: right + overhang)
                    xTicks = fittedTicks(
                        xl, scale: xScale, length: narrower.width, canvas: c, style: s, vertical: false)
                    return (narrower, xTicks, yTicks, bar)
                }
            }
            return (frame, xTicks, yTicks, bar)
        }

        var (frame, xt, yt, bar) = frameFor(xl: xl, yl: yl)
        if equalAspect {
            // Shrink the frame (not the limits) so that one data unit has the same
            // length on both axes: limits stay where
            // the data or the caller put them, and heatmaps still fill the frame.
            frame = equalAspectFrame(frame, x: xl, y: yl, xScale: xScale, yScale: yScale)
            xt = fittedTicks(xl, scale: xScale, length: frame.width, canvas: c, style: s, vertical: false)
            yt = fittedTicks(yl, scale: yScale, length: frame.height, canvas: c, style: s, vertical: true)
            // Equal units deserve equal tick steps: use the finer of the two on both
            // axes when the x labels still fit.
            if xScale == .linear, yScale == .linear, xt.major.count >= 2, yt.major.count >= 2 {
                let gap = min(xt.major[1].value - xt.major[0].value, yt.major[1].value - yt.major[0].value)
                let unit = pow(10, floor(log10(gap)) - 2)
                let step = (gap / unit).rounded() * unit // undo the subtraction's rounding
                let sharedX = multiples(of: step, in: xl.lowerBound, xl.upperBound)
                let widest = sharedX.map { c.textWidth($0.label, size: s.tickFontSize) }.max() ?? 0
                if step * frame.width / (xl.upperBound - xl.lowerBound) >= widest + 8 {
                    xt = TickSet(major: sharedX, minor: [])
                    yt = TickSet(major: multiples(of: step, in: yl.lowerBound, yl.upperBound), minor: [])
                }
            }
            if let b = bar {
                bar = (b.0, Rect(x: frame.maxX + 10, y: frame.y, width: b.1.width, height: frame.height), b.2)
            }
        }
        let t = Transform(xScale: xScale, yScale: yScale, xLimits: xl, yLimits: yl, frame: frame)
        func inside(_ ts: TickSet, _ r: ClosedRange<Double>) -> TickSet {
            let lo = r.lowerBound, hi = r.upperBound, eps = (hi - lo) * 1e-9
            return TickSet(
                major: ts.major.filter { $0.value >= lo - eps && $0.value <= hi + eps },
                minor: ts.minor.filter { $0 >= lo && $0 <= hi })
        }
        return PanelLayout(
            frame: frame, transform: t, xTicks: inside(xt, xl), yTicks: inside(yt, yl),
            colorbar: bar.map { ($0.0, $0.1, $0.2) })
    }
}

/// Limits the caller set, if the scale can use them: an empty range gets widened
/// around its value, and a log axis ignores limits that are not positive (the
/// data decide instead) — a bad setting draws a sensible picture rather than none.
func usable(_ r: ClosedRange<Double>?, _ scale: Scale) -> ClosedRange<Double>? {
    guard let r, r.lowerBound.isFinite, r.upperBound.isFinite else { return nil }
    guard scale.admits(r.lowerBound) else { return nil }
    if r.upperBound > r.lowerBound { return r }
    let v = r.lowerBound
    return scale == .log ? (v / 2)...(v * 2) : (v - max(abs(v) * 0.1, 0.5))...(v + max(abs(v) * 0.1, 0.5))
}

/// Ticks for an axis of `length` points: as many as fit with a clear gap between labels.
func fittedTicks(
    _ range: ClosedRange<Double>, scale: Scale, length: Double, canvas c: Canvas,
    style s: Style, vertical: Bool
) -> TickSet {
    let spacing = vertical ? 34.0 : 40.0
    var maxCount = min(9, max(3, Int(length / spacing) + 1))
    while true {
        let ts = ticks(for: range, scale: scale, maxCount: maxCount)
        if maxCount <= 2 || ts.major.count < 2 { return ts }
        let a = scale.forward(ts.major[0].value), b = scale.forward(ts.major[1].value)
        let lo = scale.forward(range.lowerBound), hi = scale.forward(range.upperBound)
        let gap = abs(b - a) / (hi - lo) * length
        let need =
            vertical
            ? s.tickFontSize * 1.6
            : (ts.major.map { c.textWidth($0.label, size: s.tickFontSize) }.max() ?? 0) + 8
        if gap >= need { return ts }
        maxCount -= 1
    }
}
