/// Names for the enums, so the scripting layer can turn a user's string into a
/// value once — and list the valid choices in its error when the name is unknown.
public protocol PlotNamed: CaseIterable {
    var name: String { get }
}

extension PlotNamed {
    /// The case called `name` (case-insensitive), or nil.
    public static func named(_ name: String) -> Self? {
        allCases.first { $0.name == name.lowercased() }
    }
    /// All valid names, for error messages and completion.
    public static var names: [String] { allCases.map(\.name) }
}

extension Scale: PlotNamed {
    public static var allCases: [Scale] { [.linear, .log] }
    public var name: String { self == .linear ? "linear" : "log" }
}

extension Marker: PlotNamed {
    public static var allCases: [Marker] { [.circle, .square, .diamond, .triangle, .plus, .cross] }
    public var name: String { "\(self)" }
}

extension LineStyle: PlotNamed {
    public static var allCases: [LineStyle] { [.solid, .dashed, .dotted, .dashDot] }
    public var name: String { self == .dashDot ? "dashdot" : "\(self)" }
}

extension LegendPosition: PlotNamed {
    public static var allCases: [LegendPosition] {
        [.best, .upperRight, .upperLeft, .lowerLeft, .lowerRight, .outside, .avoidingData, .hidden]
    }
    public var name: String {
        switch self {
        case .best: return "best"
        case .upperRight: return "upper right"
        case .upperLeft: return "upper left"
        case .lowerLeft: return "lower left"
        case .lowerRight: return "lower right"
        case .outside: return "outside"
        case .avoidingData: return "avoid data"
        case .hidden: return "none"
        }
    }
}
