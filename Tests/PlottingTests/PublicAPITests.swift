import Foundation
import Plotting // deliberately not @testable: this file uses only the public surface.
import Tensors
import Testing

/// The calls the integrator and the script bindings make, compiled against the
/// public API only, so an access-level slip fails here rather than downstream.
struct PublicAPITests {
    @Test func publicSurfaceDrawsEveryMark() throws {
        var fig = Figure(rows: 2, columns: 2, width: 600, height: 450, title: "public API")
        fig.style.tickFontSize = 9
        fig[0].scatter(x: [0, 1, 2], y: [1, 0, 1], label: "a")
        fig[0].scatter(x: [0, 1], y: [0, 1], values: [0.1, 10], colormap: .plasma, scale: .log, colorbarLabel: "v")
        fig[0].scatter(Batch(count: 2, dims: 2, values: [0, 0, 1, 1]), color: Color(hex: 0x333333))
        fig[0].line(x: [0, 1, 2], y: [2, 1, 0], label: "b", style: .dashed, marker: .diamond)
        fig[0].line(y: [3, 2, 1])
        fig[0].title = "marks"; fig[0].xLabel = "x"; fig[0].yLabel = "y"
        fig[0].legend = .lowerLeft
        fig[1].trajectories(paths: [[(0, 0), (1, 1), (1, 2)]], sigmas: [80, 1, 0.002])
        fig[1].trajectories(
            states: [Batch(count: 1, dims: 2, values: [2, 2]), Batch(count: 1, dims: 2, values: [1, 1])],
            sigmas: [1, 0.5])
        fig[1].vectorField(x: [0, 1], y: [0, 1], u: [1, 0, 0, 1], v: [0, 1, 1, 0])
        fig[1].limits = .robust(quantile: 0.01)
        fig[1, 0].heatmap([1, 2, 3, 4], columns: 2, rows: 2, x: 0...1, y: 0...1, colormap: .magma, smooth: false)
        fig[1, 0].density(x: [0, 0.1, 0.2], y: [0, 0.1, 0.2], bins: 10)
        fig[1, 0].equalAspect = true
        fig[1, 1].histogram([1, 2, 2, 3, 3, 3], bins: 3, density: true, label: "h")
        fig[1, 1].xScale = .linear; fig[1, 1].yScale = .log
        fig[1, 1].xLimits = 0...4; fig[1, 1].yLimits = 0.01...1
        fig[1, 1].showsGrid = false

        let png = try fig.pngData(dpi: 72)
        #expect(png.count > 1000)
        let pixels: RGBAImage = try fig.pixels(dpi: 72)
        #expect(pixels.width == 600 && pixels.height == 450 && pixels.bytes.count == 600 * 450 * 4)
        let t: Transform = try fig.transform(ofPanel: 3)
        #expect(t.frame.width > 0 && t.px(0) < t.px(4))
        let ts: TickSet = ticks(for: 0.002...80, scale: .log)
        #expect(ts.major.count == 4)

        let grid = try ImageGrid(images: Tensor(shape: [4, 3, 3], repeating: 0.5), columns: 2, separator: 1, scale: 2)
        #expect(grid.pixelWidth == 2 * 6 + 1)
        var sheet = Figure()
        sheet[0].imageGrid(grid)
        _ = try sheet.data(format: .svg)
        _ = try grid.pngData()
        #expect(throws: PlotError.self) { try fig.save(to: URL(fileURLWithPath: "/no/such/folder/x.pdf")) }
    }
}
