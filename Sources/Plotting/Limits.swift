/// Automatic axis limits from the marks' extents.
///
/// The data range gets a 5% margin on each side (in the scale's own coordinate, so a
/// log axis gains the same factor at both ends); bars keep their floor at zero;
/// cells and images end exactly at their edges. Values a scale cannot place
/// (NaN, non-positive on a log axis) are ignored.
func autoLimits(_ extents: [Extent], axis: KeyPath<Extent, [Double]>, scale: Scale, mode: AutoLimits,
                floorAware: Bool) -> ClosedRange<Double> {
    var lo = Double.infinity, hi = -Double.infinity
    var allTight = !extents.isEmpty
    var floor: Double? = nil
    for e in extents {
        var vs = e[keyPath: axis].filter(scale.admits).map(scale.forward)
        guard !vs.isEmpty else { continue }
        if !e.tight { allTight = false }
        if floorAware, let f = e.yFloor, scale.admits(f) { floor = scale.forward(f) }
        if case .robust(let q) = mode, !e.tight, vs.count > 20 {
            vs.sort()
            lo = min(lo, quantile(vs, q)); hi = max(hi, quantile(vs, 1 - q))
        } else {
            lo = min(lo, vs.min()!); hi = max(hi, vs.max()!)
        }
    }
    guard lo.isFinite, hi.isFinite else { return scale == .log ? 1...10 : 0...1 }
    if hi - lo < 1e-12 * max(abs(lo), 1) {
        let pad = scale == .log ? 0.3 : max(abs(lo) * 0.1, 0.5)
        lo -= pad; hi += pad
    } else if !allTight {
        let m = 0.05 * (hi - lo)
        let sticky = floor.map { abs(lo - $0) < 1e-12 } ?? false
        if !sticky { lo -= m }
        hi += m
    }
    return scale.inverse(lo)...scale.inverse(hi)
}

/// Widens one pair of limits so that a data unit has the same length on both axes
/// of `frame` (only the axis with room to spare grows, about its centre).
func equalized(x: ClosedRange<Double>, y: ClosedRange<Double>, xScale: Scale, yScale: Scale,
               frame: Rect) -> (ClosedRange<Double>, ClosedRange<Double>) {
    let x0 = xScale.forward(x.lowerBound), x1 = xScale.forward(x.upperBound)
    let y0 = yScale.forward(y.lowerBound), y1 = yScale.forward(y.upperBound)
    let perPointX = (x1 - x0) / frame.width, perPointY = (y1 - y0) / frame.height
    if perPointX > perPointY {
        let half = perPointX * frame.height / 2, c = (y0 + y1) / 2
        return (x, yScale.inverse(c - half)...yScale.inverse(c + half))
    } else {
        let half = perPointY * frame.width / 2, c = (x0 + x1) / 2
        return (xScale.inverse(c - half)...xScale.inverse(c + half), y)
    }
}
