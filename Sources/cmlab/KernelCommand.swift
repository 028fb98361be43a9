import ArgumentParser
import Foundation
import Kernel
import Tensors

/// `cmlab kernel -f FILE`: the language as a Jupyter kernel; `cmlab kernel install`.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Serve the language to Jupyter (JupyterLab, VS Code, jupyter console, nbclient).",
        discussion: """
            Jupyter starts this itself, with the connection file it wrote: install the kernelspec \
            once with `cmlab kernel install --user`, then pick "CMLab" in JupyterLab or run \
            `jupyter console --kernel cmlab`. Cells share one session, as at the prompt; an \
            interrupt (the stop button, Ctrl-C in jupyter console, SIGINT) stops the running cell \
            and keeps every variable.
            """,
        subcommands: [KernelInstall.self])

    @Option(name: [.customShort("f"), .customLong("connection-file")], help: "The connection file Jupyter wrote.")
    var file: String?

    func run() throws {
        guard let file else {
            throw ValidationError("give the connection file (-f FILE), or `cmlab kernel install` to set Jupyter up")
        }
        let cancel = CancellationToken()
        // Jupyter interrupts with SIGINT, as often as the user presses stop: never fatal here.
        let sigint = SigintCanceller(cancel, signals: [SIGINT], secondEndsProcess: false)
        defer { sigint.restore() }
        do {
            let info = try ConnectionInfo.load(URL(fileURLWithPath: file))
            let directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            try KernelServer(connection: info, setUp: sessionSetUp, cancel: cancel, directory: directory).run()
        } catch let e as KernelError {
            throw CLIError(e.description)
        }
    }
}

/// `cmlab kernel install [--user | --prefix DIR]`: writes the kernelspec.
struct KernelInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the CMLab kernelspec so that Jupyter lists it (jupyter kernelspec list).",
        discussion: """
            Without a flag: system-wide, in /usr/local/share/jupyter/kernels/cmlab (needs root). \
            The kernelspec starts this cmlab executable by its absolute path, so install again \
            after moving it.
            """)

    @Flag(help: "Install for the current user ($JUPYTER_DATA_DIR or ~/.local/share/jupyter).") var user = false
    @Option(help: "Install into DIR/share/jupyter/kernels (a virtual environment's prefix, say).") var prefix: String?

    func validate() throws {
        if user && prefix != nil { throw ValidationError("--user and --prefix exclude each other") }
    }

    func run() throws {
        let location: KernelSpec.Location =
            user
            ? .user
            : prefix.map { .prefix(URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath)) } ?? .system
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        do {
            let dir = try KernelSpec.install(executable: executable, at: location)
            print("Installed the CMLab kernelspec in \(dir.path)")
        } catch let e as KernelError {
            throw CLIError(e.description)
        }
    }
}
