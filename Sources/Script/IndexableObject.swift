import Tensors

/// A domain object whose items can be picked along one axis, as a list's can:
/// `x[3]`, `x[-1]`, `x[0:5]`, `x[[2, 7, 9]]`, `x[mask]`. A trajectory's items are its points.
///
/// The interpreter checks every position (negative ones count from the end) and
/// reports a bad one at the index expression, so the object only sees valid,
/// non-negative positions in the order the user gave them.
public protocol IndexableObject: ScriptObject {
    /// How many items there are.
    var itemCount: Int { get }
    /// What one item is called in messages, e.g. "point".
    var itemName: String { get }
    /// The items at `positions` (each in `0..<itemCount`). `single` is true for a plain
    /// index (`x[3]`), false for a slice or a list of indices.
    func select(_ positions: [Int], single: Bool) throws -> Value
}

extension Interpreter {
    /// `object[i]`, `object[a:b]`, `object[[i, j, …]]` on an ``IndexableObject``.
    func index(object o: IndexableObject, _ items: [IndexItem], in env: Environment, span: SourceSpan) throws -> Value {
        let n = o.itemCount
        guard items.count == 1 else {
            throw ScriptError(
                "a \(o.typeName) is indexed along its \(o.itemName)s only: one index, got \(items.count)", at: span)
        }
        func checked(_ i: Int, at s: SourceSpan) throws -> Int {
            let j = i < 0 ? i + n : i
            guard j >= 0 && j < n else {
                throw ScriptError(
                    "\(o.itemName) \(i) is out of range: the \(o.typeName) has \(n) \(o.itemName)\(n == 1 ? "" : "s")",
                    at: s)
            }
            return j
        }
        switch items[0] {
        case .slice(let lo, let hi, let s):
            func bound(_ e: Expr?, _ dflt: Int) throws -> Int {
                guard let e else { return dflt }
                let i = try wholeNumber(try evaluate(e, in: env), what: "a slice bound", at: e.span)
                return Swift.min(Swift.max(i < 0 ? i + n : i, 0), n)
            }
            let a = try bound(lo, 0), b = try bound(hi, n)
            guard b > a else {
                throw ScriptError(
                    "the slice \(a):\(b) picks no \(o.itemName)s of the \(o.typeName) (\(n) \(o.itemName)s)", at: s)
            }
            return try o.select(Array(a..<b), single: false)
        case .single(let e):
            let v = try evaluate(e, in: env)
            let picks: [Double]
            switch v {
            case .number(let x):
                return try o.select(
                    [try checked(try wholeNumber(.number(x), what: "an index", at: e.span), at: e.span)], single: true)
            case .list(let xs):
                picks = try xs.map { x in
                    guard case .number(let d) = x else {
                        throw ScriptError("a list of indices must hold whole numbers, found \(x.brief)", at: e.span)
                    }
                    return d
                }
            case .range(let r):
                try checkListSize(r.count, at: e.span)
                picks = (0..<r.count).map { r[$0] }
            case .tensor(let m) where m.isBoolean:
                guard m.rank == 1, m.count == n else {
                    throw ScriptError(
                        "a mask must be a 1-D boolean tensor with one entry per \(o.itemName) (\(n)), got shape \(m.shape)",
                        at: e.span)
                }
                let chosen = m.scalars.indices.filter { m.scalars[$0] != 0 }
                guard !chosen.isEmpty else { throw ScriptError("the mask selects no \(o.itemName)s", at: e.span) }
                return try o.select(chosen, single: false)
            case .tensor(let t) where t.rank == 1:
                picks = t.scalars.map(Double.init)
            default:
                throw ScriptError(
                    "a \(o.typeName) is indexed by a whole number, a slice a:b or a list of indices, got \(v.brief)",
                    at: e.span)
            }
            guard !picks.isEmpty else { throw ScriptError("the list of indices is empty", at: e.span) }
            let positions = try picks.map {
                try checked(try wholeNumber(.number($0), what: "an index", at: e.span), at: e.span)
            }
            return try o.select(positions, single: false)
        }
    }
}
