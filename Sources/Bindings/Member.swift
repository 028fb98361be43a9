import Script

/// One member of a domain object: a documented value or method.
struct Member {
    enum Kind {
        case value(() throws -> Value)
        /// A builtin whose body sees the object through its capture.
        case method([Parameter], (Arguments) throws -> Value)
    }
    let name: String
    /// One line; a method's signature is derived from its parameters and not repeated here.
    let doc: String
    let kind: Kind

    /// A data member.
    static func value(_ name: String, _ doc: String, _ get: @escaping () throws -> Value) -> Member {
        Member(name: name, doc: doc, kind: .value(get))
    }

    /// A method.
    static func method(
        _ name: String, _ doc: String, _ parameters: [Parameter],
        _ body: @escaping (Arguments) throws -> Value
    ) -> Member {
        Member(name: name, doc: doc, kind: .method(parameters, body))
    }
}

/// A domain object whose members come from a table.
protocol MemberTable: ScriptObject {
    var members: [Member] { get }
    /// How a method's signature names the object (`student` in `student.sample(x)`).
    var receiverName: String { get }
}

extension MemberTable {
    var receiverName: String { typeName }
    var memberNames: [String] { members.map(\.name) }
    func memberDoc(_ name: String) -> String? { members.first { $0.name == name }?.doc }

    func member(_ name: String) throws -> Value? {
        guard let m = members.first(where: { $0.name == name }) else { return nil }
        switch m.kind {
        case .value(let get): return try get()
        case .method(let parameters, let body):
            return .function(
                .builtin(
                    Builtin(
                        name: m.name, receiver: receiverName, doc: m.doc,
                        parameters: parameters, body: body)))
        }
    }
}
