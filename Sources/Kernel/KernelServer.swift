// The kernel process: five channels over ZeroMQ, each served as Jupyter expects.
// The shell channel runs on the calling thread (cells run there, one at a time);
// control, heartbeat and iopub each have a thread of their own, so an interrupt,
// a shutdown and a heartbeat are answered while a cell computes.
import Foundation
import Notebook
import Tensors

/// A CMLab kernel bound to the ports of a connection file.
public final class KernelServer {
    let signer: MessageSigner
    /// This kernel's session id (the `session` of every header it writes).
    let sessionID = UUID().uuidString.lowercased()
    let log: KernelLog
    /// Set by an interrupt (signal or `interrupt_request`); cells poll it.
    let cancel: CancellationToken
    let iopub: IOPubPublisher
    let core: KernelSession

    private let context: ZMQContext
    private let shell: ZMQSocket
    private let control: ZMQSocket
    private let stdin: ZMQSocket
    private let heartbeat: Heartbeat
    private let stopping = CancellationToken()
    private let controlDone = DispatchSemaphore(value: 0)
    /// The parent process to outlive no longer than a tenth of a second, when Jupyter
    /// started the kernel (it sets JPY_PARENT_PID): a front end killed outright leaves
    /// no kernel behind.
    private let watchedParent: pid_t? =
        ProcessInfo.processInfo.environment["JPY_PARENT_PID"] == nil ? nil : getppid()

    /// Binds the five channels.
    /// - Parameters:
    ///   - setUp: installs the domain into each fresh interpreter (as for the REPL).
    ///   - cancel: the token an interrupt sets; the caller also routes SIGINT to it.
    ///   - directory: where relative paths of the scripts resolve (the front end's
    ///     working directory for the notebook).
    /// - Throws: ``KernelError`` when the key's scheme is unknown or a port is taken.
    public init(
        connection: ConnectionInfo, setUp: @escaping SessionSetUp, cancel: CancellationToken,
        directory: URL, log: KernelLog = KernelLog()
    ) throws {
        self.log = log
        self.cancel = cancel
        signer = try MessageSigner(key: connection.key, scheme: connection.signatureScheme)
        do {
            context = try ZMQContext()
            shell = try ZMQSocket(context, .router)
            control = try ZMQSocket(context, .router)
            stdin = try ZMQSocket(context, .router)
            let pub = try ZMQSocket(context, .publisher)
            let hb = try ZMQSocket(context, .reply)
            try shell.bind(connection.endpoint(connection.shellPort))
            try control.bind(connection.endpoint(connection.controlPort))
            try stdin.bind(connection.endpoint(connection.stdinPort))
            try pub.bind(connection.endpoint(connection.iopubPort))
            try hb.bind(connection.endpoint(connection.hbPort))
            iopub = IOPubPublisher(socket: pub, signer: signer, session: sessionID, log: log)
            heartbeat = Heartbeat(socket: hb, log: log)
        } catch let e as ZMQError {
            throw KernelError(e.description)
        }
        core = KernelSession(setUp: setUp, cancel: cancel, directory: directory, iopub: iopub)
    }

    /// Serves until a `shutdown_request` arrives.
    public func run() {
        iopub.start()
        heartbeat.start()
        let controlThread = Thread { [self] in
            serveControl(); controlDone.signal()
        }
        controlThread.name = "cmlab control"
        controlThread.start()
        // Front ends show "starting" until they see the kernel on iopub.
        iopub.publish("status", ["execution_state": "starting"], parent: nil)
        serve(shell, on: "shell", stop: stopping) { [self] m in handleShell(m) }
        stopping.cancel()
        controlDone.wait()
        heartbeat.stop()
        iopub.stop()
        shell.close()
        stdin.close()
    }

    /// Reads and dispatches messages on `socket` until `stop` is set. A message that
    /// cannot be read (bad signature, malformed) is logged and dropped.
    private func serve(
        _ socket: ZMQSocket, on channel: String, stop: CancellationToken,
        whenIdle: () -> Void = {}, handle: (Message) -> Void
    ) {
        while !stop.isCancelled {
            do {
                guard try socket.waitForInput(milliseconds: 100), let frames = try socket.receive() else {
                    whenIdle()
                    continue
                }
                let message: Message
                do { message = try WireFormat.decode(frames, signer: signer) } catch {
                    log.warning("\(channel): ignored a message: \(error)")
                    continue
                }
                handle(message)
            } catch let e as ZMQError where e.isTerminated {
                break
            } catch {
                log.warning("\(channel): \(error)")
            }
        }
    }

    private func serveControl() {
        serve(
            control, on: "control", stop: stopping,
            whenIdle: { [self] in
                if let parent = watchedParent, getppid() != parent {
                    log.warning("the front end that started the kernel is gone; shutting down")
                    cancel.cancel()
                    stopping.cancel()
                }
            }
        ) { [self] m in
            iopub.publish("status", ["execution_state": "busy"], parent: m)
            defer { iopub.publish("status", ["execution_state": "idle"], parent: m) }
            switch m.type {
            case "interrupt_request":
                cancel.cancel()
                reply(on: control, to: m, "interrupt_reply", ["status": "ok"])
            case "shutdown_request":
                shutDown(m, replyingOn: control)
            case "kernel_info_request":
                reply(on: control, to: m, "kernel_info_reply", KernelInfo.content)
            default:
                log.warning("control: unknown message type '\(m.type)' ignored")
            }
        }
        control.close()
    }

    private func handleShell(_ m: Message) {
        iopub.publish("status", ["execution_state": "busy"], parent: m)
        var queued: [Message] = []
        switch m.type {
        case "execute_request":
            let (reply, failed) = core.execute(m)
            // A failed cell stops the cells queued behind it (a notebook's "run all"):
            // those already here are taken before the reply, so a cell sent after the
            // client saw the error runs.
            if failed && (m.content["stop_on_error"] as? Bool ?? true) { queued = receiveQueued() }
            self.reply(on: shell, to: m, "execute_reply", reply)
        case "kernel_info_request": reply(on: shell, to: m, "kernel_info_reply", KernelInfo.content)
        case "complete_request": reply(on: shell, to: m, "complete_reply", core.complete(m.content))
        case "inspect_request": reply(on: shell, to: m, "inspect_reply", core.inspect(m.content))
        case "is_complete_request": reply(on: shell, to: m, "is_complete_reply", KernelSession.isComplete(m.content))
        case "history_request": reply(on: shell, to: m, "history_reply", core.history(m.content))
        case "comm_info_request": reply(on: shell, to: m, "comm_info_reply", ["status": "ok", "comms": JSONObject()])
        case "comm_open":
            // No comm targets: say so and close it, as the protocol asks.
            log.warning("shell: no comm target '\(m.content["target_name"] as? String ?? "")'")
            iopub.publish("comm_close", ["comm_id": m.content["comm_id"] ?? "", "data": JSONObject()], parent: m)
        case "comm_msg", "comm_close":
            break
        case "shutdown_request":
            shutDown(m, replyingOn: shell)
        default:
            log.warning("shell: unknown message type '\(m.type)' ignored")
        }
        iopub.publish("status", ["execution_state": "idle"], parent: m)
        for q in queued {
            guard q.type == "execute_request" else { handleShell(q); continue }
            iopub.publish("status", ["execution_state": "busy"], parent: q)
            reply(
                on: shell, to: q, "execute_reply", ["status": "aborted", "execution_count": core.session.counter - 1])
            iopub.publish("status", ["execution_state": "idle"], parent: q)
        }
    }

    /// The messages waiting on the shell socket now (unreadable ones logged and dropped).
    private func receiveQueued() -> [Message] {
        var messages: [Message] = []
        while let ready = try? shell.waitForInput(milliseconds: 0), ready, let frames = try? shell.receive() {
            do { messages.append(try WireFormat.decode(frames, signer: signer)) } catch {
                log.warning("shell: ignored a message: \(error)")
            }
        }
        return messages
    }

    private func shutDown(_ m: Message, replyingOn socket: ZMQSocket) {
        let restart = m.content["restart"] as? Bool ?? false
        cancel.cancel()
        reply(on: socket, to: m, "shutdown_reply", ["status": "ok", "restart": restart])
        stopping.cancel()
    }

    /// Sends a reply to `request` on the socket it came from (shell or control). The
    /// two sockets belong to different threads; each thread replies on its own.
    func reply(on socket: ZMQSocket, to request: Message, _ type: String, _ content: JSONObject) {
        let m = Message.make(type, content: content, session: sessionID, parent: request)
        do { try socket.send(WireFormat.encode(m, signer: signer)) } catch {
            log.warning("cannot send \(type): \(error)")
        }
    }
}
