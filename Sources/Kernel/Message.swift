// One Jupyter message and its wire format: routing identities, the delimiter,
// the signature, four JSON frames (header, parent header, metadata, content) and
// optional binary buffers.
import Foundation

/// A JSON object as Foundation reads and writes it.
public typealias JSONObject = [String: Any]

/// One message of the Jupyter messaging protocol.
public struct Message {
    /// The version of the messaging protocol this kernel speaks.
    public static let protocolVersion = "5.3"
    /// The frame that ends the routing identities.
    static let delimiter = Data("<IDS|MSG>".utf8)

    /// ZeroMQ routing identities of the peer (a reply goes back through them).
    public var identities: [Data]
    public var header: JSONObject
    public var parentHeader: JSONObject
    public var metadata: JSONObject
    public var content: JSONObject
    public var buffers: [Data]

    public init(
        identities: [Data] = [], header: JSONObject, parentHeader: JSONObject = [:],
        metadata: JSONObject = [:], content: JSONObject = [:], buffers: [Data] = []
    ) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// `execute_request`, `kernel_info_request`, …
    public var type: String { header["msg_type"] as? String ?? "" }
    public var id: String { header["msg_id"] as? String ?? "" }

    /// A new message of `type` from this kernel's `session`, answering `parent` (if any):
    /// it carries the parent's header and, on the shell and control channels, goes back
    /// to the parent's identities.
    public static func make(
        _ type: String, content: JSONObject, session: String, parent: Message?,
        metadata: JSONObject = [:]
    ) -> Message {
        let header: JSONObject = [
            "msg_id": UUID().uuidString.lowercased(),
            "msg_type": type,
            "session": session,
            "username": parent?.header["username"] as? String ?? "cmlab",
            "date": timestamp(),
            "version": protocolVersion,
        ]
        return Message(
            identities: parent?.identities ?? [], header: header,
            parentHeader: parent?.header ?? [:], metadata: metadata, content: content)
    }

    /// ISO 8601 with microseconds and the UTC zone, as Jupyter writes dates.
    static func timestamp(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micro = min(999_999, Int(((seconds - whole) * 1e6).rounded()))
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1,
            parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, micro)
    }
}

/// Why a list of frames is not a message this kernel accepts.
public struct WireError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ d: String) { description = d }
}

/// The wire format: `[identities…, "<IDS|MSG>", signature, header, parent_header,
/// metadata, content, buffers…]`.
public enum WireFormat {
    /// Parses and authenticates `frames`.
    /// - Throws: ``WireError`` for a missing delimiter, too few frames, a bad
    ///   signature, a frame that is not a JSON object, or a header without a type.
    public static func decode(_ frames: [Data], signer: MessageSigner) throws -> Message {
        guard let d = frames.firstIndex(of: Message.delimiter) else {
            throw WireError("no <IDS|MSG> delimiter among \(frames.count) frames")
        }
        guard frames.count >= d + 6 else {
            throw WireError("\(frames.count - d - 1) frames after the delimiter, expected at least 5")
        }
        let signed = Array(frames[(d + 2)..<(d + 6)])
        guard signer.isValid(frames[d + 1], for: signed) else { throw WireError("invalid signature") }
        let names = ["header", "parent_header", "metadata", "content"]
        var objects: [JSONObject] = []
        for (name, frame) in zip(names, signed) {
            guard let object = (try? JSONSerialization.jsonObject(with: frame)) as? JSONObject else {
                throw WireError("the \(name) frame is not a JSON object")
            }
            objects.append(object)
        }
        let message = Message(
            identities: Array(frames[..<d]), header: objects[0], parentHeader: objects[1],
            metadata: objects[2], content: objects[3], buffers: Array(frames[(d + 6)...]))
        guard !message.type.isEmpty else { throw WireError("the header has no msg_type") }
        return message
    }

    /// The frames of `message`, signed; `topic` replaces the identities (for iopub).
    public static func encode(_ message: Message, signer: MessageSigner, topic: String? = nil) throws -> [Data] {
        let json = try [message.header, message.parentHeader, message.metadata, message.content].map(serialize)
        let prefix = topic.map { [Data($0.utf8)] } ?? message.identities
        return prefix + [Message.delimiter, Data(signer.signature(of: json).utf8)] + json + message.buffers
    }

    /// JSON bytes of an object (keys sorted, so equal objects give equal bytes).
    static func serialize(_ object: JSONObject) throws -> Data {
        guard JSONSerialization.isValidJSONObject(object) else {
            throw WireError("a message frame holds a value JSON cannot carry")
        }
        do { return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) } catch {
            throw WireError("cannot encode a message frame as JSON: \(error)")
        }
    }
}
