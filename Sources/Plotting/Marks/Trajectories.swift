/// Paths of points through the plane, each segment coloured by the noise level σ
/// at which it starts, with the start of each path and its end marked.
///
/// This is the picture of the probability-flow ODE: points begin spread wide at
/// σ_max and bend onto the data as σ falls. Colour runs on a log scale because σ
/// spans five decades; segments are drawn step by step across all paths, so the
/// late, low-σ parts — where the paths meet the data — lie on top.
struct Trajectories: Mark {
    /// `paths[p][k]` is path `p` at step `k`.
    var paths: [[(Double, Double)]]
    /// σ at each step (shared by all paths).
    var sigmas: [Double]
    var mapping: ColorMapping
    var width: Double
    var alpha: Double
    var markEnds: Bool

    var extent: Extent {
        var xs: [Double] = [], ys: [Double] = []
        for p in paths { for (x, y) in p { xs.append(x); ys.append(y) } }
        return Extent(xs: xs, ys: ys)
    }
    var colorMapping: ColorMapping? { mapping }
    var legendEntries: [LegendEntry] {
        guard markEnds else { return [] }
        return [
            LegendEntry(label: "start", swatch: .marker(.circle, Trajectories.startColor, size: 6)),
            LegendEntry(label: "end", swatch: .marker(.circle, Trajectories.endColor, size: 6)),
        ]
    }
    static let startColor = Color(hex: 0x9A9A9A)
    static let endColor = Color(hex: 0xC8343A)

    func draw(_ c: Canvas, _ t: Transform) {
        let steps = paths.map(\.count).max() ?? 0
        guard steps > 0 else { return }
        c.save()
        c.setLineWidth(width)
        c.setRoundCaps(true)
        for k in 0..<(steps - 1) {
            if RenderCancellation.isCancelled { c.restore(); return }
            let sigma = k < sigmas.count ? sigmas[k] : sigmas.last ?? 1
            c.setColor(mapping.color(sigma).withAlpha(alpha))
            // One stroke per step for all paths: same colour, far fewer Cairo calls.
            for p in paths where k + 1 < p.count {
                let (x0, y0) = p[k], (x1, y1) = p[k + 1]
                guard t.xScale.admits(x0), t.yScale.admits(y0), t.xScale.admits(x1), t.yScale.admits(y1) else {
                    continue
                }
                c.move(t.px(x0), t.py(y0)); c.line(t.px(x1), t.py(y1))
            }
            c.stroke()
        }
        c.restore()
        guard markEnds, !RenderCancellation.isCancelled else { return }
        for p in paths {
            guard let (x, y) = p.first, t.xScale.admits(x), t.yScale.admits(y) else { continue }
            c.circle(t.px(x), t.py(y), 1.6)
        }
        c.setColor(Trajectories.startColor); c.fill()
        for p in paths {
            guard let (x, y) = p.last, t.xScale.admits(x), t.yScale.admits(y) else { continue }
            c.circle(t.px(x), t.py(y), 1.2)
        }
        c.setColor(Trajectories.endColor); c.fill()
    }
}
