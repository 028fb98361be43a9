import Foundation
import Tensors

/// Image samples tiled in rows of `columns`, with thin separators between them.
///
/// The grid's size is exact and predictable: `columns·w·scale + (columns−1)·separator`
/// pixels wide and `rows·h·scale + (rows−1)·separator` high for `h × w` images, so a
/// sample sheet can be compared pixel for pixel across runs. Pixels are magnified
/// by whole numbers with nearest-neighbour sampling: a 28×28 digit stays sharp.
public struct ImageGrid {
    public let count: Int
    public let imageWidth: Int
    public let imageHeight: Int
    /// 1 (grayscale) or 3 (RGB).
    public let channels: Int
    public let columns: Int
    public var separator: Int
    public var scale: Int
    public var separatorColor: Color = .white
    /// Intensities in [0, 1], image-major, then row, column, channel.
    let unit: [Double]

    public var rows: Int { (count + columns - 1) / max(columns, 1) }
    public var pixelWidth: Int { columns * imageWidth * scale + (columns - 1) * separator }
    public var pixelHeight: Int { max(rows, 1) * imageHeight * scale + max(rows - 1, 0) * separator }

    /// Images from a tensor. Accepted shapes: `[k, h, w]` (gray), `[k, h, w, c]` or
    /// `[k, c, h, w]` with c ∈ {1, 3}, and `[k, d]` with d = s² (gray s×s) or 3s²
    /// (RGB, channels first as PyTorch flattens). Values map from `range` to black…white;
    /// without one it is 0…1 or −1…1 when the data fit (the usual conventions), else min…max.
    public init(
        images: Tensor, columns: Int = 8, separator: Int = 2, scale: Int = 1,
        range: ClosedRange<Double>? = nil
    ) throws {
        let s = images.shape
        var layout: (k: Int, h: Int, w: Int, c: Int, channelsFirst: Bool)
        switch s.count {
        case 3: layout = (s[0], s[1], s[2], 1, false)
        case 4 where s[3] == 1 || s[3] == 3: layout = (s[0], s[1], s[2], s[3], false)
        case 4 where s[1] == 1 || s[1] == 3: layout = (s[0], s[2], s[3], s[1], true)
        case 2:
            let d = s[1], side = Int(Double(d).squareRoot().rounded()),
                side3 = Int((Double(d) / 3).squareRoot().rounded())
            if side * side == d {
                layout = (s[0], side, side, 1, false)
            } else if 3 * side3 * side3 == d {
                layout = (s[0], side3, side3, 3, true)
            } else {
                throw PlotError.badShape("image grid: rows of \(d) values are not square images (shape \(s))")
            }
        default:
            throw PlotError.badShape(
                "image grid: expected [k, h, w], [k, h, w, c], [k, c, h, w] or [k, d], got shape \(s)")
        }
        let (k, h, w, c) = (layout.k, layout.h, layout.w, layout.c)
        var hwc = [Double](repeating: 0, count: k * h * w * c)
        let src = images.scalars
        for n in 0..<k {
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c {
                        let from =
                            layout.channelsFirst ? ((n * c + ch) * h + y) * w + x : ((n * h + y) * w + x) * c + ch
                        hwc[((n * h + y) * w + x) * c + ch] = Double(src[from])
                    }
                }
            }
        }
        try self.init(
            pixels: hwc, count: k, width: w, height: h, channels: c, columns: columns,
            separator: separator, scale: scale, range: range)
    }

    /// Images from plain values laid out image, row, column, channel (`count·height·width·channels`).
    public init(
        pixels: [Double], count: Int, width: Int, height: Int, channels: Int = 1, columns: Int = 8,
        separator: Int = 2, scale: Int = 1, range: ClosedRange<Double>? = nil
    ) throws {
        guard count > 0, width > 0, height > 0 else {
            throw PlotError.badShape(
                "image grid: needs at least one non-empty image, got \(count) of \(width)×\(height)")
        }
        guard channels == 1 || channels == 3 else {
            throw PlotError.badShape("image grid: channels must be 1 or 3, got \(channels)")
        }
        guard pixels.count == count * width * height * channels else {
            throw PlotError.badShape(
                "image grid: \(count) images of \(width)×\(height)×\(channels) need "
                    + "\(count * width * height * channels) values, got \(pixels.count)"
            )
        }
        guard columns > 0, separator >= 0, scale > 0 else {
            throw PlotError.badShape("image grid: columns and scale must be positive, separator non-negative")
        }
        let r = range ?? ImageGrid.guessRange(pixels)
        let span = r.upperBound > r.lowerBound ? r.upperBound - r.lowerBound : 1
        self.unit = pixels.map { min(max(($0 - r.lowerBound) / span, 0), 1) }
        self.count = count; self.imageWidth = width; self.imageHeight = height; self.channels = channels
        self.columns = min(columns, count); self.separator = separator; self.scale = scale
    }

    static func guessRange(_ v: [Double]) -> ClosedRange<Double> {
        let finite = v.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if lo >= 0 && hi <= 1 { return 0...1 }
        if lo >= -1 && hi <= 1 { return -1...1 }
        if lo >= 0 && hi <= 255 && hi > 1 { return 0...255 }
        return lo...(hi > lo ? hi : lo + 1)
    }

    /// The colour at grid pixel (x, y) from the top-left (separators included).
    func color(_ x: Int, _ y: Int) -> Color {
        let cellW = imageWidth * scale + separator, cellH = imageHeight * scale + separator
        let col = x / cellW, row = y / cellH
        let ix = (x % cellW) / scale, iy = (y % cellH) / scale
        let n = row * columns + col
        guard n < count, x % cellW < imageWidth * scale, y % cellH < imageHeight * scale else { return separatorColor }
        let base = ((n * imageHeight + iy) * imageWidth + ix) * channels
        return channels == 1
            ? Color(red: unit[base], green: unit[base], blue: unit[base])
            : Color(red: unit[base], green: unit[base + 1], blue: unit[base + 2])
    }

    private func draw(_ c: Canvas) {
        c.raster(
            width: pixelWidth, height: pixelHeight,
            into: Rect(x: 0, y: 0, width: Double(pixelWidth), height: Double(pixelHeight)),
            smooth: false, color: color)
    }

    /// The grid as pixels, one per image pixel × scale.
    public func pixels() throws -> RGBAImage {
        try renderPixels(width: Double(pixelWidth), height: Double(pixelHeight), dpi: 72, draw: draw)
    }

    /// The grid as PNG bytes at its exact pixel size.
    public func pngData() throws -> Data {
        try renderPage(width: Double(pixelWidth), height: Double(pixelHeight), format: .png, dpi: 72, draw: draw)
    }

    /// Writes the grid; PNG keeps the exact pixel size, SVG and PDF embed it at one point a pixel.
    public func save(to url: URL) throws {
        let format = try checkedFormat(for: url)
        try write(
            renderPage(width: Double(pixelWidth), height: Double(pixelHeight), format: format, dpi: 72, draw: draw),
            to: url)
    }
}

/// An image grid drawn inside a panel, scaled to fit with square pixels.
struct ImageGridMark: Mark {
    var grid: ImageGrid
    var extent: Extent {
        Extent(xs: [0, Double(grid.pixelWidth)], ys: [0, Double(grid.pixelHeight)], tight: true)
    }
    func draw(_ c: Canvas, _ t: Transform) {
        let x0 = t.px(0), x1 = t.px(Double(grid.pixelWidth))
        let y0 = t.py(Double(grid.pixelHeight)), y1 = t.py(0)
        guard [x0, x1, y0, y1].allSatisfy(\.isFinite) else { return }
        c.raster(
            width: grid.pixelWidth, height: grid.pixelHeight,
            into: Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0), smooth: false, color: grid.color)
    }
}
