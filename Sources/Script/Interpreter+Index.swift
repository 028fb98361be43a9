import Tensors

/// Indexing and slicing of lists, strings, ranges, records and tensors
/// (`x[0]`, `x[-1]`, `x[1:3]`, `x[:, 0]`), by a mask (`x[x[:, 0] > 0.5]`) or a list of
/// indices (`x[[0, 2]]`, `x[argmin(d, axis: 1)]`), assignment through an index, and iteration.
extension Interpreter {
    /// An evaluated index item.
    enum Selector {
        case at(Int)
        case slice(Range<Int>)
        /// Chosen positions along the axis, in order (from a mask or a list of indices).
        case pick([Int])
    }

    func index(_ base: Value, _ items: [IndexItem], in env: Environment, span: SourceSpan) throws -> Value {
        if case .record(let r) = base {
            guard items.count == 1, case .single(let e) = items[0] else {
                throw ScriptError("a record is indexed by one field name, as r[\"name\"]", at: span)
            }
            let key = try evaluate(e, in: env)
            guard case .string(let k) = key else {
                throw ScriptError("a record is indexed by a field name (a string), got \(key.brief)", at: e.span)
            }
            if let v = r[k] { return v }
            throw ScriptError(
                "the record has no field '\(k)'\(memberHint(k, among: r.names, kind: "fields"))", at: e.span)
        }
        if case .object(let o as IndexableObject) = base { return try index(object: o, items, in: env, span: span) }
        let sizes = try axisSizes(base, at: span)
        var first: Value? = nil
        if case .tensor(let t) = base, t.rank >= 2, items.count == 1, case .single(let e) = items[0] {
            let v = try evaluate(e, in: env)
            if let flat = try wholeMask(t, v, at: e.span) {
                return .tensor(Tensor(shape: [flat.count], scalars: flat.map { t.scalars[$0] }))
            }
            first = v
        }
        guard items.count <= sizes.count else {
            throw ScriptError(
                "too many indices: \(base.brief) has \(sizes.count) \(sizes.count == 1 ? "axis" : "axes"), got \(items.count)",
                at: span)
        }
        var sel: [Selector] = []
        for (k, item) in items.enumerated() {
            sel.append(try selector(item, size: sizes[k], in: env, evaluated: k == 0 ? first : nil))
        }
        switch base {
        case .list(let xs):
            switch sel[0] {
            case .at(let i): return xs[i]
            case .slice(let r): return .list(Array(xs[r]))
            case .pick(let p): return .list(p.map { xs[$0] })
            }
        case .string(let s):
            let chars = Array(s)
            switch sel[0] {
            case .at(let i): return .string(String(chars[i]))
            case .slice(let r): return .string(String(chars[r]))
            case .pick(let p): return .string(String(p.map { chars[$0] }))
            }
        case .range(let rv):
            switch sel[0] {
            case .at(let i): return .number(rv[i])
            case .slice(let r):
                return .range(RangeValue(start: rv[r.lowerBound], stop: rv[r.upperBound], step: rv.step))
            case .pick(let p): return .list(p.map { .number(rv[$0]) })
            }
        case .tensor(let t):
            try charge(elements: t.count, at: span)
            return gather(t, sel)
        default:
            throw ScriptError("\(base.brief) cannot be indexed", at: span)
        }
    }

    /// Extent of each indexable axis of a value.
    private func axisSizes(_ v: Value, at span: SourceSpan) throws -> [Int] {
        switch v {
        case .list(let xs): return [xs.count]
        case .string(let s): return [s.count]
        case .range(let r): return [r.count]
        case .tensor(let t):
            if t.rank == 0 { throw ScriptError("a rank-0 tensor cannot be indexed", at: span) }
            return t.shape
        default: throw ScriptError("\(v.brief) cannot be indexed", at: span)
        }
    }

    private func selector(_ item: IndexItem, size: Int, in env: Environment, evaluated: Value? = nil) throws -> Selector
    {
        switch item {
        case .single(let e):
            let v = try evaluated ?? evaluate(e, in: env)
            if let p = try picks(v, size: size, at: e.span) { return .pick(p) }
            let i = try wholeNumber(v, what: "an index", at: e.span)
            let j = i < 0 ? i + size : i
            guard j >= 0 && j < size else {
                throw ScriptError("index \(i) is out of range for an axis of length \(size)", at: e.span)
            }
            return .at(j)
        case .slice(let lo, let hi, _):
            func bound(_ e: Expr?, _ dflt: Int) throws -> Int {
                guard let e else { return dflt }
                let i = try wholeNumber(try evaluate(e, in: env), what: "a slice bound", at: e.span)
                let j = i < 0 ? i + size : i
                return Swift.min(Swift.max(j, 0), size)
            }
            let a = try bound(lo, 0), b = try bound(hi, size)
            return .slice(a..<Swift.max(a, b))
        }
    }

    /// Positions chosen by a mask (a boolean tensor as long as the axis) or by a list or
    /// tensor of whole-number indices (negative ones count from the end); nil for a plain index.
    private func picks(_ v: Value, size: Int, at span: SourceSpan) throws -> [Int]? {
        let items: [Float]
        switch v {
        case .tensor(let m) where m.isBoolean:
            guard m.rank == 1, m.count == size else {
                throw ScriptError(
                    "a mask must be a 1-D boolean tensor as long as the axis (\(size)), got shape "
                        + "\(m.shape)", at: span)
            }
            return m.scalars.indices.filter { m.scalars[$0] != 0 }
        case .tensor(let t):
            guard t.rank == 1 else {
                throw ScriptError(
                    "indices must be a 1-D tensor or a list of whole numbers, got shape \(t.shape)", at: span)
            }
            items = t.scalars
        case .list(let xs):
            items = try xs.map { x -> Float in
                guard case .number(let n) = x else {
                    throw ScriptError("a list of indices must hold whole numbers, found \(x.brief)", at: span)
                }
                return Float(n)
            }
        case .range(let r):
            try checkListSize(r.count, at: span)
            items = (0..<r.count).map { Float(r[$0]) }
        default: return nil
        }
        try charge(elements: items.count, at: span)
        return try items.map { x in
            guard x.isFinite, x == x.rounded() else {
                throw ScriptError("an index must be a whole number, got \(formatNumber(Double(x)))", at: span)
            }
            let i = Int(x), j = i < 0 ? i + size : i
            guard j >= 0 && j < size else {
                throw ScriptError("index \(i) is out of range for an axis of length \(size)", at: span)
            }
            return j
        }
    }

    /// `x[m]` with a mask `m` of x's own shape (rank ≥ 2): the flat positions where m is true
    /// (NumPy's `x[m]`, a 1-D result); nil for any other index.
    private func wholeMask(_ t: Tensor, _ v: Value, at span: SourceSpan) throws -> [Int]? {
        guard t.rank >= 2, case .tensor(let m) = v, m.isBoolean, m.shape == t.shape else { return nil }
        try charge(elements: m.count, at: span)
        return m.scalars.indices.filter { m.scalars[$0] != 0 }
    }

    /// A finite whole number as an Int, or an error naming `what` was expected.
    func wholeNumber(_ v: Value, what: String, at span: SourceSpan) throws -> Int {
        guard case .number(let x) = v else {
            throw ScriptError("\(what) must be a whole number, got \(v.brief)", at: span)
        }
        guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else {
            throw ScriptError("\(what) must be a whole number, got \(formatNumber(x))", at: span)
        }
        return Int(x)
    }

    /// Flat offsets of the elements `sel` picks from a tensor, and the result shape.
    private func offsets(_ t: Tensor, _ sel: [Selector]) -> (offsets: [Int], shape: [Int]) {
        var strides = [Int](repeating: 1, count: t.rank)
        var acc = 1
        for k in stride(from: t.rank - 1, through: 0, by: -1) { strides[k] = acc; acc *= t.shape[k] }
        var offs = [0], shape: [Int] = []
        for k in 0..<t.rank {
            let s: Selector = k < sel.count ? sel[k] : .slice(0..<t.shape[k])
            switch s {
            case .at(let i): offs = offs.map { $0 + i * strides[k] }
            case .slice(let r):
                shape.append(r.count)
                offs = offs.flatMap { o in r.map { o + $0 * strides[k] } }
            case .pick(let p):
                shape.append(p.count)
                offs = offs.flatMap { o in p.map { o + $0 * strides[k] } }
            }
        }
        return (offs, shape)
    }

    private func gather(_ t: Tensor, _ sel: [Selector]) -> Value {
        let (offs, shape) = offsets(t, sel)
        if shape.isEmpty, let o = offs.first { return .number(Double(t.scalars[o])) }
        return .tensor(Tensor(shape: shape, scalars: offs.map { t.scalars[$0] }))
    }

    /// `base[items] = value`, returning the updated container.
    func setIndex(
        _ base: Value, _ items: [IndexItem], to value: Value, in env: Environment, span: SourceSpan
    ) throws -> Value {
        if case .record(var r) = base {
            guard items.count == 1, case .single(let e) = items[0],
                case .string(let k) = try evaluate(e, in: env)
            else {
                throw ScriptError("a record is indexed by one field name, as r[\"name\"]", at: span)
            }
            r[k] = value
            return .record(r)
        }
        let sizes = try axisSizes(base, at: span)
        var first: Value? = nil
        if case .tensor(var t) = base, t.rank >= 2, items.count == 1, case .single(let e) = items[0] {
            let v = try evaluate(e, in: env)
            if let flat = try wholeMask(t, v, at: e.span) {
                switch value {
                case .number(let x): for o in flat { t.scalars[o] = Float(x) }
                case .tensor(let v) where v.count == flat.count: for (o, x) in zip(flat, v.scalars) { t.scalars[o] = x }
                default:
                    throw ScriptError("cannot store \(value.brief) into \(flat.count) tensor elements", at: span)
                }
                t.isBoolean = false
                return .tensor(t)
            }
            first = v
        }
        guard items.count <= sizes.count else {
            throw ScriptError("too many indices: \(base.brief) has \(sizes.count) axes, got \(items.count)", at: span)
        }
        var sel: [Selector] = []
        for (k, item) in items.enumerated() {
            sel.append(try selector(item, size: sizes[k], in: env, evaluated: k == 0 ? first : nil))
        }
        switch base {
        case .list(var xs):
            switch sel[0] {
            case .at(let i): xs[i] = value
            case .pick(let p):
                for i in p { xs[i] = value }
            case .slice(let r):
                guard case .list(let ys) = value else {
                    throw ScriptError("a list slice can only be assigned a list, got \(value.brief)", at: span)
                }
                try checkListSize(xs.count - r.count + ys.count, at: span)
                xs.replaceSubrange(r, with: ys)
            }
            return .list(xs)
        case .tensor(var t):
            try charge(elements: t.count, at: span)
            let (offs, _) = offsets(t, sel)
            switch value {
            case .number(let x):
                for o in offs { t.scalars[o] = Float(x) }
                if x != 0 && x != 1 { t.isBoolean = false }
            case .tensor(let v) where v.count == offs.count:
                for (o, x) in zip(offs, v.scalars) { t.scalars[o] = x }
                if !v.isBoolean { t.isBoolean = false }
            default:
                throw ScriptError(
                    "cannot store \(value.brief) into \(offs.count) tensor element\(offs.count == 1 ? "" : "s")",
                    at: span)
            }
            return .tensor(t)
        default:
            throw ScriptError("\(base.brief) cannot be changed through an index", at: span)
        }
    }

    // MARK: Iteration

    func iterationCount(_ v: Value, at span: SourceSpan) throws -> Int {
        switch v {
        case .list(let xs): return xs.count
        case .range(let r): return r.count
        case .tensor(let t):
            if t.rank == 0 { throw ScriptError("cannot loop over a rank-0 tensor", at: span) }
            return t.shape[0]
        default:
            throw ScriptError("cannot loop over \(v.brief); use a list, a range or a tensor", at: span)
        }
    }

    func element(of v: Value, at i: Int) throws -> Value {
        switch v {
        case .list(let xs): return xs[i]
        case .range(let r): return .number(r[i])
        case .tensor(let t): return gather(t, [.at(i)])
        default: return .none
        }
    }

    // MARK: Tensors from values

    /// A number, a tensor, or a rectangular nested list of numbers as a tensor.
    public func toTensor(_ v: Value, at span: SourceSpan) throws -> Tensor {
        switch v {
        case .number(let x): return Tensor(Float(x))
        case .tensor(let t): return t
        case .list, .range:
            var shape: [Int] = []
            var probe = v
            while true {
                if case .list(let xs) = probe {
                    shape.append(xs.count)
                    guard let first = xs.first else { break }
                    probe = first
                } else if case .range(let r) = probe {
                    shape.append(r.count); break
                } else {
                    break
                }
            }
            let n = try elementCount(shape, at: span)
            var scalars: [Float] = []
            scalars.reserveCapacity(n)
            var bools = 0
            try flatten(v, shape: shape[...], into: &scalars, bools: &bools, at: span)
            var t = Tensor(shape: shape, scalars: scalars)
            // A list of true/false is a mask.
            t.isBoolean = n > 0 && bools == n
            return t
        default:
            throw ScriptError("expected a number, a tensor or a list of numbers, got \(v.brief)", at: span)
        }
    }

    private func flatten(
        _ v: Value, shape: ArraySlice<Int>, into out: inout [Float], bools: inout Int,
        at span: SourceSpan
    ) throws {
        guard let n = shape.first else {
            switch v {
            case .number(let x): out.append(Float(x))
            case .bool(let b): out.append(b ? 1 : 0); bools += 1
            default: throw ScriptError("expected a number in the nested list, got \(v.brief)", at: span)
            }
            return
        }
        switch v {
        case .list(let xs) where xs.count == n:
            for x in xs { try flatten(x, shape: shape.dropFirst(), into: &out, bools: &bools, at: span) }
        case .range(let r) where r.count == n && shape.count == 1:
            for i in 0..<n { out.append(Float(r[i])) }
        default:
            throw ScriptError("ragged nested list: expected \(n) items at this level, got \(v.brief)", at: span)
        }
    }
}
