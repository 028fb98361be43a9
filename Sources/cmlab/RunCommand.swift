import ArgumentParser
import Foundation
import Nets
import Notebook
import Tensors

#if canImport(Glibc)
    import Glibc
#endif

/// `cmlab run FILE.cml`: runs a notebook headless and writes its reports.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a notebook (.cml, percent format) headless and write Markdown, HTML and .ipynb reports.",
        discussion: """
            Cells run in order in one session. The reports and every file the notebook writes go \
            into the output folder (default reports/<notebook name>/); a path leaving it is refused \
            unless --allow-write covers it. Exit status 1 when a cell failed. SIGINT (Ctrl-C) or \
            SIGTERM stops the running cell at its next step and writes the reports of what ran, \
            noting the interruption (exit status 130 or 143); a second signal ends at once.
            """)

    @Argument(help: "The notebook file.") var file: String
    @Option(name: .long, help: "Output folder for reports and figures (default: reports/<notebook name>/).") var out:
        String?
    @Option(
        name: [.customShort("p"), .long], parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Override a parameter of the cell tagged \"parameters\" (repeatable). "
                + "The value is one literal: a number, \"string\", true/false/none, "
                + "[list], {record} or range a..b; other plain text is a string.",
            valueName: "name=value"))
    var parameter: [String] = []
    @Flag(help: "Run every cell even after one fails.") var keepGoing = false
    @Option(
        name: .long, parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Also allow writing here (repeatable).", valueName: "PATH"))
    var allowWrite: [String] = []

    func run() throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CLIError("no such notebook: \(file)") }
        // A sweep's point runs with the thread count it was given (same seed + threads = same numbers).
        if let t = ProcessInfo.processInfo.environment["CMLAB_THREADS"].flatMap(Int.init), t >= 1 {
            Parallel.threads = t
        }
        var options = RunOptions()
        if let out { options.outputDirectory = URL(fileURLWithPath: out) }
        options.parameters = try parameter.map(Parameters.parseOverride)
        options.keepGoing = keepGoing
        options.allowWrite = allowWrite.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) }
        let progress = ProgressLine()
        options.log = { line in
            progress.clear(); FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
        options.progress = progress.update
        if let advice = BLASCore.fallbackAdvice() { options.log("note: " + advice) }
        let sigint = SigintCanceller(options.cancel)
        defer { sigint.restore() }

        let result: (run: NotebookRun, reports: [URL])
        do { result = try NotebookRunner(setUp: sessionSetUp).run(file: url, options: options) } catch let e
            as NotebookError
        { throw CLIError(e.description) }
        progress.clear()
        for r in result.reports { print(r.path) }
        if let i = result.run.interruption {
            FileHandle.standardError.write(Data("\(i.description); the reports hold what ran\n".utf8))
            throw ExitCode(i.exitStatus)
        }
        if result.run.failed {
            for f in result.run.failures { FileHandle.standardError.write(Data("error: \(f)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}
