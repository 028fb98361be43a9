import Bindings
import Foundation
import Script
import TestSupport
import Testing

private let numPyHere = pythonHas("numpy")

/// Mask indexing, index lists, assignment through a mask and axis reductions, computed by a
/// script on an .npy and by NumPy on the same file: the results must agree exactly for
/// indexing (the same Float32 values picked) and to Float32 rounding for reductions.
@Suite(.enabled(if: numPyHere, "needs python3 with numpy")) struct MaskNumPyTests {
    @Test func maskIndexingAgreesWithNumPy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("masks-numpy-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let interp = Interpreter()
        let ctx = BindingsContext(
            resolveWritePath: { dir.appendingPathComponent($0) },
            resolveReadPath: { dir.appendingPathComponent($0) })
        installBindings(into: interp, context: ctx)
        let r = interp.run(
            """
            save(noise(200, dims: 3, seed: 11), "x.npy")
            x = load("x.npy")
            save(x[x[:, 0] > 0.2], "rows.npy")
            save(x[(x[:, 1] < 0) and not (x[:, 2] > 0.5), 2], "and_not.npy")
            save(x[(x[:, 0] > 1) or (x[:, 2] < -1)], "or.npy")
            save(x[x > 0.5], "flat.npy")
            save(x[[5, -1, 0, 5]], "list.npy")
            y = x
            y[y[:, 1] > 0, 0] = -7
            save(y, "assigned.npy")
            save(sum(x, axis: 0), "sum0.npy")
            save(mean(x, axis: 1), "mean1.npy")
            save(std(x, axis: 0), "std0.npy")
            save(argmax(x, axis: 1), "argmax1.npy")
            save(argmin(x, axis: 0), "argmin0.npy")
            save(where(x > 0, x, 0), "where.npy")
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.currentDirectoryURL = dir
        p.arguments = [
            "python3", "-c",
            """
            import numpy as np
            x = np.load("x.npy")
            assert x.dtype == np.float32 and x.shape == (200, 3), (x.dtype, x.shape)
            y = x.copy(); y[y[:, 1] > 0, 0] = -7
            exact = {
                "rows": x[x[:, 0] > 0.2],
                "and_not": x[(x[:, 1] < 0) & ~(x[:, 2] > 0.5), 2],
                "or": x[(x[:, 0] > 1) | (x[:, 2] < -1)],
                "flat": x[x > 0.5],
                "list": x[[5, -1, 0, 5]],
                "assigned": y,
                "argmax1": np.argmax(x, axis=1),
                "argmin0": np.argmin(x, axis=0),
                "where": np.where(x > 0, x, 0),
            }
            close = {
                "sum0": x.astype(np.float64).sum(axis=0),
                "mean1": x.astype(np.float64).mean(axis=1),
                "std0": x.astype(np.float64).std(axis=0),
            }
            bad = []
            for k, v in exact.items():
                got = np.load(k + ".npy")
                if got.shape != v.shape or not np.array_equal(got.astype(np.float64), v.astype(np.float64)):
                    bad.append(k)
            for k, v in close.items():
                got = np.load(k + ".npy")
                if got.shape != v.shape or not np.allclose(got, v, rtol=1e-5, atol=1e-5):
                    bad.append(k)
            print("sizes", len(exact["rows"]), len(exact["and_not"]), len(exact["or"]), len(exact["flat"]))
            print("bad", bad)
            """,
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains("bad []"), "\(out)")
        // Every selection picked something, so the check compares values, not empty arrays.
        let sizes =
            out.split(separator: "\n").first { $0.hasPrefix("sizes") }?.split(separator: " ").dropFirst()
            .compactMap { Int($0) } ?? []
        #expect(sizes.count == 4 && sizes.allSatisfy { $0 > 0 }, "\(out)")
    }
}
