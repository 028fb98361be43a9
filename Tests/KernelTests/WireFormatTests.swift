import Foundation
import Testing

@testable import Kernel

/// Python's hmac module (the reference every Jupyter client signs with) on the same frames.
func pythonSignature(key: String, frames: [Data]) throws -> String {
    let script = """
        import hmac, sys, base64
        key = sys.argv[1].encode()
        mac = hmac.new(key, digestmod="sha256")
        for f in sys.argv[2:]:
            mac.update(base64.b64decode(f))
        print(mac.hexdigest())
        """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, key] + frames.map { $0.base64EncodedString() }
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    p.waitUntilExit()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("Wire format")
struct WireFormatTests {
    let signer: MessageSigner
    init() throws { signer = try MessageSigner(key: "a6d2c3f0-5bd4-4f43-9a5e-0e1ad3b26e55") }

    func request(_ type: String = "execute_request", content: JSONObject = ["code": "1 + 2"]) -> Message {
        Message(
            identities: [Data("peer-7".utf8)],
            header: [
                "msg_id": "m1", "msg_type": type, "session": "s", "username": "u",
                "date": "2026-12-04T17:00:00.000000Z", "version": "5.3",
            ],
            content: content)
    }

    @Test func signaturesAreThoseOfPythonsHmac() throws {
        let frames = try WireFormat.encode(request(), signer: signer)
        let json = Array(frames[3...6])
        let expected = try pythonSignature(key: "a6d2c3f0-5bd4-4f43-9a5e-0e1ad3b26e55", frames: json)
        #expect(expected.count == 64)
        #expect(String(decoding: frames[2], as: UTF8.self) == expected)
        // A key with bytes beyond ASCII, and frames with bytes beyond ASCII.
        let other = try MessageSigner(key: "σ-ключ")
        let data = [Data("{\"σ\": 1}".utf8), Data("{}".utf8), Data(), Data([0, 255, 10])]
        #expect(other.signature(of: data) == (try pythonSignature(key: "σ-ключ", frames: data)))
    }

    @Test func decodeGivesBackWhatEncodeWrote() throws {
        var m = request(content: ["code": "print(\"é\")", "silent": false, "user_expressions": JSONObject()])
        m.buffers = [Data([1, 2, 3])]
        let back = try WireFormat.decode(WireFormat.encode(m, signer: signer), signer: signer)
        #expect(back.identities == [Data("peer-7".utf8)])
        #expect(back.type == "execute_request" && back.id == "m1")
        #expect(back.content["code"] as? String == "print(\"é\")")
        #expect(back.content["silent"] as? Bool == false)
        #expect(back.buffers == [Data([1, 2, 3])])
    }

    @Test func badSignaturesAndMalformedFramesAreRefused() throws {
        let good = try WireFormat.encode(request(), signer: signer)
        func refusal(_ frames: [Data]) -> String? {
            do { _ = try WireFormat.decode(frames, signer: signer); return nil } catch { return "\(error)" }
        }
        #expect(refusal(good) == nil)
        var forged = good
        forged[2] = Data(String(repeating: "0", count: 64).utf8)
        #expect(refusal(forged) == "invalid signature")
        var altered = good
        altered[6] = Data("{\"code\": \"rm -rf\"}".utf8) // content changed after signing
        #expect(refusal(altered) == "invalid signature")
        var upper = good
        upper[2] = Data(String(decoding: good[2], as: UTF8.self).uppercased().utf8) // hex in either case
        #expect(refusal(upper) == nil)
        var odd = good
        odd[2] = odd[2].dropLast()
        #expect(refusal(odd) == "invalid signature")
        #expect(refusal(Array(good.prefix(5))) == "3 frames after the delimiter, expected at least 5")
        #expect(refusal([Data("x".utf8)]) == "no <IDS|MSG> delimiter among 1 frames")
        let notObject = [Data("[1]".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)]
        #expect(
            refusal([Message.delimiter, Data(signer.signature(of: notObject).utf8)] + notObject)
                == "the header frame is not a JSON object")
        let noType = [Data("{}".utf8), Data("{}".utf8), Data("{}".utf8), Data("{}".utf8)]
        #expect(
            refusal([Message.delimiter, Data(signer.signature(of: noType).utf8)] + noType)
                == "the header has no msg_type")
    }

    @Test func anEmptyKeyMeansNoSignatures() throws {
        let open = try MessageSigner(key: "")
        let frames = try WireFormat.encode(request(), signer: open)
        #expect(frames[2].isEmpty)
        #expect(throws: Never.self) { try WireFormat.decode(frames, signer: open) }
        #expect(throws: KernelError.self) { try MessageSigner(key: "k", scheme: "hmac-md5") }
    }

    @Test func repliesCarryTheParentAndGoBackToItsPeer() {
        let r = Message.make("execute_reply", content: ["status": "ok"], session: "kernel", parent: request())
        #expect(r.identities == [Data("peer-7".utf8)])
        #expect(r.parentHeader["msg_id"] as? String == "m1")
        #expect(r.header["session"] as? String == "kernel" && r.header["version"] as? String == "5.3")
        #expect(r.header["username"] as? String == "u")
        // ISO 8601 with microseconds in UTC, as Jupyter writes dates.
        let date = Message.timestamp(Date(timeIntervalSince1970: 1_764_867_600.25))
        #expect(date == "2025-12-04T17:00:00.250000Z")
    }
}
