extension Panel {
    /// Draws the legend box inside the frame, in the requested corner or — for
    /// ``LegendPosition/best`` — the corner whose box covers the fewest data points.
    func drawLegend(in f: Rect, transform t: Transform, canvas c: Canvas, style s: Style) {
        let entries = marks.flatMap(\.legendEntries)
        guard !entries.isEmpty, legend != .hidden else { return }
        let size = s.legendFontSize
        let row = size * 1.45, swatchW = 18.0, pad = 5.0, inset = 6.0
        let textW = entries.map { c.textWidth($0.label, size: size) }.max() ?? 0
        let w = pad + swatchW + 5 + textW + pad
        let h = pad * 2 + row * Double(entries.count) - (row - size * 1.1)
        let corners: [LegendPosition: Rect] = [
            .upperRight: Rect(x: f.maxX - inset - w, y: f.y + inset, width: w, height: h),
            .upperLeft: Rect(x: f.x + inset, y: f.y + inset, width: w, height: h),
            .lowerLeft: Rect(x: f.x + inset, y: f.maxY - inset - h, width: w, height: h),
            .lowerRight: Rect(x: f.maxX - inset - w, y: f.maxY - inset - h, width: w, height: h),
        ]
        let box: Rect
        if legend == .best {
            let order: [LegendPosition] = [.upperRight, .upperLeft, .lowerLeft, .lowerRight]
            var points: [(Double, Double)] = []
            for e in marks.map(\.extent) where !e.tight {
                let n = min(e.xs.count, e.ys.count)
                let stride = max(1, n / 3000)
                var previous: (Double, Double)? = nil
                for i in Swift.stride(from: 0, to: n, by: stride) {
                    guard t.xScale.admits(e.xs[i]) && t.yScale.admits(e.ys[i]) else { previous = nil; continue }
                    let p = (t.px(e.xs[i]), t.py(e.ys[i]))
                    // Joined marks also cover the way between their points: sample it.
                    if e.connected, let q = previous {
                        for k in 1..<8 { let f = Double(k) / 8; points.append((q.0 + f * (p.0 - q.0), q.1 + f * (p.1 - q.1))) }
                    }
                    points.append(p)
                    // Bars are filled down to their floor: the legend must not hide them either.
                    if let floor = e.yFloor, t.yScale.admits(floor) {
                        let base = t.py(floor)
                        for k in 1...8 { points.append((p.0, p.1 + Double(k) / 8 * (base - p.1))) }
                    }
                    previous = p
                }
            }
            let scores = order.map { pos in points.reduce(0) { $0 + (corners[pos]!.contains($1.0, $1.1) ? 1 : 0) } }
            box = corners[order[scores.firstIndex(of: scores.min()!)!]]!
        } else {
            box = corners[legend]!
        }
        c.save()
        c.rect(box)
        c.setColor(Color.white.withAlpha(0.88)); c.fillPreserve()
        c.setColor(Color(hex: 0xCCCCCC)); c.setLineWidth(0.6); c.stroke()
        for (k, e) in entries.enumerated() {
            let cy = box.y + pad + size * 0.55 + Double(k) * row
            let sx = box.x + pad
            switch e.swatch {
            case .line(let col, let width, let dash, let marker):
                c.save(); c.setColor(col); c.setLineWidth(width); c.setDash(dash)
                c.segment(sx, cy, sx + swatchW, cy); c.stroke(); c.restore()
                marker?.draw(c, sx + swatchW / 2, cy, size: 5, color: col)
            case .marker(let marker, let col, let msize):
                marker.draw(c, sx + swatchW / 2, cy, size: msize, color: col)
            case .patch(let col):
                let r = Rect(x: sx + 2, y: cy - size * 0.4, width: swatchW - 4, height: size * 0.8)
                c.rect(r); c.setColor(col.withAlpha(0.35)); c.fillPreserve()
                c.setColor(col); c.setLineWidth(1); c.stroke()
            }
            c.text(e.label, sx + swatchW + 5, cy, size: size, color: s.textColor, h: .left, v: .middle)
        }
        c.restore()
    }
}
