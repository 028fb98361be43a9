import Foundation
import Testing

@testable import Tensors

@Suite struct RNGTests {
    /// Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
    @Test func philoxKnownAnswers() {
        let z = philox4x32_10(counter: (0, 0, 0, 0), key: (0, 0))
        #expect([z.0, z.1, z.2, z.3] == [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
        let f = philox4x32_10(counter: (.max, .max, .max, .max), key: (.max, .max))
        #expect([f.0, f.1, f.2, f.3] == [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd])
        let p = philox4x32_10(
            counter: (0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: (0xa409_3822, 0x299f_31d0))
        #expect([p.0, p.1, p.2, p.3] == [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1])
    }

    /// The same rows come out whatever the chunking: row i depends only on (seed, i).
    @Test func noiseIsIdenticalAcrossChunkSizes() {
        let rng = RNG(seed: 7)
        let whole = rng.normalBatch(count: 1000, dims: 3)
        for chunk in [1, 7, 64, 999] {
            var pieces: [Double] = []
            var start = 0
            while start < 1000 {
                let n = min(chunk, 1000 - start)
                pieces += rng.normalBatch(count: n, dims: 3, firstRow: start).values
                start += n
            }
            #expect(pieces == whole.values)
        }
        #expect(rng.normalTensor(shape: [1000, 3]).scalars == whole.values.map(Float.init))
    }

    /// Moments of 200,000 normals: the mean's standard error is 1/√n ≈ 0.0022, so
    /// |mean| < 0.011 (5 s.e.); the variance's s.e. is √(2/n) ≈ 0.0032, so |var − 1| < 0.016.
    @Test func normalMoments() {
        let x = RNG(seed: 1).normals(count: 200_000)
        let m = x.reduce(0, +) / Double(x.count)
        let v = x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
        let k = x.reduce(0) { $0 + pow($1 - m, 4) } / Double(x.count) / (v * v)
        #expect(abs(m) < 0.011)
        #expect(abs(v - 1) < 0.016)
        #expect(abs(k - 3) < 0.06) // kurtosis s.e. √(24/n) ≈ 0.011
    }

    @Test func seedsAndStreamsDiffer() {
        let a = RNG(seed: 1).normals(count: 4), b = RNG(seed: 2).normals(count: 4)
        let c = RNG(seed: 1).stream(5).normals(count: 4)
        #expect(a != b && a != c)
        #expect(RNG(seed: 1).stream(5) == RNG(seed: 1).stream(5))
        let u = (0..<10_000).map { RNG(seed: 3).integer(at: UInt64($0), below: 10) }
        #expect(u.allSatisfy { (0..<10).contains($0) })
        #expect(Set(u).count == 10)
    }
}
