import Foundation
import Testing

@testable import Plotting

/// Categories, bands, shared axes and legends that keep off the data, checked on pixels and layout.
struct GroupsAndSharingTests {
    /// The colour among `palette` nearest to a pixel (squared RGB distance).
    func nearest(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8), _ palette: [Color]) -> Int {
        let d = palette.map { c in
            let dr = Double(p.r) - c.red * 255, dg = Double(p.g) - c.green * 255, db = Double(p.b) - c.blue * 255
            return dr * dr + dg * dg + db * db
        }
        return d.indices.min { d[$0] < d[$1] } ?? -1
    }

    func pixel(
        _ fig: Figure, _ image: RGBAImage, _ x: Double, _ y: Double, panel: Int = 0
    ) throws -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let t = try fig.transform(ofPanel: panel)
        return image.pixel(Int(t.px(x).rounded()), Int(t.py(y).rounded()))
    }

    @Test func categoriesTakeTheCycleInTheOrderOfTheirNamesWithOneLegendRowEach() throws {
        var fig = Figure(width: 300, height: 260)
        fig[0].scatter(
            x: [0, 1, 2, 0.1], y: [0, 1, 0, 0.1], groups: [2, 0, 1, 2], names: ["a", "b", "c"], size: 10, alpha: 1)
        fig[0].showsGrid = false
        let image = try fig.pixels()
        #expect(nearest(try pixel(fig, image, 1, 1), Color.cycle) == 0) // category 0, "a"
        #expect(nearest(try pixel(fig, image, 2, 0), Color.cycle) == 1)
        #expect(nearest(try pixel(fig, image, 0, 0), Color.cycle) == 2)
        #expect(fig[0].marks.flatMap(\.legendEntries).map(\.label) == ["a", "b", "c"])
        // More than ten categories still get distinct colours.
        let many = Color.categorical(25)
        #expect(Set(many).count == 25)
        // A category index outside the names is refused when rendering, not trapped on.
        var bad = Figure()
        bad[0].scatter(x: [0], y: [0], groups: [3], names: ["a"])
        #expect(throws: PlotError.self) { try bad.pixels() }
    }

    @Test func bandFillsBetweenItsCurvesOnly() throws {
        var fig = Figure(width: 300, height: 240)
        fig[0].band(x: [0, 1, 2], lower: [1, 1, 1], upper: [2, 3, 2], color: Color(hex: 0xFF0000), alpha: 0.5)
        fig[0].xLimits = 0...2; fig[0].yLimits = 0...4; fig[0].showsGrid = false
        let image = try fig.pixels()
        let inside = try pixel(fig, image, 1, 2), below = try pixel(fig, image, 1, 0.5),
            above = try pixel(fig, image, 1, 3.5)
        #expect(inside.r == 255 && inside.g < 160 && inside.g > 100, "\(inside)") // half-transparent red on white
        #expect(below.r == 255 && below.g == 255 && above.g == 255)
    }

    @Test func sharedAxesTakeTheUnionAndShowInnerTickLabelsOnce() throws {
        var fig = Figure(rows: 2, columns: 2)
        fig[0].scatter(x: [0, 1], y: [0, 1])
        fig[1].scatter(x: [5, 6], y: [10, 20])
        fig[2].scatter(x: [-3, 0], y: [2, 3])
        fig[3].line(x: [1, 2], y: [0, 1])
        let own = try (0..<4).map { try fig.transform(ofPanel: $0).xLimits }
        #expect(own[0] != own[1])
        fig.sharesX = true
        let x = try (0..<4).map { try fig.transform(ofPanel: $0).xLimits }
        #expect(x.allSatisfy { $0 == x[0] } && x[0].lowerBound < -3 && x[0].upperBound > 6)
        let y0 = try fig.transform(ofPanel: 0).yLimits, y1 = try fig.transform(ofPanel: 1).yLimits
        #expect(y0 != y1)
        fig.sharesY = true
        let y = try (0..<4).map { try fig.transform(ofPanel: $0).yLimits }
        #expect(y.allSatisfy { $0 == y[0] } && y[0].upperBound > 20)
        let drawn = fig.drawnPanels()
        #expect(drawn.map(\.hidesXTickLabels) == [true, true, false, false])
        #expect(drawn.map(\.hidesYTickLabels) == [false, true, false, true])
        // Frames of a column still line up: hidden labels keep their room.
        let left0 = try fig.transform(ofPanel: 0).frame.x, left2 = try fig.transform(ofPanel: 2).frame.x
        #expect(left0 == left2)
    }

    /// Points everywhere: no corner is free, so `avoidingData` puts the legend beside the
    /// frame (narrower than with the legend hidden), and no legend pixel lands inside the frame.
    /// With a free corner it stays inside and the frame keeps its width.
    @Test func legendAvoidingDataMovesOutsideOnlyWhenEveryCornerIsTaken() throws {
        let grid = (0..<21).flatMap { i in (0..<21).map { j in (Double(i) / 20, Double(j) / 20) } }
        func figure(_ pts: [(Double, Double)], _ legend: LegendPosition) -> Figure {
            var fig = Figure(width: 400, height: 300)
            fig[0].scatter(x: pts.map(\.0), y: pts.map(\.1), label: "a long legend label")
            fig[0].legend = legend
            return fig
        }
        let hidden = try figure(grid, .hidden).transform(ofPanel: 0).frame
        let full = figure(grid, .avoidingData)
        let moved = try full.transform(ofPanel: 0).frame
        #expect(moved.width < hidden.width - 60)
        // The legend's text (dark pixels) sits right of the frame, level with its top.
        let image = try full.pixels()
        let dark = (Int(moved.maxX) + 6..<image.width).contains { x in
            (Int(moved.y)..<Int(moved.y + 30)).contains { y in image.pixel(x, y).r < 90 }
        }
        #expect(dark)
        let sparse = grid.filter { !($0.0 > 0.5 && $0.1 > 0.5) }
        let kept = try figure(sparse, .avoidingData).transform(ofPanel: 0).frame
        #expect(kept.width == hidden.width)
    }

    @Test func longLegendsGoIntoColumns() throws {
        var fig = Figure(width: 300, height: 200)
        fig[0].scatter(
            x: Array(repeating: 0, count: 30), y: Array(repeating: 0, count: 30),
            groups: Array(0..<30), names: (0..<30).map { "c\($0)" })
        var boxes: [LegendBox] = []
        _ = try renderPixels(width: 300, height: 200, dpi: 72) { c in
            let L = fig[0].layout(in: fig.cells()[0], canvas: c, style: fig.style)
            if let b = fig[0].legendBox(canvas: c, style: fig.style, maxHeight: 0.75 * L.frame.height) {
                boxes.append(b)
            }
        }
        let b = try #require(boxes.first)
        #expect(b.perColumn < 30 && b.width > 2 * b.columnWidth)
    }
}
