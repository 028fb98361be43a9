import CCairo
import Foundation
import Tensors

/// The file formats Plotting writes, each through Cairo's own surface.
public enum OutputFormat: String, CaseIterable {
    case png, svg, pdf

    /// The format named by `url`'s extension (case-insensitive).
    /// - Throws: ``PlotError/unknownFormat(extension:path:)`` for anything else.
    public init(url: URL) throws {
        let ext = url.pathExtension.lowercased()
        guard let f = OutputFormat(rawValue: ext) else {
            throw PlotError.unknownFormat(extension: url.pathExtension, path: url.path)
        }
        self = f
    }
}

/// Straight-alpha RGBA pixels, row-major from the top-left, 4 bytes a pixel.
///
/// Tests read facts back from it (which colour landed where), and a terminal
/// preview can draw it without going through a PNG decoder.
public struct RGBAImage: Equatable {
    public let width: Int
    public let height: Int
    /// `width × height × 4` bytes: R, G, B, A.
    public var bytes: [UInt8]

    /// The pixel at column `x`, row `y` (0-based, from the top-left).
    public func pixel(_ x: Int, _ y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
        let i = (y * width + x) * 4
        return (bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3])
    }
}

/// Checks that `url` can be written: known format and an existing folder.
func checkedFormat(for url: URL) throws -> OutputFormat {
    let format = try OutputFormat(url: url)
    let dir = url.deletingLastPathComponent()
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
        throw PlotError.missingDirectory(dir.path)
    }
    return format
}

/// Collects the bytes Cairo streams out of a surface.
private final class ByteSink { var data = Data() }

private let writeToSink: cairo_write_func_t = { closure, bytes, length in
    // Ctrl-C during encoding: a write error makes Cairo stop compressing at once.
    guard let closure, let bytes, !RenderCancellation.isCancelled else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.data.append(bytes, count: Int(length))
    return CAIRO_STATUS_SUCCESS
}

private func check(_ status: cairo_status_t) throws {
    guard status == CAIRO_STATUS_SUCCESS else {
        throw PlotError.cairo(String(cString: cairo_status_to_string(status)))
    }
}

/// Draws a page `width × height` points onto a raster at `dpi` and hands the surface
/// to `body` before it is destroyed.
func withRaster<T>(
    width: Double, height: Double, dpi: Double,
    draw: (Canvas) -> Void, body: (OpaquePointer) throws -> T
) throws -> T {
    let scale = dpi / 72
    let pw = Int32(max(1, (width * scale).rounded())), ph = Int32(max(1, (height * scale).rounded()))
    guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph) else {
        throw PlotError.cairo("no surface")
    }
    defer { cairo_surface_destroy(surface) }
    try check(cairo_surface_status(surface))
    guard let cr = cairo_create(surface) else { throw PlotError.cairo("no context") }
    cairo_scale(cr, scale, scale)
    draw(Canvas(cr))
    let status = cairo_status(cr)
    cairo_destroy(cr)
    try check(status)
    cairo_surface_flush(surface)
    return try body(surface)
}

/// Renders a page to the bytes of a file in `format` (PNG at `dpi`; SVG and PDF are
/// vector pages `width × height` points, so DPI only affects embedded rasters).
/// - Throws: ``PlotError/cancelled`` when ``RenderCancellation`` is set while drawing
///   or encoding (the marks and the encoder poll it), so no partial page is returned.
func renderPage(
    width: Double, height: Double, format: OutputFormat, dpi: Double,
    draw: (Canvas) -> Void
) throws -> Data {
    do {
        let data = try encodePage(width: width, height: height, format: format, dpi: dpi, draw: draw)
        if RenderCancellation.isCancelled { throw PlotError.cancelled }
        return data
    } catch is PlotError where RenderCancellation.isCancelled {
        throw PlotError.cancelled
    }
}

private func encodePage(
    width: Double, height: Double, format: OutputFormat, dpi: Double,
    draw: (Canvas) -> Void
) throws -> Data {
    let sink = ByteSink()
    let closure = Unmanaged.passUnretained(sink).toOpaque()
    switch format {
    case .png:
        try withRaster(width: width, height: height, dpi: dpi, draw: draw) { surface in
            try check(cairo_surface_write_to_png_stream(surface, writeToSink, closure))
        }
    case .svg, .pdf:
        let surface: OpaquePointer? =
            format == .svg
            ? cairo_svg_surface_create_for_stream(writeToSink, closure, width, height)
            : cairo_pdf_surface_create_for_stream(writeToSink, closure, width, height)
        guard let surface else { throw PlotError.cairo("no surface") }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface))
        cairo_surface_set_fallback_resolution(surface, dpi, dpi)
        guard let cr = cairo_create(surface) else { throw PlotError.cairo("no context") }
        draw(Canvas(cr))
        let status = cairo_status(cr)
        cairo_destroy(cr)
        try check(status)
        cairo_surface_finish(surface)
        try check(cairo_surface_status(surface))
    }
    withExtendedLifetime(sink) {}
    return sink.data
}

/// Renders a page to straight-alpha RGBA pixels.
func renderPixels(width: Double, height: Double, dpi: Double, draw: (Canvas) -> Void) throws -> RGBAImage {
    try withRaster(width: width, height: height, dpi: dpi, draw: draw) { surface in
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let base = cairo_image_surface_get_data(surface) else { throw PlotError.cairo("no pixel data") }
        var out = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h {
            let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<w {
                // ARGB32 is a native-endian 32-bit word with premultiplied colour.
                let p = row[x]
                let a = UInt32((p >> 24) & 0xFF)
                func un(_ c: UInt32) -> UInt8 { a == 0 ? 0 : UInt8(min(255, (c * 255 + a / 2) / a)) }
                let i = (y * w + x) * 4
                out[i] = un((p >> 16) & 0xFF); out[i + 1] = un((p >> 8) & 0xFF); out[i + 2] = un(p & 0xFF)
                out[i + 3] = UInt8(a)
            }
        }
        return RGBAImage(width: w, height: h, bytes: out)
    }
}

/// Writes `data` to `url`, turning a Foundation failure into a ``PlotError``.
func write(_ data: Data, to url: URL) throws {
    do { try AtomicFile.write(data, to: url) } catch let e as AtomicFileError {
        throw PlotError.writeFailed(path: url.path, reason: e.reason)
    }
}
