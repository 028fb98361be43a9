import Foundation
import Plotting
import Tensors

/// What the host (the REPL, the notebook runner, a test) lends the bindings: how to
/// stop, how to report progress, where files may go and what to do with a figure.
public final class BindingsContext {
    /// Set by Ctrl-C; training, solves and comparisons poll it between steps.
    public var cancel: CancellationToken
    /// Long work reports `(label, fraction done in [0, 1], detail)`.
    public var progress: (String, Double, String) -> Void
    /// Maps a path a script wants to write to a URL, or throws if the policy refuses it
    /// (notebooks write only inside their output folder).
    public var resolveWritePath: (String) throws -> URL
    /// Maps a path a script wants to read to a URL.
    public var resolveReadPath: (String) throws -> URL
    /// Called after a figure was written, with its file and the figure itself.
    public var figureWritten: (URL, Figure) -> Void
    /// The session's recent teacher solves, reused by tables from the same noise.
    let teacherSolves = TeacherSolveMemo()

    public init(
        cancel: CancellationToken = CancellationToken(),
        progress: @escaping (String, Double, String) -> Void = { _, _, _ in },
        resolveWritePath: @escaping (String) throws -> URL = { URL(fileURLWithPath: $0) },
        resolveReadPath: @escaping (String) throws -> URL = { URL(fileURLWithPath: $0) },
        figureWritten: @escaping (URL, Figure) -> Void = { _, _ in }
    ) {
        self.cancel = cancel
        self.progress = progress
        self.resolveWritePath = resolveWritePath
        self.resolveReadPath = resolveReadPath
        self.figureWritten = figureWritten
    }
}
