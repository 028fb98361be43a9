/// Fonts, colours and lengths shared by every panel of a figure, in points.
///
/// The defaults aim at a paper figure: small but readable DejaVu Sans, a dark
/// frame, a light grid under the data, ticks pointing out so they never hide points.
public struct Style: Equatable {
    public var tickFontSize = 9.5
    public var labelFontSize = 10.5
    public var titleFontSize = 11.5
    public var legendFontSize = 9.0
    public var figureTitleFontSize = 13.0
    public var textColor = Color(hex: 0x1A1A1A)
    public var axisColor = Color(hex: 0x3A3A3A)
    public var gridColor = Color(hex: 0xE4E4E4)
    public var background = Color.white
    public var tickLength = 3.5
    public var axisLineWidth = 0.8
    /// Blank space around each panel cell.
    public var padding = 7.0

    public init() {}
}
