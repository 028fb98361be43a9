// A builtin's signature, derived from its parameter list so that defaults are
// written once: `karras(n: 40, sigma_min: 0.002, sigma_max: 80, rho: 7)`.

/// `receiver.name(required, variadic…, optional: default)`.
func signatureText(name: String, receiver: String?, parameters: [Parameter]) -> String {
    let ps = parameters.map { p -> String in
        if p.isVariadic { return "\(p.name)…" }
        guard let d = p.defaultValue else { return p.name }
        return "\(p.name): \(sourceForm(d))"
    }
    let callee = receiver.map { "\($0).\(name)" } ?? name
    return "\(callee)(\(ps.joined(separator: ", ")))"
}

/// A default value as a user would type it: like `repr`, but exponents without
/// padding (`1e-6`, where `repr` prints Swift's `1e-06`).
func sourceForm(_ v: Value) -> String {
    switch v {
    case .number(let x): return compactExponent(formatNumber(x))
    case .list(let xs): return "[" + xs.map(sourceForm).joined(separator: ", ") + "]"
    case .record(let r):
        return "{" + r.fields.map { "\($0.name): \(sourceForm($0.value))" }.joined(separator: ", ") + "}"
    default: return v.repr
    }
}

/// `1e-06` → `1e-6`, `1e+20` → `1e20`: the same number, as the scanner reads it.
func compactExponent(_ s: String) -> String {
    guard let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return s }
    var exponent = s[s.index(after: e)...]
    var sign = ""
    if exponent.first == "-" { sign = "-" }
    if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
    let digits = exponent.drop { $0 == "0" }
    return s[..<e] + "e" + sign + (digits.isEmpty ? "0" : digits)
}
