import Foundation
import Testing

@testable import Kernel

@Suite("Kernelspec")
struct KernelSpecTests {
    @Test func installWritesKernelJsonAndTwoLogos() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-spec-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let exe = URL(fileURLWithPath: "/opt/cmlab/bin/cmlab")
        let dir = try KernelSpec.install(executable: exe, at: .prefix(prefix))
        #expect(dir.path == prefix.path + "/share/jupyter/kernels/cmlab")
        let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("kernel.json")))
        let json = spec as? [String: Any] ?? [:]
        #expect(json["argv"] as? [String] == ["/opt/cmlab/bin/cmlab", "kernel", "-f", "{connection_file}"])
        #expect(json["display_name"] as? String == "CMLab" && json["language"] as? String == "cmlab")
        #expect(json["interrupt_mode"] as? String == "message")
        for size in [32, 64] {
            let png = try Data(contentsOf: dir.appendingPathComponent("logo-\(size)x\(size).png"))
            #expect(KernelOutput.pngSize(png).map { [$0.0, $0.1] } == [size, size])
        }
        // Installing again replaces the files.
        #expect(throws: Never.self) { try KernelSpec.install(executable: exe, at: .prefix(prefix)) }
    }

    @Test func userLocationFollowsJupyterDataDir() {
        #expect(
            KernelSpec.kernelsDirectory(.user, environment: ["JUPYTER_DATA_DIR": "/d", "HOME": "/h"]).path
                == "/d/kernels")
        #expect(
            KernelSpec.kernelsDirectory(.user, environment: ["HOME": "/h"]).path
                == "/h/.local/share/jupyter/kernels")
        #expect(KernelSpec.kernelsDirectory(.system).path == "/usr/local/share/jupyter/kernels")
    }

    @Test func anUnwritableFolderIsAnError() {
        #expect(throws: KernelError.self) {
            try KernelSpec.install(
                executable: URL(fileURLWithPath: "/x"),
                at: .prefix(URL(fileURLWithPath: "/proc/none")))
        }
    }
}
