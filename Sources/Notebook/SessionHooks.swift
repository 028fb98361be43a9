import Foundation
import Plotting
import Script
import Tensors

/// What a session (a notebook run or the REPL) hands to the domain bindings, so
/// long work can be stopped and reported, and files land where the session allows.
///
/// The runner and the REPL build one per session and pass it to their `setUp`
/// closure together with the interpreter; Bindings calls these hooks.
public struct SessionHooks {
    /// Set by Ctrl-C (REPL, `cmlab run`); training and solves poll it and stop
    /// between steps. The interpreter's `isCancelled` already reads it.
    public let cancel: CancellationToken
    /// Long work reports `(label, fraction 0…1, detail)`, e.g.
    /// `("distill cm", 0.42, "loss 3.1e-3, 812 it/s")`. Cheap to call often.
    public let progress: (String, Double, String) -> Void
    /// Call after writing a figure (PNG, SVG or PDF) to `url`, with the figure when
    /// at hand: the runner attaches the file to the cell's outputs, the REPL previews
    /// the figure in the terminal (it renders the `Figure` itself; without one it
    /// can show only a PNG, and only inline).
    public let figureWritten: (URL, Figure?) -> Void
    /// The file URL a script-given path may be written at (see ``WritePolicy``);
    /// throws a ``ScriptError`` for a path outside the session's output folder.
    /// Creates missing parent folders.
    public let resolveWritePath: (String) throws -> URL
    /// The file URL a script-given path should be read from: relative paths resolve
    /// against the notebook's folder (REPL: the working directory). No restriction.
    public let resolveReadPath: (String) -> URL
    /// Where reports and unnamed figures go (REPL: the working directory).
    public let outputDirectory: URL
    /// A fresh file name for a figure the script did not name, e.g.
    /// `<out>/cell3-figure1.png`, already inside the permitted area.
    public let newFigureURL: (_ fileExtension: String) -> URL

    public init(
        cancel: CancellationToken,
        progress: @escaping (String, Double, String) -> Void,
        figureWritten: @escaping (URL, Figure?) -> Void,
        resolveWritePath: @escaping (String) throws -> URL,
        resolveReadPath: @escaping (String) -> URL,
        outputDirectory: URL,
        newFigureURL: @escaping (String) -> URL
    ) {
        self.cancel = cancel
        self.progress = progress
        self.figureWritten = figureWritten
        self.resolveWritePath = resolveWritePath
        self.resolveReadPath = resolveReadPath
        self.outputDirectory = outputDirectory
        self.newFigureURL = newFigureURL
    }
}

/// Installs the domain into a fresh interpreter (in the product: Bindings'
/// `installBindings`, adapted to these hooks; in tests: a few fake builtins).
public typealias SessionSetUp = (Interpreter, SessionHooks) -> Void

/// Resolves a script-given `path` against `base` unless it is absolute (`~` expands).
public func resolvedRead(_ path: String, base: URL) -> URL {
    let expanded = (path as NSString).expandingTildeInPath
    return (expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : base.appendingPathComponent(expanded))
        .standardizedFileURL
}

/// `figure-1.png`, `figure-2.png`, …: the first such name not yet taken in `directory`
/// (where the prompt and the kernel put a figure the script did not name).
public func freshFigureURL(in directory: URL, ext: String) -> URL {
    var n = 1
    while FileManager.default.fileExists(atPath: directory.appendingPathComponent("figure-\(n).\(ext)").path) { n += 1 }
    return directory.appendingPathComponent("figure-\(n).\(ext)")
}
