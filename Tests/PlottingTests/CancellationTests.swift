import Foundation
import Testing
import Plotting
import Tensors

/// Issue 14, item 11: Ctrl-C stops a figure that is still drawing, and nothing is written.
@Suite struct RenderCancellationTests {
    @Test func aCancelledRenderingWritesNothing() throws {
        var fig = Figure()
        let n = 200_000
        fig[0].scatter(x: (0..<n).map { Double($0 % 997) }, y: (0..<n).map { Double($0 % 991) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cancel-\(UUID()).png")
        defer { try? FileManager.default.removeItem(at: url) }
        let token = CancellationToken()
        token.cancel()
        #expect(throws: PlotError.cancelled) { try RenderCancellation.with(token) { try fig.save(to: url) } }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        // Without the flag the same figure is written.
        try RenderCancellation.with(CancellationToken()) { try fig.save(to: url) }
        #expect(FileManager.default.fileExists(atPath: url.path))
    }
}
