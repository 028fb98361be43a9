import Foundation
import Tensors
import TestSupport
import Testing

@testable import Metrics

let hasNumPy = pythonHas("numpy")

@Suite struct PowerSpectrumTests {
    /// White noise of variance v has E P(k) = v at every frequency: with 4,000 images of
    /// 16 × 16 every band's mean lies within 5 standard errors of v (a band of m
    /// frequencies averages 4,000·m values of spread ≤ v·√2, so 5·√2/√4000 ≈ 0.11·v at
    /// the single-frequency band 0 and less elsewhere).
    @Test func whiteNoiseIsFlat() throws {
        let n = 4000, s = 16, v = 0.25
        let x = RNG(seed: 3).normalBatch(count: n, dims: s * s).map { $0 * v.squareRoot() }
        let p = try radialPowerSpectrum(x, side: s)
        #expect(p.power.count == s / 2 + 1)
        for (b, m) in p.frequencies.enumerated() {
            let tolerance = 5 * 2.0.squareRoot() * v / Double(n * m).squareRoot()
            #expect(abs(p.power[b] - v) < tolerance, "band \(b): \(p.power[b])")
        }
    }

    /// A plane wave cos(2π·3·x/s) puts all its power at band 3: |F(±3, 0)| = s²/2, so the
    /// band holds 2·(s²/2)²/s² = s²/2 spread over its frequencies; every other band is 0.
    @Test func planeWaveSitsInItsBand() throws {
        let s = 12
        var x = Batch(count: 1, dims: s * s)
        for r in 0..<s { for c in 0..<s { x.values[r * s + c] = cos(2 * Double.pi * 3 * Double(c) / Double(s)) } }
        let p = try radialPowerSpectrum(x, side: s)
        for b in 0..<p.power.count {
            let expected = b == 3 ? Double(s * s) / 2 / Double(p.frequencies[3]) : 0
            #expect(abs(p.power[b] - expected) < 1e-9, "band \(b)")
        }
    }

    /// Against NumPy's FFT on the same `.npy`: smooth random images (a random walk along
    /// rows and columns, so the spectrum falls steeply) of sides 14 and 28, and an error
    /// spectrum; agreement to 1e-9 relative.
    @Test(.enabled(if: hasNumPy, "needs python3 with numpy"), arguments: [14, 28])
    func agreesWithNumPy(side s: Int) throws {
        let n = 50
        var x = RNG(seed: UInt64(s)).normalBatch(count: n, dims: s * s)
        for i in 0..<n {
            for r in 0..<s { for c in 1..<s { x.values[i * s * s + r * s + c] += x.values[i * s * s + r * s + c - 1] } }
        }
        for i in 0..<n {
            for r in 1..<s {
                for c in 0..<s { x.values[i * s * s + r * s + c] += 0.5 * x.values[i * s * s + (r - 1) * s + c] }
            }
        }
        let y = RNG(seed: 99).normalBatch(count: n, dims: s * s)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-spectrum-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try NPY.write(x, to: dir.appendingPathComponent("x.npy"))
        try NPY.write(y, to: dir.appendingPathComponent("y.npy"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "python3", "-c",
            """
            import sys, numpy as np
            d, s = sys.argv[1], int(sys.argv[2])
            def spectrum(a):
                P = (np.abs(np.fft.fft2(a.reshape(len(a), s, s))) ** 2).mean(0) / s**2
                f = np.fft.fftfreq(s) * s
                b = np.rint(np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)).astype(int)
                return [P[b == k].mean() for k in range(s // 2 + 1)]
            x, y = np.load(d + "/x.npy"), np.load(d + "/y.npy")
            print(" ".join(repr(float(v)) for v in spectrum(x)))
            print(" ".join(repr(float(v)) for v in spectrum(x - y)))
            """, dir.path, String(s),
        ]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }
        try #require(lines.count == 2)
        let mine = try radialPowerSpectrum(x, side: s).power
        let error = try errorSpectrum(samples: x, reference: y, side: s).power
        #expect(lines[0].count == mine.count && lines[1].count == error.count)
        for (a, b) in zip(mine, lines[0]) { #expect(abs(a - b) <= 1e-9 * b, "\(a) vs NumPy \(b)") }
        for (a, b) in zip(error, lines[1]) { #expect(abs(a - b) <= 1e-9 * b, "\(a) vs NumPy \(b)") }
        #expect(mine[1] > 10 * mine[s / 2]) // the smooth images' spectrum falls
    }

    @Test func badInputIsAnError() {
        #expect(throws: MetricError.self) { try radialPowerSpectrum(Batch(count: 2, dims: 10), side: 3) }
        #expect(throws: MetricError.self) { try radialPowerSpectrum(Batch(count: 2, dims: 9), side: 0) }
        #expect(throws: MetricError.self) {
            try errorSpectrum(samples: Batch(count: 2, dims: 4), reference: Batch(count: 3, dims: 4), side: 2)
        }
        #expect(squareSide(196) == 14 && squareSide(2) == nil)
    }
}
