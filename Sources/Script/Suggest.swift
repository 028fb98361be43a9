/// "Did you mean …?" suggestions: the nearest candidate by edit distance.

/// Levenshtein distance between two strings (characters, case-sensitive), cut
/// off early once it exceeds `limit`.
func editDistance(_ a: String, _ b: String, limit: Int = 64) -> Int {
    let x = Array(a), y = Array(b)
    if abs(x.count - y.count) > limit { return limit + 1 }
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prevPrev = [Int](repeating: 0, count: y.count + 1)
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        var rowMin = cur[0]
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            // A transposition ("huen" for "heun") counts as one edit.
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                cur[j] = Swift.min(cur[j], prevPrev[j - 2] + 1)
            }
            rowMin = Swift.min(rowMin, cur[j])
        }
        prevPrev = prev
        prev = cur
        if rowMin > limit { return limit + 1 }
    }
    return prev[y.count]
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo:
/// within one edit for short names, two for names of five or more characters, or
/// equal ignoring case.
public func suggestion(for name: String, among candidates: [String]) -> String? {
    let lower = name.lowercased()
    var best: (String, Int)? = nil
    for c in Set(candidates) where c != name && !c.isEmpty {
        if c.lowercased() == lower { return c }
        let allowed = name.count >= 5 ? 2 : 1
        let d = editDistance(name, c, limit: allowed)
        guard d <= allowed else { continue }
        if let b = best, b.1 < d || (b.1 == d && b.0 < c) { continue }
        best = (c, d)
    }
    return best?.0
}

/// `"; did you mean 'x'?"` or the empty string.
public func didYouMean(_ name: String, among candidates: [String]) -> String {
    guard let s = suggestion(for: name, among: candidates) else { return "" }
    return "; did you mean '\(s)'?"
}
