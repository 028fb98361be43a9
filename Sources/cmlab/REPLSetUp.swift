import Bindings
import Foundation
import Notebook
import Script

/// How the prompt and `cmlab run` fill a fresh interpreter: the domain bindings,
/// wired to the session's hooks (cancellation, progress, the write sandbox, figures).
func sessionSetUp(_ interpreter: Interpreter, _ hooks: SessionHooks) {
    let context = BindingsContext(
        cancel: hooks.cancel, progress: hooks.progress,
        resolveWritePath: hooks.resolveWritePath,
        resolveReadPath: hooks.resolveReadPath,
        figureWritten: { url, figure in hooks.figureWritten(url, figure) })
    installBindings(into: interpreter, context: context)
}
