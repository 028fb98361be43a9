import ArgumentParser
import Foundation

@main
struct CMLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cmlab",
        abstract: "A workbench for consistency models: teachers, solvers, CM and Direct CM students.",
        discussion: "Run with no subcommand for the interactive prompt.",
        subcommands: [
            Solve.self, TrainTeacher.self, Distill.self, Sample.self, Bench.self, Gallery.self, Run.self,
            SweepCommand.self, CollectCommand.self, KernelCommand.self,
        ]
    )

    func run() throws {
        REPL().run()
    }
}

/// A command-line failure printed as one line, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
