import Foundation

/// One labelled tick mark.
public struct Tick: Equatable {
    public var value: Double
    public var label: String
}

/// The ticks of one axis: labelled major ticks and unlabelled minor ones.
public struct TickSet: Equatable {
    public var major: [Tick]
    public var minor: [Double]
    public var values: [Double] { major.map(\.value) }
}

/// Tick positions a reader can interpolate between.
///
/// Linear axes put ticks at multiples of a step from {1, 2, 5} × 10^k — the smallest
/// such step that keeps at most `maxCount` ticks — because those are the numbers
/// people halve and double in their heads. A narrow range that would get a single
/// tick steps down once more, so every axis shows at least two. Log axes tick every decade (every n-th
/// decade when there are too many) with unlabelled minor ticks at 2…9 × 10^k; a log
/// range shorter than two decades falls back to {1, 2, 5} × 10^k, then to linear steps.
public func ticks(for range: ClosedRange<Double>, scale: Scale, maxCount: Int = 7) -> TickSet {
    switch scale {
    case .linear: return TickSet(major: linearTicks(range, maxCount: maxCount), minor: [])
    case .log: return logTicks(range, maxCount: maxCount)
    }
}

/// The nice step for a span: the least of {1, 2, 5} × 10^k giving at most `maxCount` ticks.
public func niceStep(span: Double, maxCount: Int) -> Double {
    // A degenerate span has no meaningful step; 1 keeps callers going instead of trapping.
    guard span > 0, span.isFinite else { return 1 }
    let intervals = Double(max(maxCount - 1, 1))
    let raw = span / intervals
    var magnitude = pow(10, floor(log10(raw)))
    // Walk up 1, 2, 5, 10, 20 … until the span fits (floating error can make raw sit a hair over).
    while true {
        for m in [1.0, 2, 5] {
            let step = m * magnitude
            if span / step <= intervals * (1 + 1e-9) { return step }
        }
        magnitude *= 10
    }
}

func linearTicks(_ range: ClosedRange<Double>, maxCount: Int) -> [Tick] {
    let lo = range.lowerBound, hi = range.upperBound
    guard hi > lo, lo.isFinite, hi.isFinite else { return [Tick(value: lo, label: formatTick(lo, step: 1))] }
    var step = niceStep(span: hi - lo, maxCount: maxCount)
    while true {
        let ticks = multiples(of: step, in: lo, hi)
        // A narrow range can hold a single multiple of the largest fitting step:
        // a lone tick cannot be read as a scale, so step down (5 → 2 → 1 → 0.5 …).
        if ticks.count >= 2 { return ticks }
        let m = step / pow(10, floor(log10(step)))
        step = (m.rounded() == 5 ? step * 0.4 : step * 0.5)
    }
}

func multiples(of step: Double, in lo: Double, _ hi: Double) -> [Tick] {
    let eps = step * 1e-9
    let first = (lo / step - 1e-9).rounded(.up), last = (hi / step + 1e-9).rounded(.down)
    guard first <= last else { return [] }
    var out: [Tick] = []
    var k = first
    while k <= last {
        let v = k * step
        if v >= lo - eps && v <= hi + eps {
            let value = abs(v) < eps ? 0 : v
            out.append(Tick(value: value, label: formatTick(value, step: step)))
        }
        k += 1
    }
    return out
}

func logTicks(_ range: ClosedRange<Double>, maxCount: Int) -> TickSet {
    let lo = range.lowerBound, hi = range.upperBound
    guard lo > 0, hi > lo, hi.isFinite else { return TickSet(major: linearTicks(range, maxCount: maxCount), minor: []) }
    let a = log10(lo), b = log10(hi)
    let k0 = Int((a - 1e-9).rounded(.up)), k1 = Int((b + 1e-9).rounded(.down))
    let decades = k1 - k0 + 1
    if decades >= 2 {
        let every = max(1, Int((Double(decades) / Double(maxCount)).rounded(.up)))
        var major: [Tick] = []
        var k = k0
        // Keep the labelled decades aligned to multiples of `every` so zooming stays stable.
        while k % every != 0 { k += 1 }
        while k <= k1 { major.append(Tick(value: pow(10, Double(k)), label: decadeLabel(k))); k += every }
        var minor: [Double] = []
        if every == 1 {
            for d in (k0 - 1)...k1 {
                for m in 2...9 {
                    let v = Double(m) * pow(10, Double(d))
                    if v >= lo && v <= hi { minor.append(v) }
                }
            }
        } else {
            for d in k0...k1 where d % every != 0 { minor.append(pow(10, Double(d))) }
        }
        return TickSet(major: major, minor: minor)
    }
    // Less than two decades: 1, 2, 5 × 10^k inside the range, if that gives enough ticks.
    var major: [Tick] = []
    for d in (k0 - 1)...(k1 + 1) {
        for m in [1.0, 2, 5] {
            let v = m * pow(10, Double(d))
            if v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) {
                major.append(Tick(value: v, label: formatTick(v, step: pow(10, Double(d)))))
            }
        }
    }
    if major.count >= 3 { return TickSet(major: major, minor: []) }
    return TickSet(major: linearTicks(range, maxCount: maxCount), minor: [])
}

private let superscripts: [Character: Character] = [
    "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
]

/// "10⁻³": a power of ten the way papers print it.
public func decadeLabel(_ k: Int) -> String {
    "10" + String(String(k).map { superscripts[$0] ?? $0 })
}

/// A tick label with just enough decimals for the step, a true minus sign, and
/// "m×10ᵏ" for very large or very small magnitudes.
public func formatTick(_ v: Double, step: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 1e5 || a < 1e-4 || step < 1e-4 {
        let k = Int(floor(log10(a)))
        let m = v / pow(10, Double(k))
        var ms = String(format: "%.2f", m)
        while ms.hasSuffix("0") { ms.removeLast() }
        if ms.hasSuffix(".") { ms.removeLast() }
        let man = ms == "1" ? "" : ms == "-1" ? "-" : ms + "×"
        return (man + decadeLabel(k)).replacingOccurrences(of: "-", with: "−")
    }
    let decimals = max(0, Int(ceil(-log10(step) - 1e-9)))
    let s = String(format: "%.\(decimals)f", v)
    return s.replacingOccurrences(of: "-", with: "−")
}
