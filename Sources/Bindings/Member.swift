import Script

/// One member of a domain object: a documented value or method.
struct Member {
    let name: String
    let doc: String
    let get: () throws -> Value

    /// A data member.
    static func value(_ name: String, _ doc: String, _ get: @escaping () throws -> Value) -> Member {
        Member(name: name, doc: doc, get: get)
    }

    /// A method: a builtin whose body sees the object through its capture.
    static func method(_ name: String, _ signature: String, _ doc: String, _ parameters: [Parameter],
                       _ body: @escaping (Arguments) throws -> Value) -> Member {
        let b = Builtin(name: name, signature: signature, doc: doc, parameters: parameters, body: body)
        return Member(name: name, doc: "\(signature) — \(doc)", get: { .function(.builtin(b)) })
    }
}

/// A domain object whose members come from a table.
protocol MemberTable: ScriptObject {
    var members: [Member] { get }
}

extension MemberTable {
    var memberNames: [String] { members.map(\.name) }
    func member(_ name: String) throws -> Value? { try members.first { $0.name == name }?.get() }
    func memberDoc(_ name: String) -> String? { members.first { $0.name == name }?.doc }
}
