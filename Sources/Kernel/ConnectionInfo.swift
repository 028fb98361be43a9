// The connection file a Jupyter front end writes before it starts a kernel: where
// the five channels listen and the key that signs every message.
import Foundation

/// The parsed connection file (`cmlab kernel -f FILE`).
public struct ConnectionInfo: Decodable, Equatable {
    public var transport: String
    public var ip: String
    public var shellPort: Int
    public var iopubPort: Int
    public var stdinPort: Int
    public var controlPort: Int
    public var hbPort: Int
    /// The HMAC key; empty means messages are not signed.
    public var key: String
    public var signatureScheme: String

    enum CodingKeys: String, CodingKey {
        case transport, ip, key
        case shellPort = "shell_port", iopubPort = "iopub_port", stdinPort = "stdin_port"
        case controlPort = "control_port", hbPort = "hb_port", signatureScheme = "signature_scheme"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transport = try c.decodeIfPresent(String.self, forKey: .transport) ?? "tcp"
        ip = try c.decodeIfPresent(String.self, forKey: .ip) ?? "127.0.0.1"
        shellPort = try c.decode(Int.self, forKey: .shellPort)
        iopubPort = try c.decode(Int.self, forKey: .iopubPort)
        stdinPort = try c.decode(Int.self, forKey: .stdinPort)
        controlPort = try c.decode(Int.self, forKey: .controlPort)
        hbPort = try c.decode(Int.self, forKey: .hbPort)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        signatureScheme = try c.decodeIfPresent(String.self, forKey: .signatureScheme) ?? "hmac-sha256"
    }

    /// Reads and checks a connection file.
    /// - Throws: ``KernelError`` naming the file and what is wrong with it.
    public static func load(_ url: URL) throws -> ConnectionInfo {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw KernelError("cannot read the connection file \(url.path): \(error.localizedDescription)")
        }
        let info: ConnectionInfo
        do { info = try JSONDecoder().decode(ConnectionInfo.self, from: data) } catch {
            throw KernelError("\(url.path) is not a Jupyter connection file: \(Self.describe(error))")
        }
        guard info.transport == "tcp" || info.transport == "ipc" else {
            throw KernelError("\(url.path): unknown transport '\(info.transport)' (expected tcp or ipc)")
        }
        for port in [info.shellPort, info.iopubPort, info.stdinPort, info.controlPort, info.hbPort]
        where info.transport == "tcp" && !(1...65535).contains(port) {
            throw KernelError("\(url.path): port \(port) is not between 1 and 65535")
        }
        return info
    }

    /// The ZeroMQ endpoint of a channel's port: `tcp://127.0.0.1:5555`, or for ipc
    /// the file `ip-port` as Jupyter names it.
    public func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "'\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            let path = c.codingPath.map { $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "'\(path)' has the wrong type"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        default: return "\(error)"
        }
    }
}

/// A failure of the kernel's set-up (connection file, sockets, kernelspec), as one line.
public struct KernelError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
