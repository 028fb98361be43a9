import Foundation
import Plotting

/// A figure as a terminal can show it: braille characters (any terminal), sixel
/// or the kitty graphics protocol (terminals that speak them). Pure functions from
/// pixels to text; the REPL decides which one the terminal gets.
public enum FigurePreview {
    /// The image in braille characters, `columns` wide: each character is a 2 × 4
    /// grid of dots, a dot is set where its patch of pixels holds ink (anything
    /// clearly darker or more colourful than the white page). With `color`, each
    /// character takes the mean colour of its ink as a 256-colour foreground.
    public static func braille(_ image: RGBAImage, columns: Int, color: Bool = true) -> [String] {
        guard image.width > 0, image.height > 0, columns > 0 else { return [] }
        let dotsW = columns * 2
        let rows = max(1, Int((Double(dotsW) * Double(image.height) / Double(image.width) / 4).rounded()))
        let dotsH = rows * 4
        var lines: [String] = []
        for row in 0..<rows {
            var line = ""
            var lastColor = -1
            for col in 0..<columns {
                var bits = 0
                var r = 0.0, g = 0.0, b = 0.0, n = 0.0
                for dy in 0..<4 {
                    for dx in 0..<2 {
                        let (x0, x1) = span(col * 2 + dx, dotsW, image.width)
                        let (y0, y1) = span(row * 4 + dy, dotsH, image.height)
                        var best = 0.0, pr = 0.0, pg = 0.0, pb = 0.0
                        for y in y0..<y1 {
                            for x in x0..<x1 {
                                let i = (y * image.width + x) * 4
                                let a = Double(image.bytes[i + 3]) / 255
                                let cr = Double(image.bytes[i]) / 255, cg = Double(image.bytes[i + 1]) / 255,
                                    cb = Double(image.bytes[i + 2]) / 255
                                let ink =
                                    a
                                    * max(1 - (0.299 * cr + 0.587 * cg + 0.114 * cb), max(cr, cg, cb) - min(cr, cg, cb))
                                if ink > best { best = ink; pr = cr; pg = cg; pb = cb }
                            }
                        }
                        if best > 0.2 {
                            bits |= dotBit(dx, dy)
                            r += pr; g += pg; b += pb; n += 1
                        }
                    }
                }
                if color && bits != 0 {
                    let c = ansi256(r / n, g / n, b / n)
                    if c != lastColor { line += "\u{1B}[38;5;\(c)m"; lastColor = c }
                }
                line.unicodeScalars.append(Unicode.Scalar(0x2800 + bits)!)
            }
            if color && lastColor >= 0 { line += "\u{1B}[0m" }
            lines.append(line)
        }
        return lines
    }

    /// Pixels `[lo, hi)` of a `total`-pixel axis that dot `i` of `dots` covers (at least one).
    static func span(_ i: Int, _ dots: Int, _ total: Int) -> (Int, Int) {
        let lo = min(total - 1, i * total / dots)
        return (lo, max(lo + 1, min(total, (i + 1) * total / dots)))
    }

    /// The braille bit of dot (x, y), x in 0…1, y in 0…3 (Unicode's dot numbering).
    static func dotBit(_ x: Int, _ y: Int) -> Int {
        y == 3 ? (x == 0 ? 0x40 : 0x80) : (1 << (y + 3 * x))
    }

    /// The nearest colour of the xterm 256-colour cube (16…231) or grey ramp (232…255).
    static func ansi256(_ r: Double, _ g: Double, _ b: Double) -> Int {
        let q = { (v: Double) in Int((max(0, min(1, v)) * 5).rounded()) }
        let cube = 16 + 36 * q(r) + 6 * q(g) + q(b)
        if max(r, g, b) - min(r, g, b) < 0.08 {
            let grey = (r + g + b) / 3
            return grey < 0.04 ? 16 : (grey > 0.96 ? 231 : 232 + min(23, Int(grey * 24)))
        }
        return cube
    }

    /// The image as a sixel sequence at most `maxWidth` pixels wide, on the 6 × 6 × 6
    /// colour cube (enough for plots: a few flat colours on white).
    public static func sixel(_ image: RGBAImage, maxWidth: Int = 800) -> String {
        guard image.width > 0, image.height > 0 else { return "" }
        let scale = min(1, Double(maxWidth) / Double(image.width))
        let w = max(1, Int(Double(image.width) * scale)), h = max(1, Int(Double(image.height) * scale))
        // Palette index per pixel, nearest-neighbour downsampling, alpha over white.
        var index = [UInt8](repeating: 0, count: w * h)
        var used = Set<UInt8>()
        for y in 0..<h {
            let sy = min(image.height - 1, Int(Double(y) / scale))
            for x in 0..<w {
                let sx = min(image.width - 1, Int(Double(x) / scale))
                let i = (sy * image.width + sx) * 4
                let a = Double(image.bytes[i + 3]) / 255
                func ch(_ v: UInt8) -> Int { Int(((Double(v) / 255 * a + (1 - a)) * 5).rounded()) }
                let c = UInt8(36 * ch(image.bytes[i]) + 6 * ch(image.bytes[i + 1]) + ch(image.bytes[i + 2]))
                index[y * w + x] = c
                used.insert(c)
            }
        }
        var out = "\u{1B}P0;1;0q\"1;1;\(w);\(h)"
        for c in used.sorted() {
            let v = Int(c)
            out += "#\(v);2;\((v / 36) * 20);\((v / 6 % 6) * 20);\((v % 6) * 20)"
        }
        var band = 0
        while band * 6 < h {
            let colors = Set((band * 6..<min(h, band * 6 + 6)).flatMap { y in index[(y * w)..<(y * w + w)] })
            for (k, c) in colors.sorted().enumerated() {
                if k > 0 { out += "$" }
                out += "#\(c)"
                var run: (Character, Int)? = nil
                func flush() {
                    guard let (ch, n) = run else { return }
                    out += n > 3 ? "!\(n)\(ch)" : String(repeating: ch, count: n)
                }
                for x in 0..<w {
                    var bits = 0
                    for dy in 0..<6 where band * 6 + dy < h && index[(band * 6 + dy) * w + x] == c { bits |= 1 << dy }
                    let ch = Character(Unicode.Scalar(UInt8(63 + bits)))
                    if let (rc, n) = run, rc == ch { run = (rc, n + 1) } else { flush(); run = (ch, 1) }
                }
                flush()
            }
            out += "-"
            band += 1
        }
        return out + "\u{1B}\\"
    }

    /// A PNG shown with the kitty graphics protocol, scaled to `columns` cells wide
    /// (the terminal keeps the aspect ratio), sent in 4096-byte base64 chunks.
    public static func kitty(png: Data, columns: Int) -> String {
        let payload = Array(png.base64EncodedString().utf8)
        var out = ""
        var start = 0
        repeat {
            let end = min(payload.count, start + 4096)
            let more = end < payload.count ? 1 : 0
            let chunk = String(decoding: payload[start..<end], as: UTF8.self)
            out +=
                start == 0
                ? "\u{1B}_Gf=100,a=T,c=\(columns),m=\(more);\(chunk)\u{1B}\\" : "\u{1B}_Gm=\(more);\(chunk)\u{1B}\\"
            start = end
        } while start < payload.count
        return out
    }
}
