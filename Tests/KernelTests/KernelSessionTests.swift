import Foundation
import Notebook
import Script
import Tensors
import Testing

@testable import Kernel

/// A kernel session over the bare language (no domain), publishing nowhere.
func bareSession() throws -> (KernelSession, ZMQContext) {
    let context = try ZMQContext()
    let socket = try ZMQSocket(context, .publisher)
    try socket.bind("inproc://iopub-\(UUID().uuidString)")
    let iopub = IOPubPublisher(
        socket: socket, signer: try MessageSigner(key: ""), session: "s",
        log: KernelLog { _ in })
    let session = KernelSession(
        setUp: { _, _ in }, cancel: CancellationToken(),
        directory: FileManager.default.temporaryDirectory, iopub: iopub)
    return (session, context)
}

func executeRequest(_ code: String, silent: Bool = false) -> Message {
    Message(
        header: ["msg_id": UUID().uuidString, "msg_type": "execute_request"],
        content: ["code": code, "silent": silent, "store_history": !silent])
}

@Suite("Kernel session")
struct KernelSessionTests {
    @Test func isCompleteFollowsThePromptsContinuationRule() {
        func status(_ code: String) -> String { KernelSession.isComplete(["code": code])["status"] as? String ?? "" }
        #expect(status("x = 1") == "complete")
        #expect(status("for i in range(3) {\n    print(i)\n}") == "complete")
        #expect(status("s = \"({[\"  # ([") == "complete")
        #expect(status("for i in range(3) {") == "incomplete")
        #expect(KernelSession.isComplete(["code": "f(g(1,"])["indent"] as? String == "        ")
        #expect(status("x = )") == "invalid")
        #expect(status("x = 1 +") == "invalid")
    }

    @Test func executionCountsAndSilentCells() throws {
        let (k, _) = try bareSession()
        #expect(k.execute(executeRequest("a = 1")).reply["execution_count"] as? Int == 1)
        let silent = k.execute(executeRequest("b = a + 1", silent: true)).reply
        #expect(silent["status"] as? String == "ok" && silent["execution_count"] as? Int == 1)
        let (reply, failed) = k.execute(executeRequest("b + nope"))
        #expect(failed && reply["execution_count"] as? Int == 2)
        #expect(reply["evalue"] as? String == "1:5: unknown name 'nope'; did you mean 'none'?")
        #expect(
            reply["traceback"] as? [String] == [
                "error: 1:5: unknown name 'nope'; did you mean 'none'?",
                "b + nope", "    ^^^^",
            ])
        #expect(k.execute(executeRequest("b")).reply["execution_count"] as? Int == 3) // the silent cell ran
        // `?x` goes to the pager and takes no number.
        let help = k.execute(executeRequest("?len")).reply
        let page = (help["payload"] as? [JSONObject])?.first
        #expect((page?["data"] as? JSONObject)?["text/plain"] as? String == k.session.help(for: "len"))
        #expect(help["execution_count"] as? Int == 3 && k.session.counter == 4)
    }

    @Test func userExpressionsAreEvaluatedAfterTheCell() throws {
        let (k, _) = try bareSession()
        var m = executeRequest("x = 6")
        m.content["user_expressions"] = ["double": "x * 2", "bad": "x +"]
        let out = k.execute(m).reply["user_expressions"] as? JSONObject ?? [:]
        #expect(((out["double"] as? JSONObject)?["data"] as? JSONObject)?["text/plain"] as? String == "12")
        #expect((out["bad"] as? JSONObject)?["status"] as? String == "error")
    }

    @Test func historyTailRangeAndSearch() throws {
        let (k, _) = try bareSession()
        for code in ["a = 1", "a + 1", "nope", "a + 1"] { _ = k.execute(executeRequest(code)) }
        func entries(_ c: JSONObject) -> [[Any]] { k.history(c)["history"] as? [[Any]] ?? [] }
        let tail = entries(["hist_access_type": "tail", "n": 2, "output": true])
        #expect(tail.map { $0[1] as? Int } == [3, 4])
        #expect((tail[1][2] as? [Any])?.last as? String == "2")
        #expect(tail[0][2] is [Any] && (tail[0][2] as? [Any])?.last is NSNull) // an error shows no Out
        let range = entries(["hist_access_type": "range", "session": 1, "start": 2, "stop": 4])
        #expect(range.map { $0[2] as? String } == ["a + 1", "nope"])
        #expect(entries(["hist_access_type": "range", "session": 5, "start": 1]).isEmpty)
        #expect(entries(["hist_access_type": "search", "pattern": "a + *"]).map { $0[1] as? Int } == [2, 4])
        let unique = entries(["hist_access_type": "search", "pattern": "a + *", "unique": true])
        #expect(unique.map { $0[1] as? Int } == [4])
        #expect(entries(["hist_access_type": "search", "pattern": "*", "n": 1]).map { $0[1] as? Int } == [4])
    }

    @Test func completionAndInspectionCountCodePoints() throws {
        let (k, _) = try bareSession()
        _ = k.execute(executeRequest("σ_data = 0.5\nsigma_max = 80"))
        // The cursor is in Unicode code points: "é" counts one, "σ" one.
        let code = "s = \"é\"\nprint(σ_d"
        let c = k.complete(["code": code, "cursor_pos": code.unicodeScalars.count])
        #expect(c["matches"] as? [String] == ["σ_data"])
        #expect(c["cursor_start"] as? Int == 14 && c["cursor_end"] as? Int == 17)
        let labels = k.complete(["code": "range(1, st", "cursor_pos": 11])
        // Argument labels first, in the parameters' order, then names.
        let matches = labels["matches"] as? [String] ?? []
        #expect(Array(matches.prefix(3)) == ["start: ", "stop: ", "step: "] && matches.contains("str"))
        let found = k.inspect(["code": "x = len(y)", "cursor_pos": 5])
        #expect(found["found"] as? Bool == true)
        #expect((found["data"] as? JSONObject)?["text/plain"] as? String == k.session.help(for: "len"))
        #expect(k.inspect(["code": "unknown_thing", "cursor_pos": 3])["found"] as? Bool == false)
        #expect(k.complete(["code": "x", "cursor_pos": 99])["cursor_end"] as? Int == 1) // clamped
    }
}

@Suite("Heartbeat")
struct HeartbeatTests {
    @Test func echoesEveryPing() throws {
        let context = try ZMQContext()
        let endpoint = "inproc://hb-\(UUID().uuidString)"
        let rep = try ZMQSocket(context, .reply)
        try rep.bind(endpoint)
        let heartbeat = Heartbeat(socket: rep, log: KernelLog { _ in })
        heartbeat.start()
        let req = try ZMQSocket(context, .request)
        try req.connect(endpoint)
        for i in 0..<3 {
            try req.send([Data("ping \(i)".utf8)])
            #expect(try req.waitForInput(milliseconds: 2000))
            #expect(try req.receive() == [Data("ping \(i)".utf8)])
        }
        heartbeat.stop()
        req.close()
    }
}
