import Foundation
import Testing

@testable import Tensors

/// `.npy` files written by NumPy 2.x (the fixtures) must read back bit for bit.
@Suite struct NPYTests {
    func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
    }

    @Test func readsFloat32WrittenByNumPy() throws {
        let a = try NPY.read(fixture("f32_2x3.npy"))
        #expect(a.shape == [2, 3])
        #expect(a.dtype == .float32)
        // The Float32 values NumPy stored, widened exactly.
        let expected: [Float] = [1.5, -2.25, 3.0, 0.1, 1e-7, -1e30]
        #expect(a.values == expected.map(Double.init))
    }

    @Test func readsFloat64WrittenByNumPy() throws {
        let a = try NPY.read(fixture("f64_4.npy"))
        #expect(a.shape == [4])
        #expect(a.values == [Double.pi, -M_E, 1e-300, 0x1p60])
        let s = try NPY.read(fixture("f64_scalar.npy"))
        #expect(s.shape == [] && s.values == [0.625])
        let c = try NPY.read(fixture("f32_2x2x2.npy"))
        #expect(c.shape == [2, 2, 2])
        #expect(c.values == (0..<8).map { Double(Float($0) / 7) })
    }

    @Test func rejectsWhatItCannotRead() {
        for (name, words) in [
            ("i64_3.npy", "dtype <i8"), ("f4_fortran.npy", "Fortran"), ("f8_big_endian.npy", "dtype >f8"),
        ] {
            #expect { _ = try NPY.read(fixture(name)) } throws: { error in
                "\(error)".contains(words)
            }
        }
    }

    @Test func truncatedFileIsAnError() throws {
        var data = try Data(contentsOf: fixture("f32_2x3.npy"))
        data.removeLast(3)
        #expect { _ = try NPY.parse(data) } throws: { "\($0)".contains("truncated") }
        #expect { _ = try NPY.parse(data.prefix(12)) } throws: { "\($0)".contains("truncated") }
        #expect { _ = try NPY.parse(Data("hello world".utf8)) } throws: { "\($0)".contains("not a .npy") }
    }

    @Test func roundTripsBothDtypes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let values = [0.1, -2.5, 3e-8, 7, 1e300, -0.0]
        try NPY.write(shape: [3, 2], values: values, dtype: .float64, to: dir.appendingPathComponent("a.npy"))
        let b = try NPY.read(dir.appendingPathComponent("a.npy"))
        #expect(b.shape == [3, 2] && b.values.map(\.bitPattern) == values.map(\.bitPattern))
        let t = Tensor(shape: [1, 3], scalars: [1.25, -0.1, 9])
        try NPY.write(t, to: dir.appendingPathComponent("t.npy"))
        #expect(try NPY.read(dir.appendingPathComponent("t.npy")).tensor == t)
        // The header is padded so that the data starts on a 64-byte boundary (the format's rule).
        let raw = try Data(contentsOf: dir.appendingPathComponent("t.npy"))
        #expect((raw.count - 12) % 64 == 0)
    }
}
