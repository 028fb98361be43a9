import Foundation
import Tensors

// The teacher's parts of one stream's targets, kept in a file for later runs.
//
// What the teacher contributes to a stream (the step x̂_{n+1} and the solve to σ_min, see
// TargetStream.swift) depends on the teacher, the solver, the data, the seed and the batch
// size, and on nothing about the students. A later run with those five the same reads it
// back instead of asking the teacher again: another rate μ, learning rate or distance,
// an added student or other snapshots all reuse the file. Two checks keep it honest:
//
//   - every entry carries a key, a hash of its iteration's x_n and n, which the stream
//     recomputes from the seed before using the entry (another seed, batch size, data
//     set or grid gives other keys, and those entries are recomputed);
//   - the stream recomputes the file's first chunk of iterations with the teacher, as one
//     batch of the size that wrote it, and compares it bit for bit with the file's
//     (another teacher or solver method fails it, and the file is not used). The chunk
//     size matters: OpenBLAS's products may round a row differently in a batch of
//     another size (measured: fashion.cml's U-Net, 32 rows against 256).
//
// The file is rewritten, whole and atomically, when the run computed entries it lacked.
// Format (little-endian): "CMLTGT02", UInt64 B, dims, count, parts (1: steps, 2: solves),
// the chunk (iterations per teacher batch) in which the first entries were computed,
// then per iteration: UInt64 key, the step (B·dims Double) and the solve (B·dims Float),
// each when its part is present.

/// The teacher's parts of a stream's iterations, read from and saved to one file.
public final class TargetCache {
    /// One iteration's teacher parts.
    struct Entry {
        let key: UInt64
        let step: [Double]?
        let solve: [Float]?
    }

    /// The most a cache may hold in memory (and on disk).
    public static let maxBytes = 2 << 30

    public let url: URL
    let batchSize: Int, dims: Int
    let hasSteps: Bool, hasSolves: Bool
    private(set) var entries: [Entry] = []
    /// Iterations per teacher batch of the run that computed the first entries.
    var chunk = 0
    /// Iterations found in the file and used, and how many the run computed and added.
    public private(set) var read = 0, computed = 0
    /// Why the file's entries were not used, when they were not.
    public private(set) var rejected: String?

    private static let magic = Array("CMLTGT02".utf8)
    static let headerBytes = 48

    /// Opens the cache of a stream of `iterations` batches of `batchSize × dims`, holding
    /// the steps and/or the solves. A missing file is an empty cache; a file that is not a
    /// target file is refused (it is never overwritten); a target file for other shapes or
    /// parts is read as empty and will be replaced.
    public init(
        url: URL, batchSize: Int, dims: Int, iterations: Int, steps: Bool, solves: Bool
    ) throws(DistillationError) {
        self.url = url
        self.batchSize = batchSize
        self.dims = dims
        self.hasSteps = steps
        self.hasSolves = solves
        let perEntry = 8 + batchSize * dims * ((steps ? 8 : 0) + (solves ? 4 : 0))
        let (total, overflow) = perEntry.multipliedReportingOverflow(by: max(0, iterations))
        guard !overflow, total <= Self.maxBytes else {
            throw DistillationError(
                "the teacher's targets of \(iterations) iterations of batch \(batchSize) would take "
                    + "\(formatBytes(overflow ? Int.max : total)), more than the cache's "
                    + "\(formatBytes(Self.maxBytes)): leave out targets:, or train fewer iterations")
        }
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw DistillationError(
                "cannot read the targets file \(url.lastPathComponent): \(error.localizedDescription)")
        }
        if data.count >= 8, Array(data.prefix(6)) == Array(Self.magic.prefix(6)), Array(data.prefix(8)) != Self.magic {
            rejected = "it was written in another version of the format"
            return
        }
        guard data.count >= Self.headerBytes, Array(data.prefix(8)) == Self.magic else {
            throw DistillationError(
                "\(url.lastPathComponent) is not a targets file (written by distill(…, targets: …)); "
                    + "give targets: another name")
        }
        let header = (0..<5).map { i in data.loadLE(at: 8 + 8 * i) }
        guard header[0] == UInt64(batchSize), header[1] == UInt64(dims),
            header[3] & 1 != 0 || !steps, header[3] & 2 != 0 || !solves
        else {
            rejected = "it holds other shapes or parts (batch \(header[0]), \(header[1]) dims)"
            return
        }
        let fileSteps = header[3] & 1 != 0, fileSolves = header[3] & 2 != 0
        let rowValues = batchSize * dims
        let size = 8 + rowValues * ((fileSteps ? 8 : 0) + (fileSolves ? 4 : 0))
        let available = (data.count - Self.headerBytes) / size
        chunk = Int(min(header[4], UInt64(Int.max)))
        let count = Int(min(header[2], UInt64(min(available, iterations))))
        entries.reserveCapacity(count)
        data.withUnsafeBytes { raw in
            for e in 0..<count {
                var at = Self.headerBytes + e * size
                let key = data.loadLE(at: at)
                at += 8
                var step: [Double]? = nil, solve: [Float]? = nil
                if fileSteps {
                    let bits = raw.loadArray(UInt64.self, at: at, count: rowValues)
                    if steps { step = bits.map { Double(bitPattern: UInt64(littleEndian: $0)) } }
                    at += rowValues * 8
                }
                if fileSolves {
                    let bits = raw.loadArray(UInt32.self, at: at, count: rowValues)
                    if solves { solve = bits.map { Float(bitPattern: UInt32(littleEndian: $0)) } }
                }
                entries.append(Entry(key: key, step: step, solve: solve))
            }
        }
    }

    /// The cache of the stream that these students (one seed, one batch size) share.
    public convenience init(url: URL, for configs: [DistillationConfig], dims: Int) throws(DistillationError) {
        let objectives = Set(configs.map(\.objective))
        try self.init(
            url: url, batchSize: configs.first?.batchSize ?? 0, dims: dims,
            iterations: configs.map(\.iterations).max() ?? 0,
            steps: objectives.contains(.cm), solves: objectives.contains(.direct))
    }

    /// Entries `t ..< t + keys.count` when all are present under these keys.
    func entries(from t: Int, keys: [UInt64]) -> ArraySlice<Entry>? {
        guard t + keys.count <= entries.count else { return nil }
        for (k, key) in keys.enumerated() where entries[t + k].key != key {
            truncate(at: t + k, because: "its entry for iteration \(t + k) was drawn from other data, seed or grid")
            return nil
        }
        read += keys.count
        return entries[t..<(t + keys.count)]
    }

    /// Adds freshly computed entries at iteration `t` (kept only where they continue the cache).
    func record(from t: Int, _ new: [Entry]) {
        if t < entries.count { truncate(at: t, because: nil) }
        guard t == entries.count else { return }
        entries += new
        computed += new.count
    }

    /// Drops every entry from iteration `t` on.
    func truncate(at t: Int, because reason: String?) {
        if t < entries.count {
            entries.removeSubrange(t...)
            if let reason, rejected == nil { rejected = reason }
        }
    }

    /// Drops the file's entries: they were not made by this teacher and solver.
    func reject(_ reason: String) {
        read = 0
        truncate(at: 0, because: reason)
    }

    /// Writes the cache when this run added entries; returns what happened, for the user.
    @discardableResult
    public func save() -> String {
        let name = url.lastPathComponent
        guard computed > 0 else { return "targets: \(read) iterations read from \(name)" }
        var data = Data(Self.magic)
        let rowValues = batchSize * dims
        data.reserveCapacity(
            Self.headerBytes + entries.count * (8 + rowValues * ((hasSteps ? 8 : 0) + (hasSolves ? 4 : 0))))
        for v in [
            UInt64(batchSize), UInt64(dims), UInt64(entries.count), UInt64((hasSteps ? 1 : 0) | (hasSolves ? 2 : 0)),
            UInt64(chunk),
        ] {
            data.appendLE(v)
        }
        for e in entries {
            data.appendLE(e.key)
            if hasSteps, let s = e.step {
                s.withUnsafeBufferPointer { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
            }
            if hasSolves, let s = e.solve {
                s.withUnsafeBufferPointer { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
            }
        }
        let why = rejected.map { "; the file's entries were set aside: \($0)" } ?? ""
        do {
            try AtomicFile.write(data, to: url)
            return "targets: \(read) iterations read, \(computed) computed and saved to \(name)\(why)"
        } catch {
            return
                "targets: \(read) iterations read, \(computed) computed; saving \(name) failed: \(error.localizedDescription)"
        }
    }

    /// The key of one iteration: FNV-1a over its grid indices and x_n's bit patterns.
    static func key(x: Batch, n: [Int]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) {
            var v = v
            for _ in 0..<8 { h = (h ^ (v & 0xff)) &* 0x0000_0100_0000_01b3; v >>= 8 }
        }
        mix(UInt64(x.count)); mix(UInt64(x.dims))
        for i in n { mix(UInt64(truncatingIfNeeded: i)) }
        for v in x.values { mix(v.bitPattern) }
        return h
    }
}

private func formatBytes(_ n: Int) -> String {
    n >= 1 << 30
        ? String(format: "%.1f GB", Double(n) / Double(1 << 30))
        : String(format: "%.0f MB", Double(n) / Double(1 << 20))
}

private extension Data {
    func loadLE(at offset: Int) -> UInt64 {
        withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }
    mutating func appendLE(_ v: UInt64) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

private extension UnsafeRawBufferPointer {
    func loadArray<T: FixedWidthInteger>(_: T.Type, at offset: Int, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: self[offset..<(offset + count * MemoryLayout<T>.size)]))
            initialized = count
        }
    }
}
