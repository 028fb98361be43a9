import Foundation
import Tensors

/// How a panel picks limits that the caller left unset.
public enum AutoLimits: Equatable {
    /// The full data range plus a 5% margin on each side.
    case data
    /// The range between the `q` and `1 − q` quantiles of the points (plus the
    /// margin), so a few outliers cannot squash the bulk into a corner.
    /// Cells, images and histograms still contribute their full extent.
    case robust(quantile: Double)
}

/// Where the legend goes inside the axes.
public enum LegendPosition: Equatable {
    /// The inside corner that covers the fewest data points.
    case best
    case upperRight, upperLeft, lowerLeft, lowerRight
    /// Beside the frame, on the right: the data keep the whole frame.
    case outside
    /// The inside corner that covers none of the data, else ``outside``: for dense
    /// pictures (overlays, categories) where a legend would hide something.
    case avoidingData
    case hidden
}

/// One set of axes: its marks, labels, scales and limits.
///
/// A panel is a value; add marks with the mutating methods, through the figure's
/// subscript: `fig[0].scatter(x: xs, y: ys)`. Mark methods never trap on bad input:
/// a shape problem is remembered and thrown, with the offending sizes, when the
/// figure is rendered.
public struct Panel {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    /// Fixed limits; nil means "from the data" (see ``limits``).
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var limits: AutoLimits = .data
    /// One data unit has the same length on both axes: the frame shrinks (centred) to fit the limits.
    public var equalAspect = false
    public var showsGrid = true
    /// Frame, ticks and axis labels; off for image grids.
    public var showsAxes = true
    public var legend: LegendPosition = .best
    public var showsColorbar = true
    /// Set by a figure that shares axes: tick labels another panel already shows are not
    /// drawn (their room stays, so the frames of a row or column line up).
    var hidesXTickLabels = false
    var hidesYTickLabels = false

    var marks: [Mark] = []
    var problems: [String] = []
    private var colorIndex = 0

    public init() {}

    /// The next colour of the cycle (each unlabelled-colour series takes one).
    mutating func nextColor() -> Color {
        defer { colorIndex += 1 }
        return Color.cycle[colorIndex % Color.cycle.count]
    }

    private mutating func require(_ ok: Bool, _ message: @autoclosure () -> String) -> Bool {
        if !ok { problems.append(message()) }
        return ok
    }

    // MARK: Points and lines

    /// Points at (x[i], y[i]) in one colour. Size (diameter, points) and opacity
    /// default to values that suit the number of points.
    public mutating func scatter(
        x: [Double], y: [Double], color: Color? = nil, size: Double? = nil,
        alpha: Double? = nil, marker: Marker = .circle, label: String? = nil
    ) {
        guard require(x.count == y.count, "scatter: x has \(x.count) values but y has \(y.count)") else { return }
        marks.append(
            Scatter(
                xs: x, ys: y, color: color ?? nextColor(), values: nil, mapping: nil,
                size: size ?? Scatter.defaultSize(x.count), alpha: alpha ?? Scatter.defaultAlpha(x.count),
                marker: marker, label: label))
    }

    /// Points coloured by `values` through `colormap`; a colour bar explains the colours.
    public mutating func scatter(
        x: [Double], y: [Double], values: [Double], colormap: Colormap = .viridis,
        scale: Scale = .linear, range: ClosedRange<Double>? = nil, colorbarLabel: String? = nil,
        size: Double? = nil, alpha: Double? = nil, marker: Marker = .circle, label: String? = nil
    ) {
        guard
            require(
                x.count == y.count && y.count == values.count,
                "scatter: x, y and values have \(x.count), \(y.count) and \(values.count) entries")
        else { return }
        let mapping =
            range.map { ColorMapping(colormap: colormap, range: $0, scale: scale, label: colorbarLabel) }
            ?? ColorMapping(colormap: colormap, values: values, scale: scale, label: colorbarLabel)
        marks.append(
            Scatter(
                xs: x, ys: y, color: colormap.color(at: 0.5), values: values, mapping: mapping,
                size: size ?? Scatter.defaultSize(x.count), alpha: alpha ?? Scatter.defaultAlpha(x.count),
                marker: marker, label: label))
    }

    /// The first two coordinates of each row of a batch, as points.
    public mutating func scatter(
        _ points: Batch, color: Color? = nil, size: Double? = nil, alpha: Double? = nil,
        marker: Marker = .circle, label: String? = nil
    ) {
        guard require(points.dims >= 2, "scatter: a batch of points needs 2 dims, got \(points.dims)") else { return }
        let (x, y) = xy(points)
        scatter(x: x, y: y, color: color, size: size, alpha: alpha, marker: marker, label: label)
    }

    /// A line through (x[i], y[i]), optionally with markers at the points.
    public mutating func line(
        x: [Double], y: [Double], label: String? = nil, color: Color? = nil,
        width: Double = 1.6, style: LineStyle = .solid, marker: Marker? = nil,
        markerSize: Double = 5, alpha: Double = 1
    ) {
        guard require(x.count == y.count, "line: x has \(x.count) values but y has \(y.count)") else { return }
        marks.append(
            Line(
                xs: x, ys: y, color: color ?? nextColor(), width: width, style: style, alpha: alpha,
                marker: marker, markerSize: markerSize, label: label))
    }

    /// A line through y[i] at x = 1, 2, … (iterations count from one, which a log x axis can show).
    public mutating func line(
        y: [Double], label: String? = nil, color: Color? = nil, width: Double = 1.6,
        style: LineStyle = .solid, marker: Marker? = nil, alpha: Double = 1
    ) {
        line(
            x: (0..<y.count).map { Double($0 + 1) }, y: y, label: label, color: color, width: width,
            style: style, marker: marker, alpha: alpha)
    }

    // MARK: Trajectories and fields

    /// Paths through the plane coloured by σ (log scale), start and end marked.
    /// `paths[p][k]` is path p at step k, and `sigmas[k]` is σ at step k.
    public mutating func trajectories(
        paths: [[(Double, Double)]], sigmas: [Double], colormap: Colormap = .viridis,
        width: Double = 0.7, alpha: Double = 0.75, markEnds: Bool = true,
        colorbarLabel: String = "σ"
    ) {
        let steps = paths.map(\.count).max() ?? 0
        guard
            require(
                sigmas.count >= steps - 1,
                "trajectories: paths have \(steps) steps but only \(sigmas.count) sigmas were given")
        else { return }
        // σ over more than a decade or so is coloured on a log scale; a final σ = 0
        // (the last solver step) takes the lowest colour.
        let positive = sigmas.filter { $0 > 0 && $0.isFinite }
        let scale: Scale = (positive.max() ?? 1) / (positive.min() ?? 1) > 20 ? .log : .linear
        let mapping = ColorMapping(colormap: colormap, values: sigmas, scale: scale, label: colorbarLabel)
        marks.append(
            Trajectories(paths: paths, sigmas: sigmas, mapping: mapping, width: width, alpha: alpha, markEnds: markEnds)
        )
    }

    /// Trajectories from solver states: `states[k]` holds every path at step k.
    /// At most `maxPaths` evenly chosen paths are drawn, so a plot of 10,000 noises stays legible.
    public mutating func trajectories(
        states: [Batch], sigmas: [Double], maxPaths: Int = 300,
        colormap: Colormap = .viridis, markEnds: Bool = true
    ) {
        guard require(states.allSatisfy { $0.dims >= 2 }, "trajectories: states need at least 2 dims") else { return }
        trajectories(
            paths: trajectoryPaths(states: states, maxPaths: maxPaths), sigmas: sigmas,
            colormap: colormap, markEnds: markEnds)
    }

    /// Arrows of a vector field on a grid: `u[j * x.count + i]`, `v[…]` is the
    /// velocity at (x[i], y[j]). Colour by speed when a colormap is given.
    public mutating func vectorField(
        x: [Double], y: [Double], u: [Double], v: [Double],
        color: Color = Color(hex: 0x4A4A4A), colormap: Colormap? = nil,
        label: String? = nil
    ) {
        let n = x.count * y.count
        guard
            require(
                u.count == n && v.count == n,
                "vectorField: a \(x.count)×\(y.count) grid needs \(n) values of u and v, got \(u.count) and \(v.count)")
        else { return }
        let speeds = zip(u, v).map { hypot($0, $1) }
        let mapping = colormap.map { ColorMapping(colormap: $0, values: speeds, label: "speed") }
        marks.append(VectorField(xs: x, ys: y, u: u, v: v, color: color, mapping: mapping, label: label))
    }

    // MARK: Cells and bars

    /// Values on a grid painted over the rectangle `x × y`. `values[j * columns + i]`
    /// is the cell at column i and row j, rows counted from the bottom.
    public mutating func heatmap(
        _ values: [Double], columns: Int, rows: Int, x: ClosedRange<Double>,
        y: ClosedRange<Double>, colormap: Colormap = .viridis, scale: Scale = .linear,
        range: ClosedRange<Double>? = nil, smooth: Bool = true, label: String? = nil
    ) {
        guard
            require(
                columns > 0 && rows > 0 && values.count == columns * rows,
                "heatmap: \(columns)×\(rows) cells need \(columns * rows) values, got \(values.count)")
        else { return }
        let mapping =
            range.map { ColorMapping(colormap: colormap, range: $0, scale: scale, label: label) }
            ?? ColorMapping(colormap: colormap, values: values, scale: scale, label: label)
        marks.append(
            Heatmap(
                values: values, columns: columns, rows: rows, xRange: x, yRange: y,
                mapping: mapping, smooth: smooth))
    }

    /// A 2-D histogram of points as a heatmap. Without a range the cells cover the
    /// central 99.6% of the points in each coordinate plus a 10% margin, so stray
    /// points do not leave the bulk in a few cells. Give `colorRange` to share one
    /// colour scale between panels that should be compared.
    public mutating func density(
        x: [Double], y: [Double], bins: Int = 80,
        range: (x: ClosedRange<Double>, y: ClosedRange<Double>)? = nil,
        colormap: Colormap = .viridis, scale: Scale = .linear, colorRange: ClosedRange<Double>? = nil,
        label: String? = "count"
    ) {
        guard require(x.count == y.count, "density: x has \(x.count) values but y has \(y.count)"),
            require(bins > 0, "density: bins must be positive, got \(bins)"),
            require(bins <= Panel.maxDensityBins, "density: bins must be at most \(Panel.maxDensityBins), got \(bins)")
        else { return }
        func robust(_ v: [Double]) -> ClosedRange<Double> {
            let s = v.filter(\.isFinite).sorted()
            guard !s.isEmpty else { return 0...1 }
            var lo = quantile(s, 0.002), hi = quantile(s, 0.998)
            if hi <= lo { lo -= 0.5; hi += 0.5 }
            let m = 0.1 * (hi - lo)
            return (lo - m)...(hi + m)
        }
        let xr = range?.x ?? robust(x), yr = range?.y ?? robust(y)
        let counts = Heatmap.histogram(x: x, y: y, bins: (bins, bins), xRange: xr, yRange: yr)
        heatmap(
            counts, columns: bins, rows: bins, x: xr, y: yr, colormap: colormap, scale: scale,
            range: colorRange ?? (scale == .log ? 1...max(2, counts.max() ?? 2) : nil), smooth: false, label: label)
    }

    /// Most bins per axis of a density (bins² cells) and of a histogram.
    public static let maxDensityBins = 4096
    public static let maxHistogramBins = 1_000_000

    /// A histogram of values: counts (or a probability density) in equal bins.
    public mutating func histogram(
        _ values: [Double], bins: Int? = nil, range: ClosedRange<Double>? = nil,
        density: Bool = false, color: Color? = nil, label: String? = nil
    ) {
        if let bins {
            guard
                require(
                    bins > 0 && bins <= Panel.maxHistogramBins,
                    "histogram: bins must be 1 … \(Panel.maxHistogramBins), got \(bins)")
            else { return }
        }
        marks.append(
            Histogram.make(
                values, bins: bins, range: range, density: density,
                color: color ?? nextColor(), label: label))
    }

    /// Image samples in a grid filling the panel (axes off, square pixels).
    public mutating func imageGrid(_ grid: ImageGrid) {
        marks.append(ImageGridMark(grid: grid))
        showsAxes = false
        showsGrid = false
        equalAspect = true
        xLimits = 0...Double(grid.pixelWidth)
        yLimits = 0...Double(grid.pixelHeight)
    }
}

/// The x and y columns of a batch of points.
func xy(_ b: Batch) -> ([Double], [Double]) {
    var x = [Double](), y = [Double]()
    x.reserveCapacity(b.count); y.reserveCapacity(b.count)
    for i in 0..<b.count { x.append(b.values[i * b.dims]); y.append(b.values[i * b.dims + 1]) }
    return (x, y)
}

/// Per-path point lists from solver states (`states[k]` = all paths at step k),
/// keeping at most `maxPaths` evenly spaced paths.
public func trajectoryPaths(states: [Batch], maxPaths: Int = .max) -> [[(Double, Double)]] {
    guard let first = states.first, first.dims >= 2 else { return [] }
    let n = first.count
    let keep = n <= maxPaths ? Array(0..<n) : (0..<max(maxPaths, 0)).map { $0 * n / maxPaths }
    return keep.map { i in
        states.compactMap { s in i < s.count ? (s.values[i * s.dims], s.values[i * s.dims + 1]) : nil }
    }
}
