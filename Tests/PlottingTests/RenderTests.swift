import Foundation
import Tensors
import Testing

@testable import Plotting

/// Facts about rendered output: pixels where the axes put them, file headers, errors.
struct RenderTests {
    @Test func pointAtOriginColoursThePixelTheAxesMapItTo() throws {
        var fig = Figure(width: 300, height: 240)
        fig[0].scatter(x: [0], y: [0], color: Color(red: 1, green: 0, blue: 0), size: 8, alpha: 1)
        fig[0].xLimits = -3...1 // origin off-centre, so a wrong map would miss it
        fig[0].yLimits = -1...4
        fig[0].showsGrid = false
        for dpi in [72.0, 144] {
            let image = try fig.pixels(dpi: dpi)
            #expect(image.width == Int(300 * dpi / 72) && image.height == Int(240 * dpi / 72))
            let t = try fig.transform(ofPanel: 0)
            let (px, py) = t.point(0, 0)
            let x = Int(px * dpi / 72), y = Int(py * dpi / 72)
            let p = image.pixel(x, y)
            #expect(p.r > 240 && p.g < 20 && p.b < 20, "pixel (\(x), \(y)) at dpi \(dpi) is \(p)")
            // And the frame centre, where nothing is drawn, is white.
            let c = image.pixel(Int((t.frame.x + t.frame.width / 2) * dpi / 72), Int((t.frame.y + 4) * dpi / 72))
            #expect(c.r == 255 && c.g == 255 && c.b == 255)
        }
    }

    @Test func transformMapsLimitsToFrameEdges() throws {
        var fig = Figure(width: 400, height: 300)
        fig[0].line(x: [0.002, 80], y: [1, 2])
        fig[0].xScale = .log
        fig[0].xLimits = 0.001...100
        let t = try fig.transform(ofPanel: 0)
        #expect(abs(t.px(0.001) - t.frame.x) < 1e-9)
        #expect(abs(t.px(100) - t.frame.maxX) < 1e-9)
        #expect(abs(t.px(0.1) - (t.frame.x + t.frame.width * 0.4)) < 1e-9)
    }

    @Test func automaticLimitsHaveAMarginAndRobustLimitsIgnoreOutliers() throws {
        var xs = (0..<1000).map { Double($0) / 999 }
        xs[500] = 1000
        var fig = Figure()
        fig[0].scatter(x: xs, y: xs)
        #expect(try fig.transform(ofPanel: 0).xLimits.upperBound > 1000)
        fig[0].limits = .robust(quantile: 0.01)
        let robust = try fig.transform(ofPanel: 0).xLimits
        #expect(robust.upperBound < 1.2 && robust.lowerBound > -0.1, "\(robust)")
    }

    @Test func equalAspectGivesSameScaleOnBothAxes() throws {
        var fig = Figure(width: 500, height: 300)
        fig[0].scatter(x: [-1, 1], y: [-1, 1])
        fig[0].equalAspect = true
        let t = try fig.transform(ofPanel: 0)
        let perUnitX = t.px(1) - t.px(0), perUnitY = t.py(0) - t.py(1)
        #expect(abs(perUnitX - perUnitY) < 1e-6 * perUnitX)
    }

    @Test func svgHoldsTheExpectedElements() throws {
        var fig = Figure(width: 300, height: 200)
        fig[0].scatter(x: [0, 1, 2], y: [0, 1, 4], label: "points")
        fig[0].title = "A title"
        let svg = String(decoding: try fig.data(format: .svg), as: UTF8.self)
        #expect(svg.contains("<svg"))
        #expect(svg.contains("width=\"300") && svg.contains("height=\"200"))
        #expect(svg.contains("<path"))
        // Cairo writes text as glyph outlines it references with <use>.
        #expect(svg.contains("<use") || svg.contains("<text"))
        #expect(svg.hasSuffix("</svg>\n") || svg.contains("</svg>"))
        // Each scatter point is its own filled path: three points, a frame, ticks, grid.
        #expect(svg.components(separatedBy: "<path").count - 1 >= 3 + 1)

        // A heatmap is embedded as one raster image.
        var map = Figure(width: 300, height: 200)
        map[0].heatmap([0, 1, 2, 3], columns: 2, rows: 2, x: 0...1, y: 0...1)
        let svg2 = String(decoding: try map.data(format: .svg), as: UTF8.self)
        #expect(svg2.contains("<image"))
    }

    @Test func pdfStartsWithItsHeader() throws {
        var fig = Figure()
        fig[0].line(y: [3, 1, 2])
        let pdf = try fig.data(format: .pdf)
        #expect(pdf.starts(with: Array("%PDF-".utf8)))
        #expect(String(decoding: pdf.suffix(8), as: UTF8.self).contains("%%EOF"))
    }

    @Test func pngDataIsAPNGOfTheRightSize() throws {
        var fig = Figure(width: 200, height: 100)
        fig[0].line(y: [1, 2, 3])
        let png = try fig.pngData(dpi: 144)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // IHDR width and height, big-endian, at bytes 16…23.
        let b = [UInt8](png)
        let w = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
        let h = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
        #expect(w == 400 && h == 200)
    }

    @Test func savingChoosesTheFormatByExtension() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var fig = Figure()
        fig[0].histogram((0..<500).map { sin(Double($0)) })
        for (ext, magic) in [
            ("png", [UInt8](arrayLiteral: 0x89, 0x50)), ("PDF", Array("%PDF".utf8)), ("svg", Array("<?xml".utf8)),
        ] {
            let url = dir.appendingPathComponent("fig.\(ext)")
            try fig.save(to: url)
            let data = try Data(contentsOf: url)
            #expect(data.starts(with: magic), "\(ext)")
        }
    }

    @Test func missingFolderAndUnknownExtensionAreThrownErrors() {
        var fig = Figure()
        fig[0].line(y: [1, 2])
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/fig.png")
        #expect(throws: PlotError.missingDirectory(missing.deletingLastPathComponent().path)) {
            try fig.save(to: missing)
        }
        let odd = FileManager.default.temporaryDirectory.appendingPathComponent("fig.jpeg")
        #expect(throws: PlotError.unknownFormat(extension: "jpeg", path: odd.path)) { try fig.save(to: odd) }
        let none = FileManager.default.temporaryDirectory.appendingPathComponent("figure")
        #expect(throws: PlotError.self) { try fig.save(to: none) }
        let err = PlotError.unknownFormat(extension: "jpeg", path: "/x/fig.jpeg")
        #expect(err.description.contains(".png, .svg, .pdf"))
    }

    @Test func badMarkDataIsReportedAtRenderTime() {
        var fig = Figure()
        fig[0].scatter(x: [1, 2, 3], y: [1, 2])
        #expect(throws: PlotError.self) { try fig.pngData() }
    }

    @Test func seriesTakeDistinctColoursFromTheCycle() throws {
        var fig = Figure(width: 300, height: 200)
        for k in 0..<3 { fig[0].line(x: [0, 1], y: [Double(k), Double(k)], width: 4) }
        fig[0].legend = .hidden
        fig[0].showsGrid = false
        let image = try fig.pixels()
        let t = try fig.transform(ofPanel: 0)
        let colours = (0..<3).map { k -> [UInt8] in
            let p = image.pixel(Int(t.px(0.5)), Int(t.py(Double(k))))
            return [p.r, p.g, p.b]
        }
        #expect(Set(colours).count == 3, "\(colours)")
    }

    @Test func colormapEndsAndMonotoneLightness() {
        let v = Colormap.viridis
        #expect(v.color(at: 0) == Color(hex: 0x440154))
        #expect(v.color(at: 1) == Color(hex: 0xFDE725))
        var last = -1.0
        for i in 0...50 {
            let c = v.color(at: Double(i) / 50)
            let lum = 0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue
            #expect(lum > last); last = lum
        }
        let m = ColorMapping(colormap: v, range: 0.002...80, scale: .log)
        #expect(abs(m.fraction(sqrt(0.002 * 80)) - 0.5) < 1e-12)
    }
}

struct PerformanceTests {
    /// 10,000 points must render well under a second in release; the debug build of
    /// the tests gets a looser bound (Cairo itself is always optimised).
    @Test func tenThousandPointScatterIsFast() throws {
        let rng = RNG(seed: 1)
        let n = 10_000
        var fig = Figure()
        fig[0].scatter(
            x: (0..<n).map { rng.normal(at: UInt64($0)) }, y: (0..<n).map { rng.normal(at: UInt64(n + $0)) },
            values: (0..<n).map { Double($0) })
        let start = Date()
        _ = try fig.pngData()
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 2.0, "10k-point scatter took \(seconds) s")
        print("10k-point scatter to PNG: \(String(format: "%.3f", seconds)) s")
    }
}

/// Awkward input draws something sensible instead of trapping or failing.
struct RobustnessTests {
    @Test func emptyNaNAndDegenerateInputsStillRender() throws {
        var fig = Figure(rows: 2, columns: 3)
        // fig[0] stays empty.
        fig[1].scatter(x: [.nan, 1, .infinity], y: [0, .nan, 2])
        fig[2].line(x: [1, 1, 1], y: [5, 5, 5]) // a single point, zero span
        fig[3].line(x: [0, 1, 2], y: [-1, 0, 10]); fig[3].yScale = .log // non-positive on a log axis
        fig[4].scatter(x: [0, 1], y: [0, 1]); fig[4].xLimits = 2...2; fig[4].yLimits = -1...(-1)
        fig[5].histogram([]); fig[5].xScale = .log; fig[5].xLimits = -1...10
        for format in OutputFormat.allCases { #expect(try fig.data(format: format).count > 100) }
        _ = try fig.pixels()
        #expect(throws: PlotError.self) { try fig.transform(ofPanel: 6) }
        if let keep = ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] {
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("awkward.png"))
        }
    }
}

struct NamesTests {
    @Test func enumsAndColormapsAreFoundByName() {
        #expect(Scale.named("LOG") == .log)
        #expect(Marker.named("triangle") == .triangle)
        #expect(LineStyle.named("dashdot") == .dashDot)
        #expect(LegendPosition.named("upper left") == .upperLeft)
        #expect(Marker.named("star") == nil)
        #expect(Marker.names.contains("circle"))
        #expect(Colormap.named("Viridis") == .viridis)
        #expect(Colormap.named("jet") == nil)
        #expect(Color(named: "#FF8000") == Color(red: 1, green: 128.0 / 255, blue: 0))
        #expect(Color(named: "C1") == Color.cycle[1])
        #expect(Color(named: "#00000080")?.alpha == 128.0 / 255)
        #expect(Color(named: "chartreuse") == nil)
    }
}
