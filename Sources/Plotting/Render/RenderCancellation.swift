import Tensors

/// Lets Ctrl-C stop a figure that takes long to draw (millions of points): the host
/// sets ``token`` while rendering, the mark loops poll it every 1,024 items and
/// ``renderPage`` then throws ``PlotError/cancelled`` instead of writing a partial figure.
public enum RenderCancellation {
    nonisolated(unsafe) public static var token: CancellationToken?

    /// Whether the current rendering should stop.
    static var isCancelled: Bool { token?.isCancelled == true }

    /// Runs `body` with `token` as the rendering's cancellation flag.
    public static func with<T>(_ token: CancellationToken, _ body: () throws -> T) rethrows -> T {
        let previous = self.token
        self.token = token
        defer { self.token = previous }
        return try body()
    }
}
