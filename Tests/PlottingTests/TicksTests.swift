import Foundation
import Testing

@testable import Plotting

/// Tick placement follows the nice-number rule: steps from {1, 2, 5} × 10^k.
struct TicksTests {
    @Test func linearTicksForKnownRanges() {
        let cases: [(ClosedRange<Double>, Int, [Double])] = [
            (0...1, 7, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
            (-1.2...1.2, 7, [-1, -0.5, 0, 0.5, 1]),
            (0...10, 7, [0, 2, 4, 6, 8, 10]),
            (0...100, 3, [0, 50, 100]),
            (3...9, 7, [3, 4, 5, 6, 7, 8, 9]),
            (0.013...0.047, 5, [0.02, 0.03, 0.04]),
            (-273...1200, 7, [0, 500, 1000]),
            (995...1005, 6, [996, 998, 1000, 1002, 1004]),
        ]
        for (range, count, expected) in cases {
            let got = ticks(for: range, scale: .linear, maxCount: count).values
            #expect(got.count == expected.count, "range \(range): \(got)")
            for (g, e) in zip(got, expected) { #expect(abs(g - e) <= 1e-12 * max(1, abs(e)), "range \(range): \(got)") }
        }
    }

    @Test func everyStepIsOneTwoOrFiveTimesAPowerOfTen() {
        var seed: UInt64 = 12345
        func next() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Double(seed >> 11) / Double(1 << 53)
        }
        for _ in 0..<500 {
            let lo = (next() - 0.5) * pow(10, next() * 8 - 3)
            let span = pow(10, next() * 10 - 4)
            let maxCount = 3 + Int(next() * 7)
            let ts = ticks(for: lo...(lo + span), scale: .linear, maxCount: maxCount).values
            // A range that holds one multiple of the widest step steps down once: at most 5 then.
            #expect(ts.count >= 2 && ts.count <= max(maxCount, 5), "\(lo)…\(lo + span) max \(maxCount): \(ts)")
            guard ts.count >= 2 else { continue }
            let step = niceStepUsed(ts)
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
            // Ticks are multiples of the step and lie inside the range.
            for t in ts {
                #expect(abs(t / step - (t / step).rounded()) < 1e-6 * max(1, abs(t / step)), "\(t) step \(step)")
                #expect(t >= lo - span * 1e-9 && t <= lo + span * (1 + 1e-9))
            }
        }
    }

    /// The step, recovered from the tick values without cancellation: the median gap
    /// rounded to three significant digits.
    private func niceStepUsed(_ ts: [Double]) -> Double {
        let gap = ts[1] - ts[0]
        let p = pow(10, floor(log10(gap)) - 2)
        return (gap / p).rounded() * p
    }

    @Test func logAxisOverSigmaRangeGetsDecadeTicks() {
        let ts = ticks(for: 0.002...80, scale: .log)
        #expect(ts.values == [0.01, 0.1, 1, 10].map { $0 })
        #expect(ts.major.map(\.label) == ["10⁻²", "10⁻¹", "10⁰", "10¹"])
        // Minor ticks at 2…9 × 10^k inside the range, including 0.002…0.009 and 20…80.
        #expect(ts.minor.contains { abs($0 - 0.002) < 1e-15 })
        #expect(ts.minor.contains { abs($0 - 80) < 1e-9 })
        #expect(!ts.minor.contains { abs($0 - 90) < 1e-9 })
    }

    @Test func logAxisWithManyDecadesThinsOut() {
        let ts = ticks(for: 1e-8...1e8, scale: .log, maxCount: 7)
        #expect(ts.major.count <= 7 && ts.major.count >= 4)
        let exps = ts.values.map { log10($0).rounded() }
        #expect(Set(zip(exps, exps.dropFirst()).map { $1 - $0 }).count == 1, "even spacing: \(exps)")
    }

    @Test func shortLogRangeFallsBackToOneTwoFive() {
        let ts = ticks(for: 0.15...3, scale: .log).values
        #expect(ts == [0.2, 0.5, 1, 2])
    }

    @Test func labelsAreReadable() {
        #expect(formatTick(-0.5, step: 0.5) == "−0.5")
        #expect(formatTick(1000, step: 500) == "1000")
        #expect(formatTick(2e6, step: 1e6) == "2×10⁶")
        #expect(formatTick(0.25, step: 0.05) == "0.25")
        #expect(decadeLabel(-3) == "10⁻³")
    }
}
