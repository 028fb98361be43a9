import Foundation
import Testing

@testable import Metrics

@Suite struct BootstrapTests {
    /// The fraction of distinct samples in a resample of n: 1 on the samples themselves,
    /// 1 − (1 − 1/n)^n ≈ 0.632 on average over resamples with replacement, with standard
    /// deviation √(n·e⁻¹(1 − 2e⁻¹))/n ≈ 0.0156 at n = 400. It is the pure form of the bias
    /// that duplicates give set statistics such as the Fréchet distance.
    @Test func biasOfDuplicatesIsShiftedOut() {
        let n = 400
        let distinct = { (idx: [Int]) in Double(Set(idx).count) / Double(idx.count) }
        let plain = bootstrapInterval(count: n, replicates: 200, seed: 3, statistic: distinct)
        let corrected = bootstrapInterval(count: n, replicates: 200, seed: 3, estimate: 1, statistic: distinct)
        let expected = 1 - pow(1 - 1 / Double(n), Double(n))
        // The percentile interval lies around 0.632 ± 1.96 · 0.0156, far below the value 1.
        #expect(abs((plain.lo + plain.hi) / 2 - expected) < 0.01, "\(plain)")
        #expect(plain.hi < 0.7)
        // Shifted by the replicates' mean bias: same width, centred on 1.
        #expect(abs((corrected.hi - corrected.lo) - (plain.hi - plain.lo)) < 1e-12)
        #expect(corrected.lo < 1 && 1 < corrected.hi, "\(corrected)")
        #expect(abs((corrected.lo + corrected.hi) / 2 - 1) < 0.01, "\(corrected)")
    }

    /// A mean is unbiased under resampling: the shift is only the Monte Carlo error of the
    /// replicates' mean, about (width/3.92)/√1000 ≈ 0.008 of the width.
    @Test func unbiasedStatisticBarelyMoves() {
        let xs = (0..<400).map { Double(($0 * 17) % 37) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let statistic = { (idx: [Int]) in idx.reduce(0.0) { $0 + xs[$1] } / Double(idx.count) }
        let plain = bootstrapInterval(count: xs.count, replicates: 1000, seed: 5, statistic: statistic)
        let corrected = bootstrapInterval(
            count: xs.count, replicates: 1000, seed: 5, estimate: mean, statistic: statistic)
        let width = plain.hi - plain.lo
        #expect(abs(corrected.lo - plain.lo) < 0.05 * width && abs(corrected.hi - plain.hi) < 0.05 * width)
        #expect(corrected.lo < mean && mean < corrected.hi)
    }
}
