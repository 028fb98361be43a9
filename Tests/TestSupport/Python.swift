import Foundation

/// Whether `python3 -c "import <module>"` works here (scripts/setup.sh installs NumPy;
/// `pip install nbformat` adds nbformat): the tests that compare with Python skip without it.
public func pythonHas(_ module: String) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import \(module)"]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}
