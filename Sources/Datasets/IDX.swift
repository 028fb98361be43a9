import Foundation

/// The IDX format of LeCun's MNIST files (and Fashion-MNIST): a big-endian header
/// `00 00 <type> <rank>`, then `rank` big-endian UInt32 extents, then the elements in
/// row-major order. Only unsigned bytes (type `0x08`) are read — the only type the
/// (Fashion-)MNIST files use. Files ending in `.gz` are decompressed first.
public enum IDX {
    /// An array of unsigned bytes with its shape.
    public struct Array: Sendable, Equatable {
        public var shape: [Int]
        public var bytes: [UInt8]
        public init(shape: [Int], bytes: [UInt8]) { self.shape = shape; self.bytes = bytes }
    }

    /// Reads `path` (gzipped when it ends in `.gz`) and checks its header and size.
    public static func read(_ path: String) throws(DatasetError) -> Array {
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError(path, "no such file") }
        let data: Data
        if path.hasSuffix(".gz") {
            data = try gunzip(path)
        } else {
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw DatasetError(path, "cannot read: \(error.localizedDescription)")
            }
        }
        return try decode(data, path: path)
    }

    /// Parses IDX bytes: magic `00 00 08 rank`, extents, then exactly Π extents bytes.
    /// A wrong magic, an unsupported type, a truncated or over-long file throw.
    public static func decode(_ data: Data, path: String = "<memory>") throws(DatasetError) -> Array {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else {
            throw DatasetError(path, "file has \(bytes.count) bytes, too short for the 4-byte IDX magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError(
                path,
                String(
                    format: "wrong magic number %02x %02x %02x %02x: an IDX file starts with 00 00",
                    bytes[0], bytes[1], bytes[2], bytes[3]))
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError(
                path, String(format: "element type 0x%02x is not supported (only 0x08, unsigned byte)", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw DatasetError(path, "rank 0 in the magic number") }
        let headerEnd = 4 + 4 * rank
        guard bytes.count >= headerEnd else {
            throw DatasetError(path, "truncated header: \(bytes.count) bytes, rank \(rank) needs \(headerEnd)")
        }
        var shape: [Int] = []
        var total = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let n = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            shape.append(n)
            let (p, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow, p <= 1 << 40 else { throw DatasetError(path, "shape \(shape) is too large") }
            total = p
        }
        let body = bytes.count - headerEnd
        guard body == total else {
            throw DatasetError(
                path,
                body < total
                    ? "truncated: shape \(shape) needs \(total) data bytes, the file has \(body)"
                    : "\(body - total) bytes after the \(total) data bytes of shape \(shape)")
        }
        return Array(shape: shape, bytes: Swift.Array(bytes[headerEnd...]))
    }

    /// Decompresses a gzip file with `gzip -dc` (Foundation on Linux has no zlib binding,
    /// and the package does not link zlib).
    static func gunzip(_ path: String) throws(DatasetError) -> Data {
        let tool = ["/bin/gzip", "/usr/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { throw DatasetError(path, "cannot decompress: no gzip executable in /bin or /usr/bin") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-dc", path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw DatasetError(path, "cannot run \(tool): \(error.localizedDescription)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DatasetError(
                path,
                "gzip failed (status \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return data
    }
}
