import Foundation
import Tensors
import Testing

@testable import Plotting

/// Issue 14, item 11: Ctrl-C stops a figure that is still drawing, and nothing is written.
@Suite struct RenderCancellationTests {
    @Test func aCancelledRenderingWritesNothing() throws {
        var fig = Figure()
        let n = 200_000
        fig[0].scatter(x: (0..<n).map { Double($0 % 997) }, y: (0..<n).map { Double($0 % 991) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cancel-\(UUID()).png")
        defer { try? FileManager.default.removeItem(at: url) }
        let token = CancellationToken()
        token.cancel()
        #expect(throws: PlotError.cancelled) { try RenderCancellation.with(token) { try fig.save(to: url) } }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        // Without the flag the same figure is written.
        try RenderCancellation.with(CancellationToken()) { try fig.save(to: url) }
        #expect(FileManager.default.fileExists(atPath: url.path))
    }
}

/// Issue 14: every kind of mark polls the flag while it draws, and the PNG/SVG/PDF encoder
/// stops too. A render under an already-cancelled token must leave the plot area exactly as
/// an empty panel with the same limits leaves it (nothing of the mark drawn), while the same
/// render without the flag does draw the mark; saving in any format throws and writes nothing.
@Suite struct EveryMarkCancellationTests {
    /// One panel per kind of mark, with fixed limits, no legend and no colour bar, so
    /// the plot area depends only on what the mark draws.
    static func kinds() throws -> [(name: String, panel: Panel)] {
        let n = 20_000
        let xs = (0..<n).map { Double($0 % 997) / 997 }, ys = (0..<n).map { Double($0 % 991) / 991 }
        var out: [(String, Panel)] = []
        func add(_ name: String, _ fill: (inout Panel) throws -> Void) rethrows {
            var p = Panel()
            try fill(&p)
            if p.xLimits == nil { p.xLimits = 0...1; p.yLimits = 0...1 }
            p.legend = .hidden
            p.showsColorbar = false
            out.append((name, p))
        }
        add("scatter") { $0.scatter(x: xs, y: ys) }
        add("line") { $0.line(x: xs, y: ys) }
        add("density") { $0.density(x: xs, y: ys, bins: 64, range: (x: 0...1, y: 0...1)) }
        add("heatmap") { $0.heatmap((0..<10_000).map(Double.init), columns: 100, rows: 100, x: 0...1, y: 0...1) }
        add("histogram") {
            $0.histogram(xs, bins: 50, range: 0...1); $0.yLimits = 0...600; $0.xLimits = 0...1
        }
        add("trajectories") {
            let paths = (0..<60).map { p in (0..<30).map { k in (Double(p) / 60, Double(k) / 30) } }
            $0.trajectories(paths: paths, sigmas: (0..<30).map { 80 * pow(0.7, Double($0)) })
        }
        add("vector field") {
            let g = (0..<20).map { Double($0) / 19 }
            $0.vectorField(x: g, y: g, u: Array(repeating: 1, count: 400), v: Array(repeating: 0.5, count: 400))
        }
        let grid = try ImageGrid(
            pixels: (0..<(16 * 64)).map { Double($0 % 7) / 6 }, count: 16, width: 8, height: 8,
            columns: 4)
        add("image grid") { p in p.imageGrid(grid) }
        return out
    }

    /// The plot area's pixels (inset by 2 px from the frame).
    static func plotArea(_ fig: Figure, token: CancellationToken) throws -> [UInt8] {
        let frame = try fig.transform(ofPanel: 0).frame
        let image = try RenderCancellation.with(token) { try fig.pixels(dpi: 72) }
        var out: [UInt8] = []
        for y in Int(frame.y.rounded(.up)) + 2..<Int(frame.maxY) - 2 {
            for x in Int(frame.x.rounded(.up)) + 2..<Int(frame.maxX) - 2 {
                let p = image.pixel(x, y)
                out += [p.r, p.g, p.b, p.a]
            }
        }
        return out
    }

    @Test func everyMarkStopsDrawing() throws {
        let cancelled = CancellationToken()
        cancelled.cancel()
        for (name, panel) in try Self.kinds() {
            var fig = Figure(width: 300, height: 240), empty = Figure(width: 300, height: 240)
            fig[0] = panel
            var bare = panel
            bare.marks = []
            empty[0] = bare
            let blank = try Self.plotArea(empty, token: CancellationToken())
            #expect(
                try Self.plotArea(fig, token: CancellationToken()) != blank, "\(name): the mark draws nothing at all")
            #expect(try Self.plotArea(fig, token: cancelled) == blank, "\(name): drew after Ctrl-C")
        }
    }

    @Test func everyFormatStopsEncodingAndWritesNothing() throws {
        let cancelled = CancellationToken()
        cancelled.cancel()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cancel-all-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, panel) in try Self.kinds() {
            var fig = Figure()
            fig[0] = panel
            for format in OutputFormat.allCases {
                let url = dir.appendingPathComponent("fig.\(format.rawValue)")
                #expect(throws: PlotError.cancelled, "\(name) .\(format.rawValue)") {
                    try RenderCancellation.with(cancelled) { try fig.save(to: url) }
                }
                #expect(!FileManager.default.fileExists(atPath: url.path), "\(name) .\(format.rawValue) was written")
            }
        }
        // An image grid saved on its own (not through a figure) stops in its encoder too.
        let grid = try ImageGrid(pixels: (0..<(4 * 64)).map { Double($0 % 5) / 4 }, count: 4, width: 8, height: 8)
        for format in OutputFormat.allCases {
            let url = dir.appendingPathComponent("grid.\(format.rawValue)")
            #expect(throws: PlotError.cancelled) { try RenderCancellation.with(cancelled) { try grid.save(to: url) } }
            #expect(!FileManager.default.fileExists(atPath: url.path))
            try grid.save(to: url)
            #expect(FileManager.default.fileExists(atPath: url.path))
        }
    }
}
