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
/// equal ignoring case. A name of one or two characters is an edit away from every
/// other short name, so there the guess is made only when a single candidate is that
/// close (`m` for `n` among karras's arguments; not `c` among the fields `a` and `b`).
public func suggestion(for name: String, among candidates: [String]) -> String? {
    let lower = name.lowercased()
    var best: (String, Int)? = nil
    var close = 0
    for c in Set(candidates) where c != name && !c.isEmpty {
        if c.lowercased() == lower { return c }
        let allowed = name.count >= 5 ? 2 : 1
        let d = editDistance(name, c, limit: allowed)
        guard d <= allowed else { continue }
        close += 1
        if let b = best, b.1 < d || (b.1 == d && b.0 < c) { continue }
        best = (c, d)
    }
    return name.count <= 2 && close > 1 ? nil : best?.0
}

/// `"; did you mean 'x'?"` or the empty string.
public func didYouMean(_ name: String, among candidates: [String]) -> String {
    guard let s = suggestion(for: name, among: candidates) else { return "" }
    return "; did you mean '\(s)'?"
}

/// For an argument, member or field that does not exist: ``didYouMean(_:among:)`` where
/// one is close, else the names there are (`"; its members are 'a', 'b', 'c'"`, `kind`
/// "arguments", "members" or "fields") in their own order when there are at most 24;
/// otherwise, or when there are none, the empty string.
public func memberHint(_ name: String, among candidates: [String], kind: String = "members") -> String {
    let close = didYouMean(name, among: candidates)
    guard close.isEmpty else { return close }
    let names = candidates.filter { !$0.isEmpty }
    guard !names.isEmpty, names.count <= 24 else { return "" }
    return "; its \(kind) are " + names.map { "'\($0)'" }.joined(separator: ", ")
}
