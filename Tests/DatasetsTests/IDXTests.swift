import Foundation
import Tensors
import Testing

@testable import Datasets

@Suite struct IDXTests {
    /// IDX bytes: magic `00 00 08 rank`, big-endian extents, then `payload`.
    static func idx(_ shape: [Int], _ payload: [UInt8], type: UInt8 = 0x08) -> Data {
        var d: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for n in shape { d += [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)] }
        return Data(d + payload)
    }

    @Test func readsAWellFormedFile() throws {
        let a = try IDX.decode(Self.idx([2, 3], [1, 2, 3, 4, 5, 6]))
        #expect(a.shape == [2, 3] && a.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func rejectsTruncatedWrongAndOverlongFiles() {
        func message(_ data: Data) -> String? {
            do { _ = try IDX.decode(data, path: "f.idx"); return nil } catch { return error.description }
        }
        #expect(
            message(Self.idx([2, 3], [1, 2, 3, 4, 5]))?.contains(
                "truncated: shape [2, 3] needs 6 data bytes, the file has 5") == true)
        #expect(message(Data(Self.idx([2, 3], []).prefix(9)))?.contains("truncated header") == true)
        #expect(message(Data([0x1f, 0x8b, 8, 0, 0, 0]))?.contains("wrong magic number 1f 8b") == true)
        #expect(message(Self.idx([2], [1, 2], type: 0x0D))?.contains("element type 0x0d is not supported") == true)
        #expect(message(Self.idx([2], [1, 2, 3]))?.contains("1 bytes after") == true)
        #expect(message(Data([0, 0]))?.contains("too short") == true)
        #expect(message(Data())?.hasPrefix("f.idx: ") == true)
    }

    @Test func readsGzippedFilesAndReportsMissingOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let raw = dir + "/a-idx1-ubyte"
        try Self.idx([4], [9, 8, 7, 6]).write(to: URL(fileURLWithPath: raw))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-k", raw]
        try p.run(); p.waitUntilExit()
        #expect(try IDX.read(raw + ".gz") == IDX.Array(shape: [4], bytes: [9, 8, 7, 6]))
        #expect(throws: DatasetError.self) { try IDX.read(dir + "/missing.gz") }
        // A corrupt gzip stream is reported, not trapped on.
        try Data([0x1f, 0x8b, 1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/bad.gz"))
        #expect(throws: DatasetError.self) { try IDX.read(dir + "/bad.gz") }
    }

    /// A tiny Fashion-MNIST directory built in the test: checks scaling, pooling,
    /// padding, the class filter and the seeded subset without the real files.
    @Test func fashionLoaderOnSyntheticFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fm-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let n = 6
        var pixels = [UInt8](repeating: 0, count: n * 784)
        for i in 0..<n { pixels[i * 784] = 255; pixels[i * 784 + 1] = 255 } // top-left 2×1 white
        try Self.idx([n, 28, 28], pixels).write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte"))
        try Self.idx([n], [0, 1, 2, 0, 1, 2]).write(to: URL(fileURLWithPath: dir + "/train-labels-idx1-ubyte"))
        let full = try FashionMNIST.load(.train, resolution: .full, directory: dir)
        #expect(full.count == 6 && full.dims == 784)
        #expect(full.images.scalars[0] == 1 && full.images.scalars[2] == -1)
        let p14 = try FashionMNIST.load(.train, resolution: .pooled14, directory: dir)
        #expect(p14.images.scalars[0] == 0 && p14.images.scalars[1] == -1) // (1 + 1 − 1 − 1)/4
        let p16 = try FashionMNIST.load(.train, resolution: .padded16, directory: dir)
        #expect(p16.images.scalars[0] == -1 && p16.images.scalars[17] == 0) // framed by one background pixel
        let ones = try FashionMNIST.load(.train, classes: [1], directory: dir)
        #expect(ones.labels == [1, 1])
        let sub = try FashionMNIST.load(.train, limit: 3, seed: 5, directory: dir)
        let again = try FashionMNIST.load(.train, limit: 3, seed: 5, directory: dir)
        #expect(sub.count == 3 && sub.labels == again.labels)
        #expect(throws: DatasetError.self) { try FashionMNIST.load(.test, directory: dir) }
        #expect(throws: DatasetError.self) { try FashionMNIST.load(.train, classes: [10], directory: dir) }
    }

    /// The real files from Debian's `dataset-fashion-mnist`, when installed.
    @Test func realFashionMNISTHasTheKnownCounts() throws {
        guard FashionMNIST.isAvailable(.train), FashionMNIST.isAvailable(.test) else {
            print(
                "skipped: Fashion-MNIST not found in \(FashionMNIST.defaultDirectory) (apt install dataset-fashion-mnist)"
            )
            return
        }
        let train = try FashionMNIST.load(.train, resolution: .full)
        let test = try FashionMNIST.load(.test, resolution: .pooled14)
        #expect(train.count == 60_000 && train.dims == 784)
        #expect(test.count == 10_000 && test.dims == 196)
        #expect(Set(train.labels) == Set(0...9) && Set(test.labels) == Set(0...9))
        // Every class has 6,000 training and 1,000 test images.
        #expect((0...9).allSatisfy { c in train.labels.filter { $0 == c }.count == 6000 })
        #expect((0...9).allSatisfy { c in test.labels.filter { $0 == c }.count == 1000 })
        let (lo, hi) = train.images.minMax()!
        #expect(lo == -1 && hi == 1)
    }
}
