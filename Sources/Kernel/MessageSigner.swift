// Message signatures: HMAC-SHA256 (swift-crypto) over the four JSON frames.
import Crypto
import Foundation

/// Signs and checks messages with the connection file's key, as the Jupyter
/// wire protocol asks: the hex HMAC of header, parent header, metadata and content,
/// in that order. An empty key means no signatures (every signature is "").
public struct MessageSigner {
    private let key: SymmetricKey?

    /// - Throws: ``KernelError`` for a scheme other than `hmac-sha256`.
    public init(key: String, scheme: String = "hmac-sha256") throws {
        guard scheme == "hmac-sha256" else {
            throw KernelError("unsupported signature scheme '\(scheme)' (this kernel signs with hmac-sha256)")
        }
        self.key = key.isEmpty ? nil : SymmetricKey(data: Data(key.utf8))
    }

    /// Whether messages are signed at all.
    public var isSigning: Bool { key != nil }

    /// The lower-case hex signature of `frames`.
    public func signature(of frames: [Data]) -> String {
        guard let key else { return "" }
        var mac = HMAC<SHA256>(key: key)
        for f in frames { mac.update(data: f) }
        return mac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the signature of `frames` (compared in constant time).
    public func isValid(_ signature: Data, for frames: [Data]) -> Bool {
        guard let key else { return true }
        guard let code = Self.bytes(fromHex: signature) else { return false }
        var joined = Data()
        for f in frames { joined.append(f) }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: joined, using: key)
    }

    /// Hex text (either case) as bytes; nil for anything else.
    static func bytes(fromHex hex: Data) -> Data? {
        guard hex.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = Data(capacity: hex.count / 2)
        var i = hex.startIndex
        while i < hex.endIndex {
            guard let hi = nibble(hex[i]), let lo = nibble(hex[hex.index(after: i)]) else { return nil }
            out.append(hi << 4 | lo)
            i = hex.index(i, offsetBy: 2)
        }
        return out
    }
}
