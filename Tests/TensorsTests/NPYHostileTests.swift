import Foundation
import Testing

@testable import Tensors

/// Issue 14: hostile `.npy` headers are refused before any allocation.
@Suite struct NPYHostileTests {
    /// A version-1.0 file with `header` (padded) and `dataBytes` zero bytes of data.
    func file(_ header: String, dataBytes: Int = 0) -> Data {
        var h = header
        h += String(repeating: " ", count: (64 - (10 + h.utf8.count + 1) % 64) % 64) + "\n"
        var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)])
        d.append(contentsOf: Array(h.utf8))
        d.append(Data(count: dataBytes))
        return d
    }

    @Test func overflowingShapeIsRefused() {
        // (0, 2^62, 4): zero elements, but strides computed from it overflow.
        let d = file("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4611686018427387904, 4), }")
        #expect(throws: NPYError.self) { try NPY.parse(d) }
        // …and says why, not "more than the limit of 9223372036854775807 elements".
        do { _ = try NPY.parse(d); Issue.record("parsed") } catch {
            #expect("\(error)".contains("overflows a 64-bit integer"), "\(error)")
        }
    }

    @Test func shapeAboveTheElementLimitIsRefusedBeforeReading() throws {
        // A sparse 3 GB file of shape (750000000, 1): the header alone decides.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sparse-\(UUID()).npy")
        defer { try? FileManager.default.removeItem(at: url) }
        let head = file("{'descr': '<f4', 'fortran_order': False, 'shape': (750000000, 1), }")
        try head.write(to: url)
        let h = try FileHandle(forWritingTo: url)
        try h.truncate(atOffset: UInt64(head.count) + 3_000_000_000) // sparse: no disk used
        try h.close()
        do { _ = try NPY.read(url); Issue.record("read a 750M-element file") } catch {
            #expect(error.message.contains("too large"), "\(error)")
        }
        // With a smaller limit, a small file is refused the same way.
        let small = file("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", dataBytes: 96)
        #expect((try? NPY.parse(small))?.shape == [3, 4])
        #expect(throws: NPYError.self) { try NPY.parse(small, maxElements: 11) }
    }

    @Test func shapeIsNeverReadFromInsideAString() {
        // The descr string holds "'shape': (2,)" but the real shape is (1,): 8 bytes of data.
        let d = file(
            "{'descr': '<f8', 'note': \"'shape': (2,)\", 'fortran_order': False, 'shape': (1,), }", dataBytes: 8)
        #expect((try? NPY.parse(d))?.shape == [1])
        let e = file("{'descr': \"'shape': (2,)\", 'fortran_order': False, }")
        #expect(throws: NPYError.self) { try NPY.parse(e) }
    }

    @Test func roundTripStillWorks() throws {
        let data = NPY.encode(shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: .float32)
        let a = try NPY.parse(data)
        #expect(a.shape == [2, 3] && a.values == [1, 2, 3, 4, 5, 6])
    }
}
