// The Notebook layer (docs/architecture.md; the format: docs/language.md, "Notebooks"): notebook files in the percent
// format, the headless runner, and the Markdown, HTML and .ipynb exporters.
// The REPL's session core (numbered cells, `Out`, `:save`) lives here too, so it
// is tested without a terminal; the terminal glue is in the `cmlab` executable.

/// One cell of a notebook: code, or markdown prose.
public struct Cell: Equatable, Sendable {
    public enum Kind: String, Sendable { case code, markdown }

    public var kind: Kind
    /// The cell's text: code as written, markdown without its `# ` comment prefixes.
    public var source: String
    /// Jupytext/papermill tags, e.g. `["parameters"]`.
    public var tags: [String]
    /// The marker line's title (`# %% Load the data`), kept for the round trip.
    public var title: String
    /// False only for code written before the first `# %%` marker.
    public var hasMarker: Bool
    /// 1-based line in the file where the cell's source starts (for error positions).
    public var firstLine: Int

    public init(
        _ kind: Kind, _ source: String, tags: [String] = [], title: String = "",
        hasMarker: Bool = true, firstLine: Int = 1
    ) {
        self.kind = kind
        self.source = source
        self.tags = tags
        self.title = title
        self.hasMarker = hasMarker
        self.firstLine = firstLine
    }

    public var isParameters: Bool { kind == .code && tags.contains("parameters") }
}

/// A notebook: an optional Jupytext header (`# ---` … `# ---`) and cells in order.
public struct NotebookFile: Equatable, Sendable {
    public var header: [String]
    public var cells: [Cell]

    public init(header: [String] = [], cells: [Cell]) {
        self.header = header
        self.cells = cells
    }

    /// The parameters cell (tagged `parameters`), if any.
    public var parametersCellIndex: Int? { cells.firstIndex(where: \.isParameters) }
}
