import Foundation

/// A colour in sRGB with straight (not premultiplied) alpha, components in [0, 1].
public struct Color: Equatable, Hashable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// A colour from `0xRRGGBB`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(
            red: Double((hex >> 16) & 0xFF) / 255,
            green: Double((hex >> 8) & 0xFF) / 255,
            blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    /// A colour from a script's string: "#RRGGBB", "#RRGGBBAA", a cycle slot "C0"…"C9",
    /// or one of black, white, gray, red, blue, orange, green, purple. Nil otherwise.
    public init?(named text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasPrefix("#"), t.count == 7 || t.count == 9, let v = UInt32(t.dropFirst(), radix: 16) {
            self = t.count == 7 ? Color(hex: v) : Color(hex: v >> 8, alpha: Double(v & 0xFF) / 255)
            return
        }
        if t.count == 2, t.hasPrefix("c"), let k = Int(t.dropFirst()) { self = Color.cycle[k]; return }
        let names: [String: Color] = [
            "black": .black, "white": .white, "gray": .gray, "grey": .gray, "red": .red,
            "blue": Color.cycle[0], "orange": Color.cycle[1], "green": Color.cycle[2],
            "purple": Color.cycle[4],
        ]
        guard let c = names[t] else { return nil }
        self = c
    }

    /// The same colour with another opacity.
    public func withAlpha(_ a: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: a) }

    /// Linear interpolation in sRGB, `t` in [0, 1].
    func mixed(with other: Color, _ t: Double) -> Color {
        Color(
            red: red + (other.red - red) * t, green: green + (other.green - green) * t,
            blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }

    public static let black = Color(hex: 0x000000)
    public static let white = Color(hex: 0xFFFFFF)
    public static let red = Color(hex: 0xD62728)
    public static let gray = Color(hex: 0x7F7F7F)

    /// The series colour cycle: ten hues that stay apart for the common forms of
    /// colour blindness and print legibly in grayscale order (dark blue first).
    /// Series without an explicit colour take the next one, so several lines in one
    /// call-free sequence never share a colour.
    public static let cycle: [Color] = [
        Color(hex: 0x1F5FA8), // blue
        Color(hex: 0xE8792B), // orange
        Color(hex: 0x2E9E4F), // green
        Color(hex: 0xC8343A), // red
        Color(hex: 0x7A5AB5), // purple
        Color(hex: 0x8C5B45), // brown
        Color(hex: 0xD96BB4), // pink
        Color(hex: 0x6E6E6E), // gray
        Color(hex: 0xA8A826), // olive
        Color(hex: 0x22A7BD), // cyan
    ]
}
