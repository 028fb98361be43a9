import Foundation

/// Everything that can go wrong when a figure is written or built.
///
/// Plotting sits under the REPL and notebooks: a typo in a file name must become a
/// message the researcher can act on, never a trap that ends the session. Each case
/// carries the value that was wrong.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The folder that should hold the output file does not exist.
    case missingDirectory(String)
    /// The file's extension names no format Plotting writes.
    case unknownFormat(extension: String, path: String)
    /// Cairo reported a failure (its own status string) while drawing or writing.
    case cairo(String)
    /// The operating system refused to write the file.
    case writeFailed(path: String, reason: String)
    /// The data given to a mark or an image grid does not have a usable shape.
    case badShape(String)
    /// Ctrl-C stopped the drawing (nothing was written).
    case cancelled

    public var description: String {
        switch self {
        case .missingDirectory(let dir):
            return "cannot write figure: folder '\(dir)' does not exist"
        case .unknownFormat(let ext, let path):
            let shown = ext.isEmpty ? "no extension" : "extension '.\(ext)'"
            return "cannot write figure '\(path)': \(shown) is not one of .png, .svg, .pdf"
        case .cairo(let message):
            return "cairo: \(message)"
        case .writeFailed(let path, let reason):
            return "cannot write figure '\(path)': \(reason)"
        case .badShape(let message):
            return message
        case .cancelled:
            return "interrupted: the figure was not written"
        }
    }
}

extension PlotError: LocalizedError {
    public var errorDescription: String? { description }
}
