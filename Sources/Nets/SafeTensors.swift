import Foundation
import Tensors

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A problem with a `.safetensors` file, naming the file and what was wrong.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case io, truncated, headerLength, json, entry, dtype, shape, offsets, overlap, missing
    }
    public let kind: Kind
    public let path: String
    public let message: String

    public init(_ kind: Kind, _ path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The `.safetensors` format (huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of JSON, then the raw tensor bytes. The JSON maps each tensor name
/// to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data
/// section) and may hold `"__metadata__"`, a flat string → string map. Only F32 is read
/// and written here; the host is assumed little-endian (x86-64, arm64).
public enum SafeTensors {
    /// The tensors of a file, in data order, and its metadata.
    public struct Contents: Equatable {
        public var tensors: [(name: String, tensor: Tensor)]
        public var metadata: [String: String]

        public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }

        public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

        public static func == (a: Contents, b: Contents) -> Bool {
            a.metadata == b.metadata && a.tensors.count == b.tensors.count
                && zip(a.tensors, b.tensors).allSatisfy { $0.name == $1.name && $0.tensor == $1.tensor }
        }
    }

    /// Upper bound on the JSON header (the reference implementation uses 100 MB).
    public static let maxHeaderBytes = 100_000_000

    // MARK: Writing

    /// The file bytes: tensors laid out in name order, header padded with spaces to 8 bytes.
    public static func encode(_ contents: Contents) throws -> Data {
        let sorted = contents.tensors.sorted { $0.name < $1.name }
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in sorted {
            guard name != "__metadata__" else {
                throw SafeTensorsError(.entry, "", "tensor name __metadata__ is reserved")
            }
            guard header[name] == nil else { throw SafeTensorsError(.entry, "", "duplicate tensor name \(name)") }
            header[name] =
                ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        if !contents.metadata.isEmpty { header["__metadata__"] = contents.metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (_, t) in sorted { t.scalars.withUnsafeBytes { data.append(contentsOf: $0) } }
        return data
    }

    /// Writes `contents` to `path` atomically: the bytes go to a temporary file in the
    /// same directory, are flushed, and the file is renamed over `path`. A crash or an
    /// error before the rename leaves any previous file at `path` untouched.
    public static func write(_ contents: Contents, to path: String) throws {
        try writeAtomically(try encode(contents), to: path)
    }

    /// `beforeRename` is a test hook that simulates an interruption.
    static func writeAtomically(_ data: Data, to path: String, beforeRename: (() throws -> Void)? = nil) throws {
        do { try AtomicFile.write(data, to: URL(fileURLWithPath: path), beforeRename: beforeRename) } catch let e
            as AtomicFileError
        { throw SafeTensorsError(.io, path, e.reason) }
    }

    // MARK: Reading

    /// Reads and validates a file.
    public static func read(_ path: String) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SafeTensorsError(.io, path, "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Parses file bytes, checking: the header length lies within the file, the header
    /// is a JSON object, every entry has dtype F32, a non-negative integer shape and
    /// offsets with `begin ≤ end ≤ data length` and `end − begin = 4·Π shape`, and the
    /// tensors neither overlap nor leave holes. Any failure throws; nothing traps.
    public static func decode(_ data: Data, path: String = "<memory>") throws -> Contents {
        guard data.count >= 8 else {
            throw SafeTensorsError(
                .truncated, path, "file has \(data.count) bytes, fewer than the 8-byte header length")
        }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maxHeaderBytes), Int(n) <= data.count - 8 else {
            throw SafeTensorsError(
                .headerLength, path, "header length \(n) exceeds the \(data.count - 8) bytes after it")
        }
        let headerEnd = 8 + Int(n)
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) } catch {
            throw SafeTensorsError(.json, path, "header is not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw SafeTensorsError(.json, path, "header is not a JSON object")
        }
        let dataLength = data.count - headerEnd
        var metadata: [String: String] = [:]
        var spans: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw SafeTensorsError(.json, path, "__metadata__ must map strings to strings")
                }
                metadata = m
                continue
            }
            guard let e = value as? [String: Any] else {
                throw SafeTensorsError(.entry, path, "entry \(name) is not an object")
            }
            guard let dtype = e["dtype"] as? String else {
                throw SafeTensorsError(.entry, path, "entry \(name) has no dtype")
            }
            guard dtype == "F32" else {
                throw SafeTensorsError(.dtype, path, "tensor \(name) has dtype \(dtype); only F32 is supported")
            }
            guard let shape = integers(e["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError(.entry, path, "tensor \(name) has no valid shape")
            }
            guard let offsets = integers(e["data_offsets"]), offsets.count == 2 else {
                throw SafeTensorsError(.entry, path, "tensor \(name) has no valid data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw SafeTensorsError(
                    .offsets, path,
                    "tensor \(name) spans bytes \(begin)..<\(end) of a \(dataLength)-byte data section (truncated file?)"
                )
            }
            var elements = 1
            for d in shape {
                let (p, o) = elements.multipliedReportingOverflow(by: d)
                guard !o else { throw SafeTensorsError(.shape, path, "tensor \(name) shape \(shape) overflows") }
                elements = p
            }
            let (bytes, o) = elements.multipliedReportingOverflow(by: 4)
            guard !o, bytes == end - begin else {
                throw SafeTensorsError(
                    .shape, path,
                    "tensor \(name) of shape \(shape) needs \(elements)×4 bytes, offsets give \(end - begin)")
            }
            spans.append((name, shape, begin, end))
        }
        spans.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for s in spans {
            guard s.begin >= covered else {
                throw SafeTensorsError(.overlap, path, "tensor \(s.name) overlaps the tensor before it")
            }
            guard s.begin == covered else {
                throw SafeTensorsError(.offsets, path, "bytes \(covered)..<\(s.begin) belong to no tensor")
            }
            covered = s.end
        }
        guard covered == dataLength else {
            throw SafeTensorsError(.offsets, path, "data section has \(dataLength) bytes, tensors cover \(covered)")
        }
        let tensors = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [(name: String, tensor: Tensor)] in
            spans.map { s in
                let count = (s.end - s.begin) / 4
                let scalars = [Float](unsafeUninitializedCapacity: count) { buf, initialized in
                    if count > 0 {
                        UnsafeMutableRawBufferPointer(buf).copyMemory(
                            from: UnsafeRawBufferPointer(rebasing: raw[(headerEnd + s.begin)..<(headerEnd + s.end)]))
                    }
                    initialized = count
                }
                return (s.name, Tensor(shape: s.shape, scalars: scalars))
            }
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// An array of JSON integers (rejecting fractions and booleans).
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for v in array {
            // JSONSerialization returns booleans as NSNumber too; their objCType is "c".
            guard let num = v as? NSNumber, String(cString: num.objCType) != "c" else { return nil }
            let d = num.doubleValue
            guard d == d.rounded(), abs(d) < 9.0e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }
}
