import Foundation
import Nets
import Tensors

/// `cmlab bench --only pytorch`: the U-Net of the Fashion-MNIST study (1 × 14 × 14, base
/// width 32, batch 128) in CMLab and in PyTorch (`scripts/pytorch_unet.py`, the same
/// architecture), timed alternately, round by round, in one run: each round measures a
/// CMLab training step, the PyTorch step, a CMLab prediction and a PyTorch `no_grad`
/// forward (medians of a few calls each), so both sides see the same load on a shared
/// machine. The ratios are reported per round as a median and a range.
struct PyTorchComparison {
    let script: String
    let rounds: Int
    let callsPerRound: Int

    struct Round { let cmlabTrain, torchTrain, cmlabPredict, torchPredict: Double }

    enum Failure: Error, CustomStringConvertible {
        case noScript(String), start(String), protocolError(String)
        var description: String {
            switch self {
            case .noScript(let p): return "bench pytorch: no script at \(p) (pass --pytorch-script PATH)"
            case .start(let m): return "bench pytorch: could not start python3 with PyTorch: \(m)"
            case .protocolError(let m): return "bench pytorch: the PyTorch side answered badly: \(m)"
            }
        }
    }

    /// Rows for the bench table.
    func rows() throws -> [BenchRow] {
        guard FileManager.default.fileExists(atPath: script) else { throw Failure.noScript(script) }
        // A python3 that exits at once (no torch) closes its end of the pipe; writing the
        // closing "quit" to it must be an error to ignore, not a SIGPIPE that ends cmlab.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--serve", "--threads", "\(ProcessInfo.processInfo.activeProcessorCount)",
        ]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input; process.standardOutput = output; process.standardError = errors
        do { try process.run() } catch { throw Failure.start("\(error)") }
        defer {
            try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        let reader = LineReader(output.fileHandleForReading)
        guard let hello = reader.json() else {
            let message = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
            throw Failure.start(message.split(separator: "\n").last.map(String.init) ?? "no answer")
        }
        func torch(_ what: String) throws -> Double {
            try input.fileHandleForWriting.write(contentsOf: Data("\(what) \(callsPerRound)\n".utf8))
            guard let answer = reader.json(), let ms = answer["\(what)_ms"] as? Double, ms.isFinite, ms > 0 else {
                throw Failure.protocolError("no \(what) time")
            }
            return ms
        }

        let unet = NetsBenchmark.UNetProblem(batch: 128)
        var done: [Round] = []
        for _ in 0..<rounds {
            let ct = unet.trainMs(callsPerRound), tt = try torch("train")
            let cp = unet.predictMs(callsPerRound), tp = try torch("predict")
            done.append(Round(cmlabTrain: ct, torchTrain: tt, cmlabPredict: cp, torchPredict: tp))
        }
        let version = hello["torch"] as? String ?? "?", params = hello["parameters"] as? Int ?? 0
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
        func range(_ xs: [Double]) -> String { "\(formatShort(xs.min() ?? 0))–\(formatShort(xs.max() ?? 0))" }
        let trainRatios = done.map { $0.torchTrain / $0.cmlabTrain },
            predictRatios = done.map { $0.torchPredict / $0.cmlabPredict }
        let head =
            "U-Net 14×14, base width 32, batch 128 (CMLab \(unet.parameters), PyTorch \(version) \(params) parameters)"
        return [
            BenchRow(name: head + ", training step: CMLab", value: median(done.map(\.cmlabTrain)), unit: "ms"),
            BenchRow(name: "  PyTorch (same rounds)", value: median(done.map(\.torchTrain)), unit: "ms"),
            BenchRow(
                name: "  PyTorch / CMLab, median of \(rounds) rounds (range \(range(trainRatios)))",
                value: median(trainRatios), unit: "× faster"),
            BenchRow(name: "  prediction (no grad): CMLab", value: median(done.map(\.cmlabPredict)), unit: "ms"),
            BenchRow(name: "  PyTorch torch.no_grad() forward", value: median(done.map(\.torchPredict)), unit: "ms"),
            BenchRow(
                name: "  PyTorch / CMLab, median of \(rounds) rounds (range \(range(predictRatios)))",
                value: median(predictRatios), unit: "× faster"),
        ]
    }
}

/// Reads newline-terminated JSON objects from a pipe.
final class LineReader {
    let handle: FileHandle
    var buffer = Data()
    init(_ handle: FileHandle) { self.handle = handle }

    /// The next line parsed as a JSON object, or nil at end of stream or on bad JSON.
    func json() -> [String: Any]? {
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<nl]
                buffer = Data(buffer[buffer.index(after: nl)...])
                return (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
