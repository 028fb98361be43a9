/// Automatic axis limits from the marks' extents.
///
/// The data range gets a 5% margin on each side (in the scale's own coordinate, so a
/// log axis gains the same factor at both ends); bars keep their floor at zero;
/// cells and images end exactly at their edges. Values a scale cannot place
/// (NaN, non-positive on a log axis) are ignored.
func autoLimits(
    _ extents: [Extent], axis: KeyPath<Extent, [Double]>, scale: Scale, mode: AutoLimits,
    floorAware: Bool
) -> ClosedRange<Double> {
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

/// The largest rectangle inside `frame` — centred across, against the top so the
/// titles of a row of panels line up — on which one data unit
/// (in each scale's own coordinate) has the same length along x and y.
func equalAspectFrame(
    _ frame: Rect, x: ClosedRange<Double>, y: ClosedRange<Double>,
    xScale: Scale, yScale: Scale
) -> Rect {
    let dx = xScale.forward(x.upperBound) - xScale.forward(x.lowerBound)
    let dy = yScale.forward(y.upperBound) - yScale.forward(y.lowerBound)
    guard dx > 0, dy > 0 else { return frame }
    let unit = min(frame.width / dx, frame.height / dy)
    let w = unit * dx, h = unit * dy
    return Rect(x: frame.x + (frame.width - w) / 2, y: frame.y, width: w, height: h)
}
