import Tensors

/// Lets Ctrl-C stop a figure that takes long to draw (millions of points): the host
/// sets ``token`` while rendering, the mark loops poll it every 1,024 items and
/// ``renderPage`` then throws ``PlotError/cancelled`` instead of writing a partial figure.
/// The token is task-local (thread-local outside a task), so one rendering's Ctrl-C never
/// stops another figure drawn at the same time on another thread.
public enum RenderCancellation {
    @TaskLocal public static var token: CancellationToken?

    /// Whether the current rendering should stop.
    static var isCancelled: Bool { token?.isCancelled == true }

    /// Runs `body` with `token` as the rendering's cancellation flag.
    public static func with<T>(_ token: CancellationToken, _ body: () throws -> T) rethrows -> T {
        try $token.withValue(token) { try body() }
    }
}
