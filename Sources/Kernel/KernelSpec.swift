// `cmlab kernel install`: the kernelspec folder Jupyter looks for (kernel.json and
// the logos), in the system's, the user's or a prefix's Jupyter data folder.
import Foundation
import Notebook

/// Writes the CMLab kernelspec.
public enum KernelSpec {
    /// Where the kernelspec goes.
    public enum Location: Equatable {
        /// `/usr/local/share/jupyter/kernels` (Jupyter's system-wide folder).
        case system
        /// `$JUPYTER_DATA_DIR/kernels`, else `~/.local/share/jupyter/kernels`.
        case user
        /// `DIR/share/jupyter/kernels`, for a virtual environment or a test
        /// (`JUPYTER_PATH=DIR/share/jupyter` finds it).
        case prefix(URL)
    }

    /// The folder that holds kernelspecs at `location`.
    public static func kernelsDirectory(
        _ location: Location,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        switch location {
        case .system:
            return URL(fileURLWithPath: "/usr/local/share/jupyter/kernels")
        case .user:
            if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty {
                return URL(fileURLWithPath: data).appendingPathComponent("kernels")
            }
            let home =
                environment["HOME"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.homeDirectoryForCurrentUser
            return home.appendingPathComponent(".local/share/jupyter/kernels")
        case .prefix(let dir):
            return dir.appendingPathComponent("share/jupyter/kernels")
        }
    }

    /// `kernel.json`: how Jupyter starts the kernel (`executable kernel -f {connection_file}`),
    /// its name in menus, its language, and that an interrupt is a message on the
    /// control channel (the kernel also stops a cell on SIGINT).
    public static func json(executable: String) -> [String: Any] {
        [
            "argv": [executable, "kernel", "-f", "{connection_file}"],
            "display_name": JupyterIdentity.displayName,
            "language": JupyterIdentity.language,
            "interrupt_mode": "message",
            "metadata": ["debugger": false],
        ]
    }

    /// Writes `kernel.json`, `logo-32x32.png` and `logo-64x64.png` into
    /// `<kernels>/cmlab/` and returns that folder.
    /// - Throws: ``KernelError`` naming the folder that cannot be written.
    @discardableResult
    public static func install(
        executable: URL, at location: Location,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL {
        let dir = kernelsDirectory(location, environment: environment)
            .appendingPathComponent(JupyterIdentity.kernelName)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let spec = try JSONSerialization.data(
                withJSONObject: json(executable: executable.path),
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try spec.write(to: dir.appendingPathComponent("kernel.json"), options: .atomic)
            for size in [32, 64] {
                try KernelLogo.png(pixels: size).write(
                    to: dir.appendingPathComponent("logo-\(size)x\(size).png"),
                    options: .atomic)
            }
        } catch {
            throw KernelError("cannot install the kernelspec in \(dir.path): \(error.localizedDescription)")
        }
        return dir
    }
}
