/// What the REPL's tab completion and `help` need to know about a session.
extension Interpreter {
    /// Global variables, sorted.
    public var globalNames: [String] { globals.localNames }

    /// Builtins, in registration order.
    public var builtinNames: [String] { registry.names }

    /// Argument labels of the function a name refers to (a variable holding a
    /// function, or a builtin).
    public func argumentLabels(of name: String) -> [String] {
        if case .function(let f)? = lookup(name) { return f.parameterNames }
        return []
    }

    /// Member names of the value a global variable holds.
    public func memberNames(ofGlobal name: String) -> [String] {
        lookup(name).map(memberNames(of:)) ?? []
    }

    /// Completions for the word before the cursor: `so` → names starting with "so"
    /// (variables, builtins, keywords); `traj.fi` → members of `traj` starting with "fi"
    /// (returned whole: `traj.final`). Looks variables up, never evaluates anything.
    public func completions(for prefix: String) -> [String] {
        let word = String(prefix.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }.reversed())
        if let dot = word.lastIndex(of: ".") {
            let path = word[..<dot].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let stem = String(word[word.index(after: dot)...])
            guard let first = path.first, var value = lookup(first) else { return [] }
            for m in path.dropFirst() {
                guard memberNames(of: value).contains(m),
                    let v = try? member(of: value, m, at: SourceSpan(line: 0, column: 0))
                else { return [] }
                value = v
            }
            let base = String(word[..<dot])
            return memberNames(of: value).filter { $0.hasPrefix(stem) }.sorted().map { base + "." + $0 }
        }
        let names = Set(globalNames + builtinNames + TokenKind.keywords.keys)
        return names.filter { $0.hasPrefix(word) }.sorted()
    }
}
