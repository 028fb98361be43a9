/// The size of a legend box and how its rows are arranged.
struct LegendBox {
    var width: Double
    var height: Double
    var perColumn: Int
    var columnWidth: Double
    static let row = 1.45, swatchWidth = 18.0, pad = 5.0, inset = 6.0, gap = 8.0
}

extension Panel {
    /// The legend's box for at most `maxHeight` points of height (rows beyond go into columns); nil without entries.
    func legendBox(canvas c: Canvas, style s: Style, maxHeight: Double) -> LegendBox? {
        let entries = marks.flatMap(\.legendEntries)
        guard !entries.isEmpty, legend != .hidden else { return nil }
        let size = s.legendFontSize, row = size * LegendBox.row, pad = LegendBox.pad
        let textW = entries.map { c.textWidth($0.label, size: size) }.max() ?? 0
        let perColumn = max(1, min(entries.count, Int((maxHeight - pad * 2 + (row - size * 1.1)) / row)))
        let columns = (entries.count + perColumn - 1) / perColumn
        let columnW = LegendBox.swatchWidth + 5 + textW + pad
        return LegendBox(
            width: pad + columnW * Double(columns), height: pad * 2 + row * Double(perColumn) - (row - size * 1.1),
            perColumn: perColumn, columnWidth: columnW)
    }

    /// The box in each inside corner of frame `f`.
    private func corners(_ f: Rect, _ b: LegendBox) -> [(LegendPosition, Rect)] {
        let w = b.width, h = b.height, inset = LegendBox.inset
        return [
            (.upperRight, Rect(x: f.maxX - inset - w, y: f.y + inset, width: w, height: h)),
            (.upperLeft, Rect(x: f.x + inset, y: f.y + inset, width: w, height: h)),
            (.lowerLeft, Rect(x: f.x + inset, y: f.maxY - inset - h, width: w, height: h)),
            (.lowerRight, Rect(x: f.maxX - inset - w, y: f.maxY - inset - h, width: w, height: h)),
        ]
    }

    /// The inside corner whose box covers the fewest data points, and how many it covers.
    func emptiestCorner(_ f: Rect, _ t: Transform, _ b: LegendBox) -> (Rect, Int) {
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
                    for k in 1..<8 {
                        let f = Double(k) / 8; points.append((q.0 + f * (p.0 - q.0), q.1 + f * (p.1 - q.1)))
                    }
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
        let scored = corners(f, b).map { _, r in (r, points.reduce(0) { $0 + (r.contains($1.0, $1.1) ? 1 : 0) }) }
        return scored.min { $0.1 < $1.1 } ?? (Rect(x: f.x, y: f.y, width: b.width, height: b.height), 0)
    }

    /// Draws the legend box: in the requested corner, in the corner that covers the fewest
    /// data points (``LegendPosition/best``), or at `outsideX` beside the frame when the
    /// layout put it outside (``LegendPosition/outside``, or ``LegendPosition/avoidingData``
    /// when every corner covers data).
    func drawLegend(in f: Rect, transform t: Transform, canvas c: Canvas, style s: Style, outsideX: Double? = nil) {
        let entries = marks.flatMap(\.legendEntries)
        guard let b = legendBox(canvas: c, style: s, maxHeight: outsideX == nil ? 0.75 * f.height : f.height) else {
            return
        }
        let size = s.legendFontSize, row = size * LegendBox.row, pad = LegendBox.pad, swatchW = LegendBox.swatchWidth
        let box: Rect
        if let x = outsideX {
            box = Rect(x: x, y: f.y, width: b.width, height: b.height)
        } else if legend == .best || legend == .avoidingData || legend == .outside {
            box = emptiestCorner(f, t, b).0
        } else {
            box = corners(f, b).first { $0.0 == legend }?.1 ?? emptiestCorner(f, t, b).0
        }
        c.save()
        c.rect(box)
        c.setColor(Color.white.withAlpha(0.88)); c.fillPreserve()
        c.setColor(Color(hex: 0xCCCCCC)); c.setLineWidth(0.6); c.stroke()
        for (k, e) in entries.enumerated() {
            let cy = box.y + pad + size * 0.55 + Double(k % b.perColumn) * row
            let sx = box.x + pad + Double(k / b.perColumn) * b.columnWidth
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
