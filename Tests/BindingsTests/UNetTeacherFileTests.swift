import Bindings
import Foundation
import Notebook
import Script
import Testing

/// Issue 14, items 13 and 14: a U-Net teacher is saved with `save(t, "….safetensors")`,
/// loads back with the same predictions, and `plot(t)` draws its loss curve; the REPL's
/// history path follows `$CMLAB_HISTORY`, then `$HOME`. A teacher of three levels.
@Suite struct UNetTeacherFileTests {
    @Test func aUNetTeacherSavesLoadsAndPlotsItsLoss() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unet-teacher-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let interp = Interpreter()
        var lines: [String] = [], figures: [URL] = []
        interp.output = { lines.append($0) }
        installBindings(
            into: interp,
            context: BindingsContext(
                resolveWritePath: { dir.appendingPathComponent($0) },
                resolveReadPath: { dir.appendingPathComponent($0) },
                figureWritten: { url, _ in figures.append(url) }))
        // A tiny teacher: 3 iterations on 32 images of 14 × 14 (seconds).
        let r = interp.run(
            """
            train = fashion_mnist(size: 14, count: 32, seed: 1)
            t = learned(train, iters: 3, batch: 8)
            save(t, "t.safetensors")
            u = load("t.safetensors")
            x = noise(4, dims: 196, seed: 3)
            print(max(abs(t.denoise(x, 2.5) - u.denoise(x, 2.5))), max(abs(t.denoise(x, 2.5))) > 0)
            print(len(u.loss_curve), max(abs(t.loss_curve - u.loss_curve)))
            plot(t, file: "loss.png")
            plot(u, file: "loss-loaded.svg")
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        // The weights are Float32 and round-trip bit for bit, and the forward pass is
        // deterministic: the loaded teacher predicts exactly the same values.
        #expect(lines == ["0 true", "3 0"], "\(lines)")
        #expect(figures.map(\.lastPathComponent) == ["loss.png", "loss-loaded.svg"])
        let png = [UInt8](FileManager.default.contents(atPath: dir.appendingPathComponent("loss.png").path) ?? Data())
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 1000)
        let svg = String(
            decoding: FileManager.default.contents(atPath: dir.appendingPathComponent("loss-loaded.svg").path)
                ?? Data(), as: UTF8.self)
        #expect(svg.contains("<svg") && svg.contains("</svg>"))
        // An exact teacher still has no loss curve, and says so.
        let e = interp.run("plot(exact(ring()))")
        #expect(e.renderedErrors.contains("an exact teacher has no loss curve"))
    }

    /// `learned(images, levels: 3)` trains a three-level U-Net (a few iterations on 16 × 16
    /// images), says so when printed, and saves and loads as one; `levels` other than 2
    /// or 3, 3 on 14 × 14 images, and `levels` on points are errors at the argument.
    @Test func aThreeLevelTeacherTrainsAndBadLevelsAreErrors() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (interp, lines) = session(dir)
        let r = interp.run(
            """
            train = fashion_mnist(size: 16, count: 32, seed: 1)
            t = learned(train, iters: 3, batch: 8, width: 8, levels: 3)
            print(t)
            print(len(t.loss_curve), t.loss_curve[2] > 0)
            save(t, "t3.safetensors")
            u = load("t3.safetensors")
            x = noise(4, dims: 256, seed: 3)
            print(u)
            print(max(abs(t.denoise(x, 2.5) - u.denoise(x, 2.5))))
            print(learned(train, iters: 1, batch: 8, width: 8))
            """)
        #expect(r.succeeded, "\(r.renderedErrors)")
        let out = lines()
        #expect(out.count == 5, "\(out)")
        if out.count == 5 {
            #expect(out[0].hasPrefix("teacher learned on ") && out[0].contains("(U-Net, 3 levels, "), "\(out[0])")
            #expect(out[1] == "3 true")
            #expect(out[2].contains("U-Net, 3 levels, "), "\(out[2])")
            #expect(out[3] == "0")
            #expect(out[4].contains("U-Net, 2 levels, "), "\(out[4])")
        }
        let bad = [
            ("learned(train, iters: 1, levels: 4)", "'levels' must be 2 or 3 (the U-Net's resolution levels), got 4"),
            ("learned(train, iters: 1, levels: 2.5)", "'levels' must be a whole number"),
            (
                "learned(fashion_mnist(size: 14, count: 8), iters: 1, levels: 3)",
                "so their side must be divisible by 4; these are 14 × 14"
            ),
            ("learned(ring(), iters: 1, levels: 3)", "'levels' is the U-Net's, for image data"),
        ]
        for (src, words) in bad {
            let e = interp.run(src)
            #expect(!e.succeeded && e.renderedErrors.contains(words), "\(src): \(e.renderedErrors)")
            #expect(e.renderedErrors.contains("^"), "caret missing: \(e.renderedErrors)")
        }
    }

    @Test func historyPathFollowsCmlabHistoryThenHome() {
        let account = { "/home/account" }
        #expect(
            ReplHistory.path(environment: ["CMLAB_HISTORY": "/tmp/h", "HOME": "/tmp/x"], accountHome: account)
                == "/tmp/h")
        #expect(
            ReplHistory.path(environment: ["CMLAB_HISTORY": "", "HOME": "/tmp/x"], accountHome: account)
                == "/tmp/x/.cmlab_history")
        #expect(ReplHistory.path(environment: ["HOME": "/tmp/x"], accountHome: account) == "/tmp/x/.cmlab_history")
        #expect(ReplHistory.path(environment: ["HOME": ""], accountHome: account) == "/home/account/.cmlab_history")
        #expect(ReplHistory.path(environment: [:], accountHome: account) == "/home/account/.cmlab_history")
    }
}
