/// A map from [0, 1] to colours, for colouring points, paths and cells by a value.
///
/// The perceptual maps (viridis, plasma, magma, inferno) increase monotonically in
/// lightness, so equal steps in value read as equal steps in colour and the picture
/// survives grayscale printing — a rainbow map invents boundaries that are not in
/// the data. Each is stored as nine anchors sampled evenly from the published map
/// and interpolated linearly, which stays within a few levels of the full table.
public struct Colormap: Equatable {
    public let name: String
    let anchors: [Color]

    public init(name: String, anchors: [Color]) {
        precondition(anchors.count >= 2, "a colormap needs at least two anchors")
        self.name = name
        self.anchors = anchors
    }

    /// The colour at `t` (clamped to [0, 1]; NaN gives a neutral gray).
    public func color(at t: Double) -> Color {
        guard t.isFinite else { return Color(hex: 0xBBBBBB) }
        let u = min(max(t, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(u), anchors.count - 2)
        return anchors[i].mixed(with: anchors[i + 1], u - Double(i))
    }

    public static let viridis = Colormap(
        name: "viridis",
        anchors: [
            0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21908C, 0x27AD81, 0x5DC863, 0xAADC32, 0xFDE725,
        ].map { Color(hex: $0) })
    public static let plasma = Colormap(
        name: "plasma",
        anchors: [
            0x0D0887, 0x47039F, 0x7301A8, 0x9C179E, 0xBD3786, 0xD8576B, 0xED7953, 0xFA9E3B, 0xF0F921,
        ].map { Color(hex: $0) })
    public static let magma = Colormap(
        name: "magma",
        anchors: [
            0x000004, 0x180F3E, 0x451077, 0x721F81, 0x9F2F7F, 0xCD4071, 0xF1605D, 0xFD9567, 0xFCFDBF,
        ].map { Color(hex: $0) })
    public static let inferno = Colormap(
        name: "inferno",
        anchors: [
            0x000004, 0x1B0C42, 0x4B0C6B, 0x781C6D, 0xA52C60, 0xCF4446, 0xED6925, 0xFB9A06, 0xFCFFA4,
        ].map { Color(hex: $0) })
    /// Black to white.
    public static let gray = Colormap(name: "gray", anchors: [Color.black, Color.white])
    /// White to dark blue: densities on a white page, where empty means "nothing here".
    public static let blues = Colormap(
        name: "blues",
        anchors: [
            0xFFFFFF, 0xDEEBF7, 0x9ECAE1, 0x4292C6, 0x08306B,
        ].map { Color(hex: $0) })

    /// All named maps, for the scripting layer to look names up once.
    public static let all: [Colormap] = [.viridis, .plasma, .magma, .inferno, .gray, .blues]

    /// The map called `name`, or nil.
    public static func named(_ name: String) -> Colormap? { all.first { $0.name == name.lowercased() } }
}

/// How a numeric value becomes a colour: the map, the value range and the scale.
///
/// σ runs over five decades, so colouring by σ uses a log scale; the same mapping
/// draws the colour bar, so the bar always tells the truth about the marks.
public struct ColorMapping: Equatable {
    public var colormap: Colormap
    public var range: ClosedRange<Double>
    public var scale: Scale
    /// The colour bar's title, e.g. "σ".
    public var label: String?

    public init(colormap: Colormap = .viridis, range: ClosedRange<Double>, scale: Scale = .linear, label: String? = nil)
    {
        self.colormap = colormap
        self.range = range
        self.scale = scale
        self.label = label
    }

    /// A mapping whose range covers the finite (and, for a log scale, positive) values.
    public init(colormap: Colormap = .viridis, values: [Double], scale: Scale = .linear, label: String? = nil) {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        var lo = usable.min() ?? 0, hi = usable.max() ?? 1
        if lo == hi { (lo, hi) = scale == .log ? (lo / 2, hi * 2) : (lo - 0.5, hi + 0.5) }
        self.init(colormap: colormap, range: lo...hi, scale: scale, label: label)
    }

    /// Position of `value` along the bar, in [0, 1] inside the range.
    public func fraction(_ value: Double) -> Double {
        let a = scale.forward(range.lowerBound), b = scale.forward(range.upperBound)
        return (scale.forward(value) - a) / (b - a)
    }

    public func color(_ value: Double) -> Color { colormap.color(at: fraction(value)) }
}
