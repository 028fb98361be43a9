import Foundation

/// A figure: a grid of panels (rows × columns) on a page, written as PNG, SVG or PDF.
///
/// Sizes are in points (1/72 inch), the unit of Cairo's vector surfaces and of
/// paper layouts; a PNG has `width·dpi/72 × height·dpi/72` pixels. Panels are
/// numbered row by row: `fig[0]`, `fig[1]`, … or `fig[row, column]`.
///
/// ```swift
/// var fig = Figure(rows: 1, columns: 2)
/// fig[0].scatter(x: xs, y: ys, label: "teacher")
/// fig[1].line(y: losses); fig[1].yScale = .log
/// try fig.save(to: URL(fileURLWithPath: "out/figure.png"))
/// ```
public struct Figure {
    public let rows: Int
    public let columns: Int
    public var width: Double
    public var height: Double
    /// A title over all panels.
    public var title: String?
    public var style = Style()
    public var panels: [Panel]
    /// All panels show the same x range (the union of what each would show) and only the
    /// bottom row labels its x ticks; likewise y, labelled in the left column only.
    /// Panels whose scale differs from the first panel's, or without axes, keep their own.
    public var sharesX = false
    public var sharesY = false

    /// Default DPI for PNG output: twice screen resolution, sharp when zoomed or printed small.
    public static let defaultDPI = 144.0

    /// A figure of `rows × columns` panels; without a size each panel gets about 330 × 270 points.
    public init(rows: Int = 1, columns: Int = 1, width: Double? = nil, height: Double? = nil, title: String? = nil) {
        self.rows = max(1, rows)
        self.columns = max(1, columns)
        self.width = width ?? 330 * Double(max(1, columns))
        self.height = height ?? 270 * Double(max(1, rows)) + (title == nil ? 0 : 24)
        self.title = title
        self.panels = Array(repeating: Panel(), count: self.rows * self.columns)
    }

    /// For a figure whose panels all hold only an image grid: the height at which each
    /// row's grids fill their panels' width (plus title and padding), so short grids
    /// leave no empty band below them. Other figures keep their height.
    public mutating func fitHeightToImageGrids() {
        var rowHeights: [Double] = []
        let w = width / Double(columns)
        for r in 0..<rows {
            var tallest = 0.0
            for c in 0..<columns {
                let p = self[r, c]
                if p.marks.isEmpty { continue }
                guard p.marks.count == 1, let g = p.marks[0] as? ImageGridMark else { return }
                let titleHeight = p.title == nil ? 0 : style.titleFontSize * 1.3 + 5
                let inner = w - 2 * style.padding
                tallest = max(
                    tallest,
                    inner * Double(g.grid.pixelHeight) / Double(g.grid.pixelWidth) + titleHeight + 2 * style.padding)
            }
            rowHeights.append(tallest)
        }
        guard let tallest = rowHeights.max(), tallest > 0 else { return }
        height = tallest * Double(rows) + (title == nil ? 0 : style.figureTitleFontSize * 1.4 + 8)
    }

    public subscript(index: Int) -> Panel {
        get { panels[index] }
        set { panels[index] = newValue }
        _modify { yield &panels[index] }
    }

    public subscript(row: Int, column: Int) -> Panel {
        get { panels[row * columns + column] }
        set { panels[row * columns + column] = newValue }
        _modify { yield &panels[row * columns + column] }
    }

    // MARK: Output

    /// Writes the figure in the format named by the extension (.png, .svg, .pdf).
    /// - Throws: ``PlotError`` for an unknown extension, a missing folder, bad mark data
    ///   or a Cairo failure — never traps.
    public func save(to url: URL, dpi: Double = Figure.defaultDPI) throws {
        let format = try checkedFormat(for: url)
        try write(data(format: format, dpi: dpi), to: url)
    }

    /// The bytes of the figure as a file in `format`.
    public func data(format: OutputFormat, dpi: Double = Figure.defaultDPI) throws -> Data {
        try validate()
        let bytes = try renderPage(width: width, height: height, format: format, dpi: dpi, draw: draw)
        if RenderCancellation.isCancelled { throw PlotError.cancelled }
        return bytes
    }

    /// The figure as PNG bytes in memory, e.g. for a notebook report to embed.
    public func pngData(dpi: Double = Figure.defaultDPI) throws -> Data { try data(format: .png, dpi: dpi) }

    /// The figure as RGBA pixels (for tests and terminal previews).
    public func pixels(dpi: Double = 72) throws -> RGBAImage {
        try validate()
        return try renderPixels(width: width, height: height, dpi: dpi, draw: draw)
    }

    /// The data→page map of panel `index` as it will be drawn (page points; multiply
    /// by dpi/72 for pixels).
    public func transform(ofPanel index: Int) throws -> Transform {
        guard panels.indices.contains(index) else {
            throw PlotError.badShape("panel \(index) does not exist: the figure has \(panels.count) panels")
        }
        var result: Transform?
        _ = try renderPixels(width: 1, height: 1, dpi: 72) { c in
            result = drawnPanels()[index].layout(in: cells()[index], canvas: c, style: style).transform
        }
        return result!
    }

    private func validate() throws {
        guard width > 0, height > 0, width.isFinite, height.isFinite else {
            throw PlotError.badShape("figure size must be positive, got \(width) × \(height)")
        }
        for (i, p) in panels.enumerated() {
            if let problem = p.problems.first { throw PlotError.badShape("panel \(i): \(problem)") }
        }
    }

    /// The page rectangle of each panel, row by row, below the figure title.
    func cells() -> [Rect] {
        let top = title == nil ? 0 : style.figureTitleFontSize * 1.4 + 8
        let w = width / Double(columns), h = (height - top) / Double(rows)
        return (0..<(rows * columns)).map { i in
            Rect(x: Double(i % columns) * w, y: top + Double(i / columns) * h, width: w, height: h)
        }
    }

    func draw(_ c: Canvas) {
        c.setColor(style.background)
        c.rect(Rect(x: 0, y: 0, width: width, height: height)); c.fill()
        if let title {
            c.text(title, width / 2, 8, size: style.figureTitleFontSize, color: style.textColor, h: .center, v: .top)
        }
        for (panel, cell) in zip(drawnPanels(), cells()) { panel.draw(in: cell, canvas: c, style: style) }
    }

    /// The panels as drawn: with shared limits and inner tick labels hidden when axes are shared.
    func drawnPanels() -> [Panel] {
        guard sharesX || sharesY, let first = panels.first(where: { $0.showsAxes }) else { return panels }
        var out = panels
        let chosen = panels.map { $0.chosenLimits() }
        func union(_ range: (Int) -> ClosedRange<Double>, _ joins: (Panel) -> Bool) -> ClosedRange<Double>? {
            let members = panels.indices.filter { joins(panels[$0]) }.map(range)
            guard let lo = members.map(\.lowerBound).min(), let hi = members.map(\.upperBound).max() else { return nil }
            return lo...hi
        }
        let joinsX = { (p: Panel) in p.showsAxes && p.xScale == first.xScale }
        let joinsY = { (p: Panel) in p.showsAxes && p.yScale == first.yScale }
        let xs = sharesX ? union({ chosen[$0].x }, joinsX) : nil
        let ys = sharesY ? union({ chosen[$0].y }, joinsY) : nil
        for i in out.indices {
            let row = i / columns, column = i % columns
            // The panel below exists and shares: this one's x tick labels would repeat it.
            let below = i + columns < out.count && joinsX(out[i + columns])
            if let xs, joinsX(out[i]) { out[i].xLimits = xs; out[i].hidesXTickLabels = below && row < rows - 1 }
            if let ys, joinsY(out[i]) {
                out[i].yLimits = ys
                out[i].hidesYTickLabels = column > 0 && joinsY(out[i - 1])
            }
        }
        return out
    }
}
