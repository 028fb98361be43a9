import Foundation
import Script

#if canImport(Glibc)
    import Glibc
#endif

/// Where a session may write files.
///
/// A notebook run writes only inside its output folder: a relative path resolves
/// there, and a path that leaves it — through `..`, as an absolute path elsewhere,
/// or through a symlink pointing out — is refused, unless one of `allowed` (from
/// `--allow-write PATH`) covers it. The REPL writes where the user is (`unrestricted`).
public struct WritePolicy: Sendable {
    /// Relative paths resolve against this folder.
    public var root: URL
    /// Extra files or folders that may be written (each covers what lies under it).
    public var allowed: [URL]
    /// No checks at all (the interactive prompt).
    public var unrestricted: Bool

    public init(root: URL, allowed: [URL] = [], unrestricted: Bool = false) {
        self.root = root.standardizedFileURL
        self.allowed = allowed.map(\.standardizedFileURL)
        self.unrestricted = unrestricted
    }

    /// The file URL a script's `path` names, after the checks. Creates missing
    /// parent folders inside the permitted area, so `file: "figs/a.png"` just works.
    /// - Throws: a ``ScriptError`` naming the path and the way out it took.
    public func resolve(_ path: String) throws -> URL {
        guard !path.isEmpty else { throw ScriptError("empty file path") }
        let expanded = (path as NSString).expandingTildeInPath
        let url =
            (expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded)
            : root.appendingPathComponent(expanded)).standardizedFileURL
        if !unrestricted {
            let real = Self.realPath(url)
            let bases = ([root] + allowed).map { ($0, Self.realPath($0)) }
            // What counts is where the bytes land: the path with every symlink resolved.
            let covered = bases.contains { Self.isInside(real, $0.1) }
            if !covered {
                let how: String
                if path.split(separator: "/").contains("..") {
                    how = "'..' leads out of"
                } else if expanded.hasPrefix("/") && !bases.contains(where: { Self.isInside(url, $0.0) }) {
                    how = "an absolute path outside"
                } else {
                    how = "a symbolic link leads out of"
                }
                throw ScriptError(
                    "refusing to write '\(path)': \(how) the output folder \(root.path)"
                        + "; pass --allow-write PATH to permit it")
            }
        }
        let dir = url.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.path) {
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw ScriptError("cannot create folder \(dir.path): \(error.localizedDescription)")
            }
        }
        return url
    }

    /// Whether `url` is `base` or lies under it (by path components, so /a/bc is not under /a/b).
    static func isInside(_ url: URL, _ base: URL) -> Bool {
        let u = url.standardizedFileURL.pathComponents, b = base.standardizedFileURL.pathComponents
        return u.count >= b.count && Array(u.prefix(b.count)) == b
    }

    /// The path with every symlink resolved: the longest existing prefix goes through
    /// `realpath`, the rest (not yet created) is appended as written.
    static func realPath(_ url: URL) -> URL {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while existing.path != "/" {
            // lstat, so a dangling symlink still counts as existing (and gets resolved).
            var st = stat()
            if lstat(existing.path, &st) == 0 { break }
            rest.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        var resolved = existing
        if let p = realpath(existing.path, nil) {
            resolved = URL(fileURLWithPath: String(cString: p))
            free(p)
        } else if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: existing.path) {
            // A dangling link: judge it by where it points.
            let t =
                target.hasPrefix("/")
                ? URL(fileURLWithPath: target)
                : existing.deletingLastPathComponent().appendingPathComponent(target)
            resolved = realPath(t.standardizedFileURL)
        }
        for c in rest { resolved.appendPathComponent(c) }
        return resolved.standardizedFileURL
    }
}
