import Foundation
import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Routes Ctrl-C (SIGINT) to a cancellation token while long work runs, so training
/// stops between iterations and keeps its weights; `restore()` puts the default back.
final class SigintCanceller {
    nonisolated(unsafe) static var current: CancellationToken?

    init(_ token: CancellationToken) {
        SigintCanceller.current = token
        signal(SIGINT) { _ in SigintCanceller.current?.cancel() }
    }

    func restore() {
        SigintCanceller.current = nil
        signal(SIGINT, SIG_DFL)
    }
}
