import Foundation
import Script
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// One output of a code cell, in the order it happened.
public enum CellOutput: Equatable {
    /// Printed text (one or more lines, without the final newline).
    case stream(String)
    /// The value of the cell's last expression, as `Out[n]` shows it.
    case result(String)
    /// A figure the cell wrote.
    case figure(FigureFile)
    /// The error that stopped the cell, rendered with its source line and caret.
    case error(String)
}

/// A figure file in the report folder.
public struct FigureFile: Equatable {
    /// Path relative to the report folder (what Markdown and HTML link to).
    public var relativePath: String
    /// The file's bytes (PNG or SVG; nil when unreadable), for embedding.
    public var data: Data?

    public var isPNG: Bool { relativePath.lowercased().hasSuffix(".png") }
    public var isSVG: Bool { relativePath.lowercased().hasSuffix(".svg") }
}

/// What happened to one cell.
public struct CellRun {
    public enum Status: Equatable { case ran, failed, skipped, prose }
    public var cell: Cell
    public var status: Status
    /// `In [n]` of a code cell that ran (counting code cells from 1).
    public var executionCount: Int?
    public var outputs: [CellOutput]
    public var seconds: Double
}

/// A whole run: every cell, in order, with its outputs.
public struct NotebookRun {
    public var name: String
    public var cells: [CellRun]
    /// The `-p` overrides applied, as given.
    public var parameters: [(name: String, value: String)]
    /// The first failure, as one located line: `nb.cml:25:9: cell 4: unknown name 'x'`.
    public var failures: [String]
    public var started: Date
    public var seconds: Double
    /// Set when a signal (or the host's cancel) stopped the run: which, and in which cell.
    public var interruption: Interruption?

    public var failed: Bool { !failures.isEmpty }
}

/// What stopped a run early: a signal (SIGINT from Ctrl-C, SIGTERM from a job runner) during a cell.
public struct Interruption: Equatable {
    /// The signal number, or 0 when the host cancelled without one.
    public var signal: Int32
    /// The code cell (counting from 1) that was running.
    public var cell: Int

    /// "SIGINT (Ctrl-C)", "SIGTERM", or "an interrupt".
    public var signalName: String {
        switch signal {
        case SIGINT: return "SIGINT (Ctrl-C)"
        case SIGTERM: return "SIGTERM"
        case 0: return "an interrupt"
        default: return "signal \(signal)"
        }
    }

    /// "interrupted by SIGTERM in cell 2".
    public var description: String { "interrupted by \(signalName) in cell \(cell)" }
    /// The exit status a shell expects of a process stopped by the signal (128 + signal; 130 without one).
    public var exitStatus: Int32 { 128 + (signal == 0 ? SIGINT : signal) }
}

/// How to run a notebook headless (`cmlab run`).
public struct RunOptions {
    /// The report folder; nil means `reports/<notebook name>/` under the working directory.
    public var outputDirectory: URL?
    /// `-p name=value`, applied to the parameters cell.
    public var parameters: [(name: String, value: String)] = []
    /// Run every cell even after one fails (but not after Ctrl-C).
    public var keepGoing = false
    /// `--allow-write PATH`: places outside the report folder a notebook may write.
    public var allowWrite: [URL] = []
    /// Cell start lines, e.g. "cell 3/9".
    public var log: (String) -> Void = { _ in }
    /// Long work's progress, forwarded from ``SessionHooks/progress``.
    public var progress: (String, Double, String) -> Void = { _, _, _ in }
    /// Set it (e.g. from SIGINT) to stop the running cell and the run; later cells are marked not run.
    public var cancel = CancellationToken()

    public init() {}
}

/// Runs a notebook's code cells in order in one interpreter and writes the reports.
public struct NotebookRunner {
    public let setUp: SessionSetUp

    public init(setUp: @escaping SessionSetUp) { self.setUp = setUp }

    /// Reads (a `.cml` in the percent format, or an `.ipynb`), runs and reports `file`:
    /// writes `<name>.md`, `<name>.html` and `<name>.ipynb` into the report folder and
    /// returns the run and their URLs.
    /// - Throws: ``NotebookError`` for an unreadable file, an `.ipynb` that is not a
    ///   CMLab notebook or whose report would overwrite it, or a bad `-p` (no cell runs then).
    public func run(file: URL, options: RunOptions) throws -> (run: NotebookRun, reports: [URL]) {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw NotebookError("cannot read notebook \(file.path)")
        }
        let name = file.deletingPathExtension().lastPathComponent
        let out =
            options.outputDirectory
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("reports/\(name)")
        let isIpynb = file.pathExtension.lowercased() == "ipynb"
        if isIpynb, ReportWriter.urls(name: name, in: out.standardizedFileURL).contains(file.standardizedFileURL) {
            throw NotebookError(
                "the .ipynb report would overwrite the notebook \(file.path); "
                    + "pass --out to write the reports elsewhere")
        }
        let parsed =
            isIpynb
            ? try IpynbReader.parse(Data(text.utf8), fileName: file.lastPathComponent)
            : PercentFormat.parse(text)
        guard parsed.cells.contains(where: { !$0.source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
        else {
            throw NotebookError(
                "\(file.path): no cells found (a notebook needs code or markdown; "
                    + "cells start with lines '# %%')")
        }
        let notebook = try Parameters.apply(options.parameters, to: parsed)
        let result = try run(
            notebook, name: name, fileName: file.lastPathComponent,
            base: file.deletingLastPathComponent(), outputDirectory: out, options: options)
        let reports = try ReportWriter.write(result, to: out.standardizedFileURL)
        return (result, reports)
    }

    /// Runs an already-parsed notebook (overrides already applied), writing figures into `outputDirectory`.
    public func run(
        _ notebook: NotebookFile, name: String, fileName: String, base: URL,
        outputDirectory: URL, options: RunOptions
    ) throws -> NotebookRun {
        let out = outputDirectory.standardizedFileURL
        do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
            throw NotebookError("cannot create the report folder \(out.path): \(error.localizedDescription)")
        }
        let policy = WritePolicy(root: out, allowed: options.allowWrite)

        var outputs: [CellOutput] = []
        var cellNumber = 0, figureNumber = 0
        func emit(_ line: String) {
            if case .stream(let s)? = outputs.last {
                outputs[outputs.count - 1] = .stream(s + "\n" + line)
            } else {
                outputs.append(.stream(line))
            }
        }
        let hooks = SessionHooks(
            cancel: options.cancel,
            progress: options.progress,
            figureWritten: { url, _ in outputs.append(.figure(Self.collect(url, into: out))) },
            resolveWritePath: policy.resolve,
            // A relative path is looked up first in the report folder (what an earlier run
            // wrote there, e.g. a saved teacher, is reused), then beside the notebook.
            resolveReadPath: { path in
                let inOut = resolvedRead(path, base: out)
                return FileManager.default.fileExists(atPath: inOut.path) ? inOut : resolvedRead(path, base: base)
            },
            outputDirectory: out,
            newFigureURL: { ext in
                figureNumber += 1
                return out.appendingPathComponent("cell\(cellNumber)-figure\(figureNumber).\(ext)")
            })
        let session = Session(setUp: setUp, hooks: hooks, output: emit)

        var run = NotebookRun(
            name: name, cells: [], parameters: options.parameters, failures: [],
            started: Date(), seconds: 0)
        let codeCount = notebook.cells.filter { $0.kind == .code }.count
        var stopped = false
        for cell in notebook.cells {
            guard cell.kind == .code else {
                run.cells.append(CellRun(cell: cell, status: .prose, executionCount: nil, outputs: [], seconds: 0))
                continue
            }
            cellNumber += 1
            figureNumber = 0
            if stopped {
                run.cells.append(CellRun(cell: cell, status: .skipped, executionCount: nil, outputs: [], seconds: 0))
                continue
            }
            options.log("cell \(cellNumber)/\(codeCount)")
            outputs = []
            let outcome = session.execute(cell.source)
            if let f = outcome.figure, let url = displayFigure(f, hooks: hooks) {
                outputs.append(.figure(Self.collect(url, into: out)))
            } else if let shown = outcome.shown {
                outputs.append(.result(shown))
            }
            if !outcome.result.succeeded {
                outputs.append(.error(outcome.result.renderedErrors))
                for e in outcome.result.errors {
                    run.failures.append(Self.locate(e, cell: cell, number: cellNumber, fileName: fileName))
                }
                if !options.keepGoing { stopped = true }
            }
            // Ctrl-C or SIGTERM stops the notebook, --keep-going or not; the reports still get
            // written, saying so. Builtins never reset the token, so a signal is never lost.
            if options.cancel.isCancelled {
                stopped = true
                run.interruption = Interruption(signal: options.cancel.signal, cell: cellNumber)
            }
            run.cells.append(
                CellRun(
                    cell: cell, status: outcome.result.succeeded ? .ran : .failed,
                    executionCount: outcome.number, outputs: outputs, seconds: outcome.seconds))
            options.cancel.reset()
        }
        run.seconds = Date().timeIntervalSince(run.started)
        return run
    }

    static func isNone(_ v: Value) -> Bool { if case .none = v { return true }; return false }

    /// `nb.cml:25:9: cell 4, line 2, column 9: message` — the position in the file, and in
    /// the cell (an `.ipynb`'s cells sit on no line of the file: `nb.ipynb: cell 4, …`).
    static func locate(_ e: ScriptError, cell: Cell, number: Int, fileName: String) -> String {
        guard let s = e.span else { return "\(fileName): cell \(number): \(e.message)" }
        let inCell = "cell \(number), line \(s.line), column \(s.column): \(e.message)"
        guard cell.firstLine >= 1 else { return "\(fileName): \(inCell)" }
        return "\(fileName):\(cell.firstLine + s.line - 1):\(s.column): \(inCell)"
    }

    /// The figure as the report links it; a file written outside the report folder
    /// (under `--allow-write`) is copied in, so the report stays self-contained.
    static func collect(_ url: URL, into out: URL) -> FigureFile {
        let u = url.standardizedFileURL
        var rel: String
        if WritePolicy.isInside(u, out) {
            rel = Array(u.pathComponents.dropFirst(out.pathComponents.count)).joined(separator: "/")
        } else {
            rel = "figures/" + u.lastPathComponent
            let folder = out.appendingPathComponent("figures"), dest = out.appendingPathComponent(rel)
            let data = try? Data(contentsOf: u)
            // Never through a link planted in the output folder: `figures` must be a real
            // folder (a symlink there is left alone), and the copy replaces `dest` by rename.
            var st = stat()
            if lstat(folder.path, &st) != 0 {
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            if lstat(folder.path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, let data {
                try? AtomicFile.write(data, to: dest)
            }
            return FigureFile(relativePath: rel, data: data)
        }
        return FigureFile(relativePath: rel, data: try? Data(contentsOf: u))
    }
}
