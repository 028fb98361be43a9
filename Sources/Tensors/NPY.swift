import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1.0–3.0).
///
/// Supported: little-endian `<f4` and `<f8`, C order, any rank. Anything else
/// (big-endian, Fortran order, integer or object dtypes, a header that does not
/// parse, fewer bytes than the shape needs) is an ``NPYError`` that says what was
/// found, never a trap.
public enum NPY {
    public enum DType: String, Sendable { case float32 = "<f4", float64 = "<f8" }

    /// An array as read from disk: its shape, dtype and values widened to Double.
    public struct Array: Sendable {
        public var shape: [Int]
        public var dtype: DType
        public var values: [Double]

        public var tensor: Tensor { Tensor(shape: shape, scalars: values.map(Float.init)) }
        /// `[n, d]` view (a 1-D array becomes `[n, 1]`).
        public var batch: Batch {
            let n = shape.first ?? 1
            let d = shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *)
            return Batch(count: n, dims: d, values: values)
        }
    }

    // MARK: Reading

    public static func read(_ url: URL) throws(NPYError) -> Array {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NPYError("\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try parse(data, name: url.path)
    }

    public static func read(path: String) throws(NPYError) -> Array { try read(URL(fileURLWithPath: path)) }

    public static func parse(_ data: Data, name: String = "npy data") throws(NPYError) -> Array {
        let bytes = [UInt8](data)
        func fail(_ m: String) -> NPYError { NPYError("\(name): \(m)") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, Swift.Array(bytes[0..<6]) == magic else {
            throw fail("not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLen: Int, headerStart: Int
        switch major {
        case 1:
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8; headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerLen >= 0, headerStart + headerLen <= bytes.count else { throw fail("truncated header") }
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLen)], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw fail("header is not text")
        }
        let descr = try field("descr", in: header, name: name)
        let fortran = try field("fortran_order", in: header, name: name)
        let shapeText = try field("shape", in: header, name: name)
        let dtype: DType
        switch descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) {
        case "<f4", "f4": dtype = .float32
        case "<f8", "f8": dtype = .float64
        case let other: throw fail("dtype \(other) is not supported (expected little-endian float32 '<f4' or float64 '<f8')")
        }
        guard fortran.trimmingCharacters(in: .whitespaces) == "False" else {
            throw fail("Fortran-order arrays are not supported (save with np.ascontiguousarray)")
        }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw fail("bad shape \(shapeText)") }
            shape.append(v)
        }
        var count = 1
        for s in shape {
            let (p, o) = count.multipliedReportingOverflow(by: s)
            guard !o else { throw fail("shape \(shapeText) is too large") }
            count = p
        }
        let width = dtype == .float32 ? 4 : 8
        let start = headerStart + headerLen
        let (need, o) = count.multipliedReportingOverflow(by: width)
        guard !o, bytes.count - start >= need else {
            throw fail("truncated: shape \(shape) needs \(count * width) bytes of data, file has \(bytes.count - start)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                if dtype == .float32 {
                    let bits = raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)
                    values[i] = Double(Float(bitPattern: UInt32(littleEndian: bits)))
                } else {
                    let bits = raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self)
                    values[i] = Double(bitPattern: UInt64(littleEndian: bits))
                }
            }
        }
        return Array(shape: shape, dtype: dtype, values: values)
    }

    /// The text of `'key': value` in a header dict (a tuple value up to its `)`).
    private static func field(_ key: String, in header: String, name: String) throws(NPYError) -> String {
        guard let r = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
            throw NPYError("\(name): header has no '\(key)' entry")
        }
        var rest = header[r.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { throw NPYError("\(name): unterminated shape in header") }
            return String(rest[...close])
        }
        if let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) { rest = rest[..<end] }
        return String(rest)
    }

    // MARK: Writing

    /// Serialises `values` with `shape` as a version-1.0 `.npy`.
    public static func encode(shape: [Int], values: [Double], dtype: DType) -> Data {
        precondition(shape.reduce(1, *) == values.count)
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so that magic + version + length + header + '\n' is a multiple of 64.
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let n = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        data.append(contentsOf: Swift.Array(header.utf8))
        switch dtype {
        case .float32:
            var raw = [UInt8](repeating: 0, count: values.count * 4)
            raw.withUnsafeMutableBytes { p in
                for (i, v) in values.enumerated() { p.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            }
            data.append(contentsOf: raw)
        case .float64:
            var raw = [UInt8](repeating: 0, count: values.count * 8)
            raw.withUnsafeMutableBytes { p in
                for (i, v) in values.enumerated() { p.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
            }
            data.append(contentsOf: raw)
        }
        return data
    }

    /// Writes atomically (a temporary file, then a rename).
    public static func write(shape: [Int], values: [Double], dtype: DType, to url: URL) throws(NPYError) {
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw NPYError("cannot write \(url.path): folder \(folder.path) does not exist")
        }
        do { try encode(shape: shape, values: values, dtype: dtype).write(to: url, options: .atomic) } catch {
            throw NPYError("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }

    public static func write(_ t: Tensor, to url: URL) throws(NPYError) {
        try write(shape: t.shape, values: t.scalars.map(Double.init), dtype: .float32, to: url)
    }

    public static func write(_ b: Batch, to url: URL, dtype: DType = .float64) throws(NPYError) {
        try write(shape: [b.count, b.dims], values: b.values, dtype: dtype, to: url)
    }
}

public struct NPYError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
