import Foundation

/// A grid of values painted as coloured cells over a data rectangle.
///
/// Serves both densities evaluated on a grid (pass the array) and 2-D histograms
/// of points (``Panel/density(x:y:bins:range:colormap:scale:label:)`` counts them
/// first). Rows run upwards: `values[j * columns + i]` is the cell at the i-th x
/// and the j-th y from the bottom, the way `meshgrid` with y increasing lays it out.
struct Heatmap: Mark {
    var values: [Double]
    var columns: Int
    var rows: Int
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>
    var mapping: ColorMapping
    var smooth: Bool

    var extent: Extent {
        Extent(xs: [xRange.lowerBound, xRange.upperBound], ys: [yRange.lowerBound, yRange.upperBound], tight: true)
    }
    var colorMapping: ColorMapping? { mapping }

    func draw(_ c: Canvas, _ t: Transform) {
        let x0 = t.px(xRange.lowerBound), x1 = t.px(xRange.upperBound)
        let y0 = t.py(yRange.upperBound), y1 = t.py(yRange.lowerBound)
        // A cell edge a log axis cannot place (≤ 0) leaves nothing sensible to paint.
        guard [x0, x1, y0, y1].allSatisfy(\.isFinite) else { return }
        let rect = Rect(x: min(x0, x1), y: min(y0, y1), width: abs(x1 - x0), height: abs(y1 - y0))
        c.raster(width: columns, height: rows, into: rect, smooth: smooth) { i, j in
            mapping.color(values[(rows - 1 - j) * columns + i])
        }
    }

    /// Counts of points in `bins × bins` equal cells over `xRange × yRange`
    /// (points outside are ignored), in the heatmap's row order.
    static func histogram(
        x: [Double], y: [Double], bins: (Int, Int),
        xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    ) -> [Double] {
        let (nx, ny) = bins
        var counts = [Double](repeating: 0, count: nx * ny)
        let sx = Double(nx) / (xRange.upperBound - xRange.lowerBound)
        let sy = Double(ny) / (yRange.upperBound - yRange.lowerBound)
        for k in 0..<min(x.count, y.count) {
            let fi = (x[k] - xRange.lowerBound) * sx, fj = (y[k] - yRange.lowerBound) * sy
            guard fi >= 0, fj >= 0, fi <= Double(nx), fj <= Double(ny) else { continue }
            let i = min(Int(fi), nx - 1), j = min(Int(fj), ny - 1)
            counts[j * nx + i] += 1
        }
        return counts
    }
}

/// A one-dimensional histogram drawn as a translucent filled step with a crisp
/// outline, so that two overlapping histograms stay readable.
struct Histogram: Mark {
    var edges: [Double] // bins + 1 increasing edges
    var heights: [Double] // bins
    var color: Color
    var label: String?

    var extent: Extent {
        // The bar tops (at bin centres) between the outer edges on the floor, so the
        // legend can see where the bars are.
        let centres = zip(edges, edges.dropFirst()).map { ($0 + $1) / 2 }
        return Extent(
            xs: [edges.first ?? 0] + centres + [edges.last ?? 1], ys: [0] + heights + [0],
            tight: false, yFloor: 0, connected: true)
    }
    var legendEntries: [LegendEntry] { label.map { [LegendEntry(label: $0, swatch: .patch(color))] } ?? [] }

    func draw(_ c: Canvas, _ t: Transform) {
        guard heights.count + 1 == edges.count, heights.contains(where: { $0 > 0 }),
            edges.allSatisfy(t.xScale.admits)
        else { return }
        // The base sits on y = 0, or on the bottom of the frame when the y axis is log.
        let base = t.yScale == .log ? t.frame.maxY : t.py(0)
        func outline() {
            c.move(t.px(edges[0]), base)
            for b in 0..<heights.count {
                if b & 1023 == 0 && RenderCancellation.isCancelled { return }
                let h = t.yScale.admits(heights[b]) ? t.py(heights[b]) : base
                c.line(t.px(edges[b]), h); c.line(t.px(edges[b + 1]), h)
            }
            c.line(t.px(edges[heights.count]), base)
        }
        outline(); c.close()
        guard !RenderCancellation.isCancelled else { c.newPath(); return }
        c.setColor(color.withAlpha(0.35)); c.fill()
        outline()
        guard !RenderCancellation.isCancelled else { c.newPath(); return }
        c.setColor(color); c.setLineWidth(1.2); c.stroke()
    }

    /// Equal-width bins over the finite values: `bins` of them, or by the
    /// Freedman–Diaconis rule (robust to outliers) clamped to 10…80.
    static func make(
        _ values: [Double], bins: Int?, range: ClosedRange<Double>?, density: Bool,
        color: Color, label: String?
    ) -> Histogram {
        let finite = values.filter(\.isFinite).sorted()
        var lo = range?.lowerBound ?? finite.first ?? 0, hi = range?.upperBound ?? finite.last ?? 1
        if hi <= lo { lo -= 0.5; hi += 0.5 }
        let n: Int
        if let bins {
            n = max(1, bins)
        } else {
            let iqr = quantile(finite, 0.75) - quantile(finite, 0.25)
            let width = 2 * iqr / cbrt(Double(max(finite.count, 1)))
            n = width > 0 ? min(80, max(10, Int(((hi - lo) / width).rounded(.up)))) : 10
        }
        let w = (hi - lo) / Double(n)
        var counts = [Double](repeating: 0, count: n)
        for v in finite where v >= lo && v <= hi { counts[min(n - 1, Int((v - lo) / w))] += 1 }
        if density {
            let total = counts.reduce(0, +)
            if total > 0 { counts = counts.map { $0 / (total * w) } }
        }
        let edges = (0...n).map { lo + Double($0) * w }
        return Histogram(edges: edges, heights: counts, color: color, label: label)
    }
}

/// The `q`-quantile of sorted values, interpolating linearly between order statistics.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let pos = min(max(q, 0), 1) * Double(sorted.count - 1)
    let i = Int(pos), f = pos - Double(i)
    return i + 1 < sorted.count ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i]
}
