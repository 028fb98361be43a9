// The iopub channel: one thread owns the PUB socket and sends what the others
// queue, in order; printed text is gathered into few `stream` messages.
import Foundation

/// Publishes on iopub from any thread.
///
/// Messages leave in the order they were queued. Consecutive `stream` text of one
/// stream and one request is joined, and streams leave at most every
/// ``streamInterval`` seconds unless another message follows them: a loop that
/// prints ten thousand lines sends a few dozen messages, and a print still shows
/// at once when nothing else was printed in the last interval.
final class IOPubPublisher {
    /// Shortest time between two stream messages that nothing else pushes out.
    static let streamInterval = 0.05

    fileprivate enum Item {
        case message(Message)
        case stream(name: String, text: String, parent: Message)
    }

    private let socket: ZMQSocket
    private let signer: MessageSigner
    private let session: String
    private let log: KernelLog
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var stopping = false
    private var lastStream = Date.distantPast
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    init(socket: ZMQSocket, signer: MessageSigner, session: String, log: KernelLog) {
        self.socket = socket
        self.signer = signer
        self.session = session
        self.log = log
    }

    func start() {
        let t = Thread { [self] in
            loop(); finished.signal()
        }
        t.name = "cmlab iopub"
        thread = t
        t.start()
    }

    /// Queues a message of `type` answering `parent`.
    func publish(_ type: String, _ content: JSONObject, parent: Message?, metadata: JSONObject = [:]) {
        let m = Message.make(type, content: content, session: session, parent: parent, metadata: metadata)
        condition.lock()
        queue.append(.message(m))
        condition.signal()
        condition.unlock()
    }

    /// Queues printed text on `name` ("stdout" or "stderr").
    func stream(_ name: String, _ text: String, parent: Message) {
        condition.lock()
        if case .stream(let n, let t, let p)? = queue.last, n == name, p.id == parent.id {
            queue[queue.count - 1] = .stream(name: n, text: t + text, parent: p)
        } else {
            queue.append(.stream(name: name, text: text, parent: parent))
        }
        condition.signal()
        condition.unlock()
    }

    /// Sends everything queued, then ends the thread and closes the socket.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        if thread != nil { finished.wait() }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            // Only text is waiting: give more of it a moment to arrive.
            while !stopping, !queue.isEmpty, queue.allSatisfy(\.isStream) {
                let due = lastStream.addingTimeInterval(Self.streamInterval)
                if due <= Date() || !condition.wait(until: due) { break }
            }
            let items = queue
            queue = []
            let done = stopping
            condition.unlock()
            for item in items { send(item) }
            if done { break }
        }
        socket.close()
    }

    private func send(_ item: Item) {
        let message: Message
        switch item {
        case .message(let m):
            message = m
        case .stream(let name, let text, let parent):
            message = Message.make("stream", content: ["name": name, "text": text], session: session, parent: parent)
            lastStream = Date()
        }
        do {
            try socket.send(WireFormat.encode(message, signer: signer, topic: "kernel.\(session).\(message.type)"))
        } catch {
            log.warning("iopub: cannot send \(message.type): \(error)")
        }
    }
}

private extension IOPubPublisher.Item {
    var isStream: Bool { if case .stream = self { return true }; return false }
}
