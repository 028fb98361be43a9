/// A scope: names bound to values, and the scope it is nested in.
///
/// Scoping is lexical and per function, as in Python: a function call gets a new
/// environment whose parent is the environment the function was defined in;
/// `if`, `for` and `while` bodies share their enclosing scope. Assignment binds in
/// the innermost scope; reading walks outwards.
public final class Environment {
    public let parent: Environment?
    private(set) var values: [String: Value] = [:]

    public init(parent: Environment? = nil) { self.parent = parent }

    public func lookup(_ name: String) -> Value? {
        var env: Environment? = self
        while let e = env {
            if let v = e.values[name] { return v }
            env = e.parent
        }
        return nil
    }

    public func define(_ name: String, _ value: Value) { values[name] = value }

    public func remove(_ name: String) { values[name] = nil }

    /// Names bound here (not in enclosing scopes), sorted.
    public var localNames: [String] { values.keys.sorted() }

    /// Names visible from here, innermost first, without duplicates.
    public var visibleNames: [String] {
        var out: [String] = [], seen = Set<String>()
        var env: Environment? = self
        while let e = env {
            for n in e.values.keys.sorted() where seen.insert(n).inserted { out.append(n) }
            env = e.parent
        }
        return out
    }
}
