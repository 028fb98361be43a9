import Foundation
import Testing

@testable import Kernel

@Suite("Connection file")
struct ConnectionInfoTests {
    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-conn-\(UUID().uuidString).json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func readsWhatJupyterWrites() throws {
        let url = try write(
            """
            {"shell_port": 50001, "iopub_port": 50002, "stdin_port": 50003, "control_port": 50004,
             "hb_port": 50005, "ip": "127.0.0.1", "key": "abc", "transport": "tcp",
             "signature_scheme": "hmac-sha256", "kernel_name": "cmlab"}
            """)
        let info = try ConnectionInfo.load(url)
        #expect(info.endpoint(info.shellPort) == "tcp://127.0.0.1:50001")
        #expect(info.endpoint(info.hbPort) == "tcp://127.0.0.1:50005")
        #expect(info.key == "abc" && info.signatureScheme == "hmac-sha256")
        let ipc = try ConnectionInfo.load(
            try write(
                """
                {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5,
                 "ip": "/tmp/kernel-x", "transport": "ipc"}
                """))
        #expect(ipc.endpoint(ipc.controlPort) == "ipc:///tmp/kernel-x-4" && ipc.key.isEmpty)
    }

    @Test func badFilesAreNamedWithTheirFault() throws {
        func message(_ text: String) throws -> String {
            let url = try write(text)
            do { _ = try ConnectionInfo.load(url); return "" } catch { return "\(error)" }
        }
        #expect(
            try message("{\"shell_port\": 1}")
                .hasSuffix("is not a Jupyter connection file: 'iopub_port' is missing"))
        #expect(
            try message(
                """
                {"shell_port": "x", "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}
                """
            ).hasSuffix("'shell_port' has the wrong type"))
        #expect(
            try message(
                """
                {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 70000}
                """
            ).hasSuffix("port 70000 is not between 1 and 65535"))
        #expect(
            try message(
                """
                {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5, "transport": "udp"}
                """
            ).hasSuffix("unknown transport 'udp' (expected tcp or ipc)"))
        let missing = URL(fileURLWithPath: "/nonexistent/cmlab-connection.json")
        #expect(throws: KernelError.self) { try ConnectionInfo.load(missing) }
    }
}
