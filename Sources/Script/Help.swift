// The text `help(x)` prints; also what the REPL shows for `?x`.
extension Interpreter {
    public func helpText(for value: Value) -> String {
        switch value {
        case .none:
            var lines = ["Builtins (help(name) for details):"]
            for name in registry.names { if let b = registry[name] { lines.append("  " + b.signature) } }
            let user = globals.localNames
            if !user.isEmpty { lines.append("Variables: " + user.joined(separator: ", ")) }
            return lines.joined(separator: "\n")
        case .string(let name):
            if let b = registry[name] { return helpText(for: .function(.builtin(b))) }
            if let v = globals.lookup(name) { return helpText(for: v) }
            let hint = didYouMean(name, among: registry.names + globals.localNames)
            return "no builtin or variable named '\(name)'\(hint)"
        case .function(.builtin(let b)):
            return b.signature + "\n" + b.doc
        case .function(.user(let u)):
            return u.signature + "\nA function defined at line \(u.decl.span.line)."
        case .object(let o):
            var lines = ["\(o.typeName): \(o.summary)"]
            if !o.typeDoc.isEmpty { lines.append(o.typeDoc) }
            if !o.memberNames.isEmpty { lines.append("Members:") }
            for m in o.memberNames {
                var line = "  " + m
                if let v = try? o.member(m), case .function(let f) = v { line = "  " + f.signature }
                if let d = o.memberDoc(m) { line += " — " + d }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        case .tensor:
            return "tensor: \(value.repr)\n"
                + "Members: shape, rank, count. Arithmetic broadcasts; index with t[i], t[a:b], t[:, j]."
        default:
            return "\(value.typeName): \(value.repr)"
        }
    }

    /// The help of one member, `path` naming it as the user wrote it (`data.labels`): a
    /// method's signature and doc, or a value's doc and its current value. Nil when `object`
    /// has no such member.
    public func helpText(member name: String, of object: ScriptObject, path: String) -> String? {
        guard object.memberNames.contains(name) else { return nil }
        let doc = object.memberDoc(name) ?? ""
        let value: Value? = (try? object.member(name)) ?? nil
        if case .function(let f)? = value { return f.signature + "\n" + doc }
        var lines = ["\(path) — member of \(object.typeName)" + (doc.isEmpty ? "" : ": " + doc)]
        if let value { lines.append("value: " + value.repr) }
        return lines.joined(separator: "\n")
    }
}
