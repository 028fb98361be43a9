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

    /// Reads a file. The header is read and checked first (its shape against
    /// `maxElements` and the machine's memory, see ``SizeGuard``, and against the file's
    /// size), so a hostile header can never make the reader allocate.
    public static func read(_ url: URL, maxElements: Int = SizeGuard.defaultMaxElements) throws(NPYError) -> Array {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let head = try handle.read(upToCount: min(size, 1 << 20)) ?? Data()
            let h = try header([UInt8](head), name: url.path)
            try check(h, fileSize: size, maxElements: maxElements, name: url.path)
            try handle.seek(toOffset: 0)
            data = try handle.readToEnd() ?? Data()
        } catch let e as NPYError { throw e } catch {
            throw NPYError("\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try parse(data, name: url.path, maxElements: maxElements)
    }

    public static func read(path: String, maxElements: Int = SizeGuard.defaultMaxElements) throws(NPYError) -> Array {
        try read(URL(fileURLWithPath: path), maxElements: maxElements)
    }

    /// What the header says: shape, dtype and where the data starts.
    struct Header { var shape: [Int]; var dtype: DType; var start: Int; var count: Int }

    static func header(_ bytes: [UInt8], name: String) throws(NPYError) -> Header {
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
        guard
            let text = String(
                bytes: bytes[headerStart..<(headerStart + headerLen)], encoding: major == 3 ? .utf8 : .isoLatin1)
        else {
            throw fail("header is not text")
        }
        let dict = try HeaderDict.parse(text, name: name)
        guard case .string(let descr)? = dict["descr"] else { throw fail("header has no 'descr' string entry") }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw fail("header has no 'fortran_order' entry")
        }
        guard case .tuple(let shape)? = dict["shape"] else { throw fail("header has no 'shape' tuple entry") }
        let dtype: DType
        switch descr {
        case "<f4", "f4": dtype = .float32
        case "<f8", "f8": dtype = .float64
        case let other:
            throw fail("dtype \(other) is not supported (expected little-endian float32 '<f4' or float64 '<f8')")
        }
        guard !fortran else { throw fail("Fortran-order arrays are not supported (save with np.ascontiguousarray)") }
        let count: Int
        do {
            count = try SizeGuard.elements(shape, bytesPerElement: 8, maxElements: Int.max, what: "the header's shape")
        } catch { throw fail("\(error)") }
        return Header(shape: shape, dtype: dtype, start: headerStart + headerLen, count: count)
    }

    /// The shape fits the limits and the file holds the bytes it needs.
    static func check(_ h: Header, fileSize: Int, maxElements: Int, name: String) throws(NPYError) {
        do {
            try SizeGuard.elements(h.shape, bytesPerElement: 8, maxElements: maxElements, what: "the header's shape")
        } catch { throw NPYError("\(name): \(error)") }
        let width = h.dtype == .float32 ? 4 : 8
        let (need, o) = h.count.multipliedReportingOverflow(by: width)
        guard !o, fileSize - h.start >= need else {
            throw NPYError(
                "\(name): truncated: shape \(h.shape) needs \(o ? "more" : String(need)) bytes of data, "
                    + "file has \(fileSize - h.start)")
        }
    }

    public static func parse(
        _ data: Data, name: String = "npy data",
        maxElements: Int = SizeGuard.defaultMaxElements
    ) throws(NPYError) -> Array {
        let bytes = [UInt8](data)
        let h = try header(bytes, name: name)
        try check(h, fileSize: bytes.count, maxElements: maxElements, name: name)
        let (dtype, start, count) = (h.dtype, h.start, h.count)
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
        return Array(shape: h.shape, dtype: dtype, values: values)
    }

    /// The header: a Python dict literal whose keys are strings and whose values are
    /// strings, `True`/`False` or tuples of whole numbers. Parsed token by token, so a
    /// key can never be read from inside a string value.
    enum HeaderDict {
        enum Item: Equatable { case string(String), bool(Bool), tuple([Int]) }

        static func parse(_ text: String, name: String) throws(NPYError) -> [String: Item] {
            let c = Swift.Array(text.unicodeScalars)
            var i = 0
            func fail(_ m: String) -> NPYError { NPYError("\(name): header is not a dict literal: \(m)") }
            func skip() { while i < c.count, c[i] == " " || c[i] == "\n" || c[i] == "\t" || c[i] == "\r" { i += 1 } }
            func expect(_ ch: Unicode.Scalar) throws(NPYError) {
                skip()
                guard i < c.count, c[i] == ch else { throw fail("expected '\(ch)' at character \(i)") }
                i += 1
            }
            func string() throws(NPYError) -> String {
                skip()
                guard i < c.count, c[i] == "'" || c[i] == "\"" else {
                    throw fail("expected a string at character \(i)")
                }
                let q = c[i]; i += 1
                var s = String.UnicodeScalarView()
                while i < c.count, c[i] != q {
                    if c[i] == "\\" { i += 1 }
                    if i < c.count { s.append(c[i]); i += 1 }
                }
                guard i < c.count else { throw fail("unterminated string") }
                i += 1
                return String(s)
            }
            func word() -> String {
                var s = String.UnicodeScalarView()
                while i < c.count,
                    c[i].properties.isAlphabetic || ("0"..."9").contains(c[i]) || c[i] == "-" || c[i] == "_"
                {
                    s.append(c[i]); i += 1
                }
                return String(s)
            }
            func value() throws(NPYError) -> Item {
                skip()
                guard i < c.count else { throw fail("unexpected end") }
                if c[i] == "'" || c[i] == "\"" { return .string(try string()) }
                if c[i] == "(" {
                    i += 1
                    var xs: [Int] = []
                    while true {
                        skip()
                        guard i < c.count else { throw fail("unterminated tuple") }
                        if c[i] == ")" { i += 1; return .tuple(xs) }
                        let w = word()
                        guard let v = Int(w), v >= 0 else { throw fail("bad shape entry '\(w)'") }
                        xs.append(v)
                        skip()
                        if i < c.count, c[i] == "," {
                            i += 1
                        } else if i < c.count, c[i] == ")" {
                            continue
                        } else {
                            throw fail("expected ',' or ')' in the shape")
                        }
                    }
                }
                switch word() {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case let w: throw fail("unexpected value '\(w)'")
                }
            }
            var out: [String: Item] = [:]
            try expect("{")
            while true {
                skip()
                guard i < c.count else { throw fail("unterminated dict") }
                if c[i] == "}" { break }
                let k = try string()
                try expect(":")
                out[k] = try value()
                skip()
                if i < c.count, c[i] == "," { i += 1 }
            }
            return out
        }
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
                for (i, v) in values.enumerated() {
                    p.storeBytes(of: Float(v).bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                }
            }
            data.append(contentsOf: raw)
        case .float64:
            var raw = [UInt8](repeating: 0, count: values.count * 8)
            raw.withUnsafeMutableBytes { p in
                for (i, v) in values.enumerated() {
                    p.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                }
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
        do { try AtomicFile.write(encode(shape: shape, values: values, dtype: dtype), to: url) } catch {
            throw NPYError("\(error)")
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
