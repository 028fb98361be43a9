// The heartbeat channel: a thread of its own that echoes every ping, so a front end
// sees the kernel alive while a cell computes for minutes.
import Foundation
import Tensors

/// Echoes each message on the heartbeat REP socket until stopped.
final class Heartbeat {
    private let socket: ZMQSocket
    private let log: KernelLog
    private let stopping = CancellationToken()
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    init(socket: ZMQSocket, log: KernelLog) {
        self.socket = socket
        self.log = log
    }

    func start() {
        started = true
        let t = Thread { [self] in
            loop(); finished.signal()
        }
        t.name = "cmlab heartbeat"
        t.start()
    }

    func stop() {
        stopping.cancel()
        if started { finished.wait() }
    }

    private func loop() {
        while !stopping.isCancelled {
            do {
                guard try socket.waitForInput(milliseconds: 100), let ping = try socket.receive() else { continue }
                try socket.send(ping)
            } catch let e as ZMQError where e.isTerminated {
                break
            } catch {
                log.warning("heartbeat: \(error)")
            }
        }
        socket.close()
    }
}
