import Foundation

/// Arrows of a velocity field sampled on a grid, e.g. the probability-flow
/// velocity `dx/dσ = (x − D(x; σ))/σ` at one σ.
///
/// Plotting takes the field as arrays — it never imports the Diffusion layer. The
/// arrow scale is chosen so that the 90th-percentile arrow spans most of a grid
/// cell: a few huge arrows far from the data cannot shrink the rest to dots (they
/// are capped at 1.5 cells instead).
struct VectorField: Mark {
    var xs: [Double] // nx grid abscissae
    var ys: [Double] // ny grid ordinates
    var u: [Double] // ny × nx, row j at y = ys[j]
    var v: [Double]
    var color: Color
    var mapping: ColorMapping?
    var label: String?

    var extent: Extent { Extent(xs: xs, ys: ys) }
    var colorMapping: ColorMapping? { mapping }
    var legendEntries: [LegendEntry] {
        label.map { [LegendEntry(label: $0, swatch: .line(color, width: 1, dash: [], marker: nil))] } ?? []
    }

    func draw(_ c: Canvas, _ t: Transform) {
        let nx = xs.count, ny = ys.count
        guard nx > 0, ny > 0, u.count == nx * ny, v.count == nx * ny else { return }
        // Page-space vectors (points per unit "time"), y flipped like the page.
        var page: [(Double, Double)] = []
        page.reserveCapacity(nx * ny)
        for j in 0..<ny {
            for i in 0..<nx {
                let k = j * nx + i
                page.append((u[k] * t.ax, v[k] * t.ay))
            }
        }
        let cellX = nx > 1 ? abs(t.px(xs[1]) - t.px(xs[0])) : t.frame.width / 10
        let cellY = ny > 1 ? abs(t.py(ys[1]) - t.py(ys[0])) : t.frame.height / 10
        let cell = min(cellX, cellY)
        let lengths = page.map { hypot($0.0, $0.1) }.filter { $0.isFinite && $0 > 0 }.sorted()
        guard !lengths.isEmpty else { return }
        let reference = lengths[min(lengths.count - 1, Int(Double(lengths.count) * 0.9))]
        let scale = 0.85 * cell / reference
        for j in 0..<ny {
            if RenderCancellation.isCancelled { return }
            for i in 0..<nx {
                let k = j * nx + i
                var (dx, dy) = (page[k].0 * scale, page[k].1 * scale)
                var len = hypot(dx, dy)
                guard len.isFinite, len > 0.5, t.xScale.admits(xs[i]), t.yScale.admits(ys[j]) else { continue }
                if len > 1.5 * cell { dx *= 1.5 * cell / len; dy *= 1.5 * cell / len; len = 1.5 * cell }
                let x0 = t.px(xs[i]) - dx / 2, y0 = t.py(ys[j]) - dy / 2
                let x1 = x0 + dx, y1 = y0 + dy
                let col = mapping.map { $0.color(hypot(u[k], v[k])) } ?? color
                c.setColor(col)
                let head = min(max(len * 0.3, 2), 4.5)
                let (ex, ey) = (dx / len, dy / len)
                c.setLineWidth(0.8)
                c.move(x0, y0); c.line(x1 - ex * head * 0.8, y1 - ey * head * 0.8); c.stroke()
                c.move(x1, y1)
                c.line(x1 - ex * head - ey * head * 0.45, y1 - ey * head + ex * head * 0.45)
                c.line(x1 - ex * head + ey * head * 0.45, y1 - ey * head - ex * head * 0.45)
                c.close(); c.fill()
            }
        }
    }
}
