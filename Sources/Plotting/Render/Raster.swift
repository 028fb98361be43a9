import CCairo

extension Canvas {
    /// Paints a `width × height` grid of colours into `rect`, row 0 at the top.
    ///
    /// The grid goes through a Cairo image surface, so PNG, SVG and PDF all embed
    /// the same raster; `smooth` chooses bilinear filtering (for densities sampled
    /// on a grid) over nearest-neighbour (for histogram cells and image pixels,
    /// whose edges are real).
    func raster(width: Int, height: Int, into rect: Rect, smooth: Bool, color: (Int, Int) -> Color) {
        guard width > 0, height > 0,
            let img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        else { return }
        defer { cairo_surface_destroy(img) }
        cairo_surface_flush(img)
        let stride = Int(cairo_image_surface_get_stride(img))
        guard let base = cairo_image_surface_get_data(img) else { return }
        for y in 0..<height {
            // Ctrl-C: a half-filled grid is never painted (the rendering then throws).
            if RenderCancellation.isCancelled { return }
            let row = UnsafeMutableRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width {
                let c = color(x, y)
                let a = min(max(c.alpha, 0), 1)
                func q(_ v: Double) -> UInt32 { UInt32((min(max(v, 0), 1) * a * 255).rounded()) }
                row[x] = (UInt32((a * 255).rounded()) << 24) | (q(c.red) << 16) | (q(c.green) << 8) | q(c.blue)
            }
        }
        cairo_surface_mark_dirty(img)
        save()
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cr)
        cairo_translate(cr, rect.x, rect.y)
        cairo_scale(cr, rect.width / Double(width), rect.height / Double(height))
        cairo_set_source_surface(cr, img, 0, 0)
        let pattern = cairo_get_source(cr)
        cairo_pattern_set_filter(pattern, smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST)
        // Pad the edge so a bilinear filter does not fade the border into the background.
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        restore()
    }
}
