import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way CMLab writes a file: the bytes go to a temporary file in the same folder
/// (created with `O_EXCL | O_NOFOLLOW`, so a link planted under that name is never
/// followed), are flushed with `fsync`, and the temporary file is renamed over the
/// target. A kill or a full disk before the rename leaves the previous file whole; the
/// rename replaces a symlink or hard link at the target by a new file instead of writing
/// through it. Temporary files a killed run left (`.NAME.tmp-PID-N` whose process is
/// gone) are removed by the next write into the folder.
public enum AtomicFile {
    /// Writes `data` to `url` atomically. `beforeRename` is a test hook that simulates
    /// an interruption.
    public static func write(_ data: Data, to url: URL, beforeRename: (() throws -> Void)? = nil) throws {
        let tmp = try stage(data, for: url)
        do {
            try beforeRename?()
            try commit(tmp, to: url)
        } catch {
            unlink(tmp)
            throw error
        }
    }

    /// Writes several files as one: every temporary file is written first and only when
    /// all are whole are they renamed, so a full disk never leaves some of them from this
    /// run beside others from the previous one.
    public static func write(_ files: [(data: Data, url: URL)]) throws {
        var staged: [(tmp: String, url: URL)] = []
        do {
            for f in files { staged.append((try stage(f.data, for: f.url), f.url)) }
            for s in staged { try commit(s.tmp, to: s.url) }
        } catch {
            for s in staged { unlink(s.tmp) }
            throw error
        }
    }

    /// The bytes in a fresh temporary file beside `url`; returns its path.
    static func stage(_ data: Data, for url: URL) throws -> String {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        removeStale(in: folder)
        let tmp = folder.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AtomicFileError(path, "cannot create a temporary file there: \(String(cString: strerror(errno)))")
        }
        var failure: AtomicFileError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFileError(path, "write failed: \(String(cString: strerror(errno)))")
                    return
                }
                done += n
            }
        }
        if failure == nil && fsync(fd) != 0 {
            failure = AtomicFileError(path, "fsync failed: \(String(cString: strerror(errno)))")
        }
        if close(fd) != 0 && failure == nil {
            failure = AtomicFileError(path, "close failed: \(String(cString: strerror(errno)))")
        }
        if let failure {
            unlink(tmp)
            throw failure
        }
        return tmp
    }

    /// Renames a staged file over `url` (replacing a link there, never following it).
    static func commit(_ tmp: String, to url: URL) throws {
        guard rename(tmp, url.path) == 0 else {
            throw AtomicFileError(url.path, "cannot replace it: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes `.NAME.tmp-PID-N` files in `folder` whose process no longer runs.
    public static func removeStale(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") {
            guard let r = name.range(of: ".tmp-", options: .backwards) else { continue }
            let parts = name[r.upperBound...].split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), parts[1].allSatisfy(\.isNumber) else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue } // still running
            unlink(folder.appendingPathComponent(name).path)
        }
    }
}

/// A write that failed; the previous file, if any, is intact.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(_ path: String, _ reason: String) { self.path = path; self.reason = reason }
    public var description: String { "cannot write \(path): \(reason)" }
}
