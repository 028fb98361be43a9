// A thin Swift face on the few libzmq calls the kernel needs: a context, sockets
// that bind, and multipart messages sent and received as lists of frames.
import CZMQ
import Foundation

/// A libzmq call that failed, with libzmq's own description.
public struct ZMQError: Error, CustomStringConvertible {
    public let description: String
    /// libzmq's errno (ETERM when the context is shutting down).
    public let code: Int32

    init(_ what: String) {
        code = zmq_errno()
        description = "\(what): \(String(cString: zmq_strerror(code)))"
    }

    /// The context was shut down: the socket's owner should close it and stop.
    public var isTerminated: Bool { code == ETERM }
}

/// One ZeroMQ context (its I/O thread) for all the kernel's sockets.
public final class ZMQContext {
    let handle: UnsafeMutableRawPointer

    public init() throws {
        guard let h = zmq_ctx_new() else { throw ZMQError("zmq_ctx_new") }
        handle = h
    }

    deinit { zmq_ctx_term(handle) }
}

/// A ZeroMQ socket. Like libzmq's, it is used by one thread at a time (the thread
/// that owns it may hand it to another before starting it).
public final class ZMQSocket {
    public enum Kind { case router, publisher, reply, request }

    private var handle: UnsafeMutableRawPointer?
    /// Kept alive while the socket lives: a context ends only after its sockets close.
    private let context: ZMQContext
    /// The endpoint it is bound or connected to.
    public private(set) var endpoint = ""

    public init(_ context: ZMQContext, _ kind: Kind) throws {
        let type: Int32
        switch kind {
        case .router: type = ZMQ_ROUTER
        case .publisher: type = ZMQ_PUB
        case .reply: type = ZMQ_REP
        case .request: type = ZMQ_REQ
        }
        guard let h = zmq_socket(context.handle, type) else { throw ZMQError("zmq_socket") }
        handle = h
        self.context = context
        // Pending messages get one second to leave at close, so a reply sent just
        // before shutdown still arrives, and closing never hangs.
        var linger: Int32 = 1000
        zmq_setsockopt(h, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    public func bind(_ endpoint: String) throws {
        guard let h = handle, zmq_bind(h, endpoint) == 0 else { throw ZMQError("cannot bind \(endpoint)") }
        self.endpoint = endpoint
    }

    public func connect(_ endpoint: String) throws {
        guard let h = handle, zmq_connect(h, endpoint) == 0 else { throw ZMQError("cannot connect to \(endpoint)") }
        self.endpoint = endpoint
    }

    /// Waits up to `milliseconds` (−1: forever) for a message to read; true when one is there.
    public func waitForInput(milliseconds: Int) throws -> Bool {
        guard let h = handle else { return false }
        var item = zmq_pollitem_t(socket: h, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let n = zmq_poll(&item, 1, milliseconds)
        if n < 0 {
            if zmq_errno() == EINTR { return false }
            throw ZMQError("zmq_poll")
        }
        return n > 0 && (item.revents & Int16(ZMQ_POLLIN)) != 0
    }

    /// Reads one multipart message, waiting for it. An interrupted wait (a signal)
    /// returns nil.
    public func receive() throws -> [Data]? {
        guard let h = handle else { return nil }
        var frames: [Data] = []
        while true {
            var part = zmq_msg_t()
            zmq_msg_init(&part)
            defer { zmq_msg_close(&part) }
            if zmq_msg_recv(&part, h, 0) < 0 {
                if zmq_errno() == EINTR && frames.isEmpty { return nil }
                if zmq_errno() == EINTR { continue }
                throw ZMQError("zmq_msg_recv")
            }
            let size = zmq_msg_size(&part)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&part), count: size))
            if zmq_msg_more(&part) == 0 { return frames }
        }
    }

    /// Sends `frames` as one multipart message.
    public func send(_ frames: [Data]) throws {
        guard let h = handle else { return }
        for (i, frame) in frames.enumerated() {
            let flags = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            let rc = frame.withUnsafeBytes { raw -> Int32 in
                var r: Int32
                repeat { r = zmq_send(h, raw.baseAddress, raw.count, flags) } while r < 0 && zmq_errno() == EINTR
                return r
            }
            if rc < 0 { throw ZMQError("zmq_send") }
        }
    }

    /// Closes the socket (pending messages still leave, within the linger time).
    public func close() {
        if let h = handle { zmq_close(h) }
        handle = nil
    }

    deinit { close() }
}
