import Foundation

extension Panel {
    // MARK: Categories, bands, segments

    /// Points coloured by category: `groups[i]` is point i's category, an index into
    /// `names`. One legend row per category, in the order of `names`; up to ten
    /// categories take the colour cycle, more take evenly spaced hues.
    public mutating func scatter(
        x: [Double], y: [Double], groups: [Int], names: [String], size: Double? = nil,
        alpha: Double? = nil, marker: Marker = .circle
    ) {
        guard x.count == y.count && y.count == groups.count else {
            problems.append("scatter: x, y and categories have \(x.count), \(y.count) and \(groups.count) entries");
            return
        }
        guard groups.allSatisfy({ names.indices.contains($0) }) else {
            problems.append("scatter: a category index lies outside the \(names.count) names"); return
        }
        let colors = Color.categorical(names.count)
        let s = size ?? Scatter.defaultSize(x.count), a = alpha ?? Scatter.defaultAlpha(x.count)
        var members = [[Int]](repeating: [], count: names.count)
        for (i, g) in groups.enumerated() { members[g].append(i) }
        for (g, name) in names.enumerated() where !members[g].isEmpty {
            marks.append(
                Scatter(
                    xs: members[g].map { x[$0] }, ys: members[g].map { y[$0] }, color: colors[g],
                    values: nil, mapping: nil, size: s, alpha: a, marker: marker, label: name))
        }
    }

    /// A filled band between `lower` and `upper` over `x` (e.g. quantiles), translucent.
    public mutating func band(
        x: [Double], lower: [Double], upper: [Double], color: Color? = nil,
        alpha: Double = 0.22, label: String? = nil
    ) {
        guard x.count == lower.count && x.count == upper.count else {
            problems.append("band: x, lower and upper have \(x.count), \(lower.count) and \(upper.count) values");
            return
        }
        marks.append(Band(xs: x, lower: lower, upper: upper, color: color ?? nextColor(), alpha: alpha, label: label))
    }

    /// Segments from (x0[i], y0[i]) to (x1[i], y1[i]). Only the far ends (x1, y1) count
    /// for automatic limits, so jumps from far away do not zoom the panel out.
    public mutating func segments(
        x0: [Double], y0: [Double], x1: [Double], y1: [Double], color: Color,
        width: Double = 0.6, alpha: Double = 0.35, style: LineStyle = .solid,
        label: String? = nil
    ) {
        guard x0.count == y0.count && y0.count == x1.count && x1.count == y1.count else {
            problems.append("segments: the four coordinate lists differ in length"); return
        }
        marks.append(
            Segments(
                x0: x0, y0: y0, x1: x1, y1: y1, color: color, width: width, alpha: alpha,
                style: style, label: label))
    }

    /// A legend row that explains an encoding without drawing anything (e.g. "dashed:
    /// the denoiser's predictions" when colours stand for points).
    public mutating func legendKey(
        _ label: String, line color: Color = Color(hex: 0x444444), width: Double = 1.4,
        style: LineStyle = .solid, marker: Marker? = nil
    ) {
        marks.append(
            LegendKey(
                entry: LegendEntry(label: label, swatch: .line(color, width: width, dash: style.dash, marker: marker))))
    }

    /// A legend row showing a marker alone.
    public mutating func legendKey(
        _ label: String, marker: Marker, color: Color = Color(hex: 0x444444), size: Double = 6
    ) {
        marks.append(LegendKey(entry: LegendEntry(label: label, swatch: .marker(marker, color, size: size))))
    }

    /// The limits the panel would choose itself (its own when set), before any sharing.
    func chosenLimits() -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        let extents = marks.map(\.extent)
        return (
            usable(xLimits, xScale) ?? autoLimits(extents, axis: \.xs, scale: xScale, mode: limits, floorAware: false),
            usable(yLimits, yScale) ?? autoLimits(extents, axis: \.ys, scale: yScale, mode: limits, floorAware: true)
        )
    }
}

/// A legend entry with nothing drawn in the axes.
struct LegendKey: Mark {
    var entry: LegendEntry
    var extent: Extent { Extent(xs: [], ys: []) }
    var legendEntries: [LegendEntry] { [entry] }
    func draw(_ c: Canvas, _ t: Transform) {}
}

extension Color {
    /// `n` colours that tell categories apart: the series cycle for up to ten, evenly
    /// spaced hues (alternating lightness, so neighbours differ) beyond.
    public static func categorical(_ n: Int) -> [Color] {
        if n <= cycle.count { return Array(cycle.prefix(n)) }
        return (0..<n).map { k in
            let h = Double(k) / Double(n), l = k % 2 == 0 ? 0.45 : 0.62, s = 0.65
            return Color(hue: h, saturation: s, lightness: l)
        }
    }

    /// A colour from hue (0…1, red at 0), saturation and lightness (HSL).
    init(hue h: Double, saturation s: Double, lightness l: Double) {
        let c = (1 - abs(2 * l - 1)) * s
        let hp = (h - h.rounded(.down)) * 6
        let x = c * (1 - abs(hp.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) =
            switch Int(hp) {
            case 0: (c, x, 0)
            case 1: (x, c, 0)
            case 2: (0, c, x)
            case 3: (0, x, c)
            case 4: (x, 0, c)
            default: (c, 0, x)
            }
        let m = l - c / 2
        self.init(red: r + m, green: g + m, blue: b + m)
    }
}
