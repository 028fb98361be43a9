import Foundation
import Notebook
import Plotting
import Script

/// How the prompt and `cmlab run` fill a fresh interpreter: the domain bindings,
/// wired to the session's hooks.
///
/// Until Bindings' `installBindings(into:context:)` is merged this installs only
/// the core language, plus — with `CMLAB_FAKE_BINDINGS=1` — two stand-ins to try the
/// session machinery by hand: `sleep_steps(n)` (slow, cancellable, reports progress)
/// and `demo_plot(file:)` (writes a figure). The merge replaces the body with:
///
///     let context = BindingsContext(cancel: hooks.cancel, progress: hooks.progress,
///                                   resolveWritePath: hooks.resolveWritePath,
///                                   resolveReadPath: hooks.resolveReadPath,
///                                   figureWritten: { url, figure in hooks.figureWritten(url, figure) })
///     installBindings(into: interpreter, context: context)
func sessionSetUp(_ interpreter: Interpreter, _ hooks: SessionHooks) {
    if ProcessInfo.processInfo.environment["CMLAB_FAKE_BINDINGS"] == "1" {
        installStandIns(into: interpreter, hooks: hooks)
    }
}

/// The stand-in builtins (see ``sessionSetUp(_:_:)``).
func installStandIns(into interpreter: Interpreter, hooks: SessionHooks) {
    interpreter.registry.register(
        name: "sleep_steps", signature: "sleep_steps(n, ms: 20)",
        doc: "Stand-in for long work: n steps of `ms` milliseconds each, reporting progress and stopping on Ctrl-C. Returns the steps done.",
        parameters: [.required("n"), .optional("ms", .number(20))]) { args in
        let n = try args.positiveInt("n")
        let ms = try args.number("ms")
        for i in 0..<n {
            if hooks.cancel.isCancelled { throw args.error("interrupted after \(i) of \(n) steps") }
            usleep(useconds_t(max(0, ms) * 1000))
            hooks.progress("sleep_steps", Double(i + 1) / Double(n), "step \(i + 1)/\(n)")
        }
        return .number(Double(n))
    }
    interpreter.registry.register(
        name: "demo_plot", signature: "demo_plot(file: none, points: 400, seed: 0)",
        doc: "Stand-in for a plot: a noisy ring of points, written to `file` (or a fresh name in the output folder). Returns the path written.",
        parameters: [.optional("file"), .optional("points", .number(400)), .optional("seed", .number(0))]) { args in
        let count = try args.positiveInt("points")
        let url: URL
        if case .string(let path) = args["file"] { url = try hooks.resolveWritePath(path) } else { url = hooks.newFigureURL("png") }
        var rng = SystemRandomNumberGenerator()
        var x: [Double] = [], y: [Double] = []
        for i in 0..<count {
            let a = Double(i % 8) * .pi / 4
            x.append(cos(a) + Double.random(in: -0.08...0.08, using: &rng))
            y.append(sin(a) + Double.random(in: -0.08...0.08, using: &rng))
        }
        var figure = Figure(title: "demo ring")
        figure[0].scatter(x: x, y: y, label: "samples")
        figure[0].line(x: (0...64).map { cos(Double($0) * .pi / 32) }, y: (0...64).map { sin(Double($0) * .pi / 32) }, label: "unit circle")
        do { try figure.save(to: url) } catch { throw args.error("cannot write \(url.path): \(error)") }
        hooks.figureWritten(url, figure)
        return .string(url.path)
    }
}
