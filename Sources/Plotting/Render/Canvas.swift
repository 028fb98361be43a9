import CCairo

/// Where a text's anchor point sits on the text box.
enum HAlign { case left, center, right }
enum VAlign { case top, middle, baseline, bottom }

/// A thin, Swift-shaped handle on a Cairo drawing context.
///
/// All drawing happens in page points (1/72 inch) with y pointing down; the device
/// scale for a PNG's DPI is set once when the context is made, so layout never
/// depends on the output format. Text uses DejaVu Sans with hinting switched off,
/// so measured widths are the same on every surface and at every DPI.
final class Canvas {
    let cr: OpaquePointer
    static let fontFamily = "DejaVu Sans"

    init(_ cr: OpaquePointer) {
        self.cr = cr
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    }

    // MARK: State

    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }
    func clip(_ r: Rect) { cairo_rectangle(cr, r.x, r.y, r.width, r.height); cairo_clip(cr) }
    func setColor(_ c: Color) { cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha) }
    func setLineWidth(_ w: Double) { cairo_set_line_width(cr, w) }
    func setDash(_ pattern: [Double]) {
        pattern.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
    }
    func setRoundCaps(_ round: Bool) { cairo_set_line_cap(cr, round ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT) }

    // MARK: Paths

    func move(_ x: Double, _ y: Double) { cairo_move_to(cr, x, y) }
    func line(_ x: Double, _ y: Double) { cairo_line_to(cr, x, y) }
    func close() { cairo_close_path(cr) }
    func newPath() { cairo_new_path(cr) }
    func rect(_ r: Rect) { cairo_rectangle(cr, r.x, r.y, r.width, r.height) }
    func circle(_ x: Double, _ y: Double, _ radius: Double) {
        cairo_new_sub_path(cr)
        cairo_arc(cr, x, y, radius, 0, 2 * Double.pi)
    }
    func fill() { cairo_fill(cr) }
    func fillPreserve() { cairo_fill_preserve(cr) }
    func stroke() { cairo_stroke(cr) }

    /// A crisp one-point-aligned segment (used for ticks, grid lines and spines).
    func segment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        cairo_move_to(cr, x0, y0); cairo_line_to(cr, x1, y1)
    }

    // MARK: Text

    private func font(_ size: Double, bold: Bool) {
        cairo_select_font_face(
            cr, Canvas.fontFamily, CAIRO_FONT_SLANT_NORMAL,
            bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(cr, size)
    }

    /// Advance width of `s` at `size` points.
    func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double {
        font(size, bold: bold)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        return e.x_advance
    }

    /// Ascent and descent of the font at `size` (independent of the string, so
    /// rows of labels line up).
    func fontMetrics(size: Double, bold: Bool = false) -> (ascent: Double, descent: Double) {
        font(size, bold: bold)
        var e = cairo_font_extents_t()
        cairo_font_extents(cr, &e)
        return (e.ascent, e.descent)
    }

    /// Draws `s` with its anchor at (x, y), optionally rotated by `angle` radians
    /// (−π/2 for a vertical label reading upwards).
    func text(
        _ s: String, _ x: Double, _ y: Double, size: Double, color: Color = .black,
        h: HAlign = .left, v: VAlign = .baseline, angle: Double = 0, bold: Bool = false
    ) {
        guard !s.isEmpty else { return }
        font(size, bold: bold)
        var e = cairo_text_extents_t()
        cairo_text_extents(cr, s, &e)
        // Cap height of DejaVu Sans is 0.73 em: centring on it looks centred to the eye.
        let capHeight = 0.73 * size
        let (ascent, descent) = fontMetrics(size: size, bold: bold)
        let dx: Double
        switch h {
        case .left: dx = 0
        case .center: dx = -e.x_advance / 2
        case .right: dx = -e.x_advance
        }
        let dy: Double
        switch v {
        case .top: dy = ascent * 0.92
        case .middle: dy = capHeight / 2
        case .baseline: dy = 0
        case .bottom: dy = -descent
        }
        save()
        setColor(color)
        cairo_translate(cr, x, y)
        if angle != 0 { cairo_rotate(cr, angle) }
        cairo_move_to(cr, dx, dy)
        cairo_show_text(cr, s)
        restore()
    }
}
