import Foundation
import Tensors
import Testing

@testable import Plotting

struct ImageGridTests {
    @Test func gridOfKImagesHasTheExpectedPixelSize() throws {
        for (k, columns, sep, scale) in [(10, 4, 2, 1), (16, 8, 1, 2), (3, 5, 0, 1), (1, 1, 3, 3)] {
            let t = Tensor(shape: [k, 28, 20], repeating: 0.5)
            let grid = try ImageGrid(images: t, columns: columns, separator: sep, scale: scale)
            let cols = min(columns, k), rows = (k + cols - 1) / cols
            let image = try grid.pixels()
            #expect(image.width == cols * 20 * scale + (cols - 1) * sep)
            #expect(image.height == rows * 28 * scale + (rows - 1) * sep)
        }
    }

    @Test func pixelsLandInTheirCellsWithSeparatorsBetween() throws {
        // Image n is uniformly n/3: black, dark gray, light gray, white.
        var scalars: [Float] = []
        for n in 0..<4 { scalars += [Float](repeating: Float(n) / 3, count: 4 * 4) }
        let grid = try ImageGrid(images: Tensor(shape: [4, 4, 4], scalars: scalars), columns: 2, separator: 1)
        let image = try grid.pixels()
        #expect(image.width == 9 && image.height == 9)
        #expect(image.pixel(0, 0).r == 0)
        #expect(image.pixel(5, 0).r == 85)
        #expect(image.pixel(0, 5).r == 170)
        #expect(image.pixel(8, 8).r == 255)
        #expect(image.pixel(4, 0) == (255, 255, 255, 255)) // the separator column
    }

    @Test func rgbChannelsFirstAndLastAgree() throws {
        var last: [Float] = [], first = [Float](repeating: 0, count: 2 * 3 * 2 * 2)
        for n in 0..<2 {
            for y in 0..<2 {
                for x in 0..<2 {
                    for c in 0..<3 {
                        let v = Float((n + y + x + c) % 4) / 3
                        last.append(v)
                        first[((n * 3 + c) * 2 + y) * 2 + x] = v
                    }
                }
            }
        }
        let a = try ImageGrid(images: Tensor(shape: [2, 2, 2, 3], scalars: last), columns: 2).pixels()
        let b = try ImageGrid(images: Tensor(shape: [2, 3, 2, 2], scalars: first), columns: 2).pixels()
        #expect(a == b)
    }

    @Test func rgbChannelsLandInTheirColours() throws {
        // Three 2×2 images, channels last: pure red, pure green, pure blue, values in −1…1.
        var scalars: [Float] = []
        for n in 0..<3 { for _ in 0..<4 { for c in 0..<3 { scalars.append(c == n ? 1 : -1) } } }
        let grid = try ImageGrid(
            images: Tensor(shape: [3, 2, 2, 3], scalars: scalars), columns: 3, separator: 1, scale: 4)
        let image = try grid.pixels()
        #expect(image.width == 3 * 8 + 2 && image.height == 8)
        #expect(image.pixel(3, 3) == (255, 0, 0, 255))
        #expect(image.pixel(12, 3) == (0, 255, 0, 255))
        #expect(image.pixel(22, 7) == (0, 0, 255, 255))
        if let keep = ProcessInfo.processInfo.environment["CMLAB_GALLERY_DIR"] {
            var fig = Figure(width: 300, height: 140)
            fig[0].imageGrid(grid)
            fig[0].title = "RGB"
            try fig.save(to: URL(fileURLWithPath: keep).appendingPathComponent("rgb.png"))
        }
    }

    @Test func flatSquareRowsAreImages() throws {
        let grid = try ImageGrid(images: Tensor(shape: [5, 784], repeating: 0), columns: 5, separator: 1)
        #expect(grid.imageWidth == 28 && grid.pixelWidth == 5 * 28 + 4)
        #expect(throws: PlotError.self) { try ImageGrid(images: Tensor(shape: [5, 7], repeating: 0)) }
        #expect(throws: PlotError.self) { try ImageGrid(images: Tensor(shape: [5], repeating: 0)) }
    }

    @Test func savesPNGAtExactSize() throws {
        let grid = try ImageGrid(images: Tensor(shape: [6, 8, 8], repeating: 1), columns: 3, separator: 2)
        let png = [UInt8](try grid.pngData())
        let w = Int(png[18]) << 8 | Int(png[19]), h = Int(png[22]) << 8 | Int(png[23])
        #expect(w == 3 * 8 + 4 && h == 2 * 8 + 2)
    }

    /// A wide, short grid gets a figure as tall as its panel needs: the last row of
    /// pixels above the bottom margin are the grid's (no empty band below).
    @Test func figureHeightFitsAShortGrid() throws {
        let images = Tensor(shape: [16, 4, 4], scalars: [Float](repeating: -1, count: 256)) // black images
        var f = Figure()
        f[0].imageGrid(try ImageGrid(images: images, columns: 8, separator: 0, scale: 1))
        f.fitHeightToImageGrids()
        // 8 × 2 images of 4 × 4: aspect 1/4; the panel's inner width is 330 − 2·padding.
        let expected = (330 - 2 * f.style.padding) / 4 + 2 * f.style.padding
        #expect(abs(f.height - expected) < 1e-9, "height \(f.height), expected \(expected)")
        let img = try f.pixels(dpi: 72)
        let mid = img.width / 2
        #expect(img.pixel(mid, img.height - Int(f.style.padding) - 2).r < 40) // the grid reaches the bottom margin
        var g = Figure()
        g[0].scatter(x: [0, 1], y: [0, 1])
        let before = g.height
        g.fitHeightToImageGrids()
        #expect(g.height == before) // other figures keep their height
    }
}
