import ArgumentParser
import Datasets
import Diffusion
import Distillation
import Foundation
import Nets
import Tensors

/// `cmlab bench`: the speed figures the project tracks, measured in one run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure sgemm, teacher, solver and training-step speed on this machine.",
        discussion:
            "Each figure is the median of repeated runs after a warm-up. Compare figures as "
            + "ratios within one run: the machine is noisy. The pytorch group runs "
            + "scripts/pytorch_unet.py (needs python3 with torch) alternately with CMLab's U-Net, "
            + "round by round; see docs/speed.md."
    )

    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "Minimum seconds to spend on each figure.") var seconds: Double = 0.5
    @Option(
        name: .customLong("only"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Measure only these groups: parallel, sgemm, teacher, cm, direct, mlp, unet, unet28, together, pytorch "
                + "(default: all).")
    )
    var only: [String] = []
    @Option(
        help: "The PyTorch reference for the pytorch group (default: scripts/pytorch_unet.py here or beside the build)."
    )
    var pytorchScript: String?
    @Option(
        help: ArgumentHelp(
            "Rounds of the pytorch and together groups and of the unet group's products-over-sgemm fraction, "
                + "each timing the compared ways alternately."))
    var rounds = 5

    static let groups = [
        "parallel", "sgemm", "teacher", "cm", "direct", "mlp", "unet", "unet28", "together", "pytorch",
    ]

    func validate() throws {
        for g in only where !Self.groups.contains(g) {
            throw ValidationError("unknown bench group '\(g)'; choose from \(Self.groups.joined(separator: ", "))")
        }
        guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be in 1…100, got \(rounds)") }
        guard seconds.isFinite, seconds >= 0, seconds <= 3600 else {
            throw ValidationError("--seconds must be in 0…3600")
        }
    }

    private func wants(_ group: String) -> Bool { only.isEmpty || only.contains(group) }

    func run() throws {
        var rows: [BenchRow] = []
        // OpenBLAS stays on one thread (as everywhere in CMLab); products are split over
        // the cores by CMLab (`sgemmRows`, the networks' halves).
        let threads = ProcessInfo.processInfo.activeProcessorCount

        var sgemm1024 = 0.0
        for n in [512, 1024] where wants("sgemm") || (n == 1024 && wants("unet")) {
            let (a, b) = NetsBenchmark.squareOperands(n)
            let t = measure(seconds) { _ = a.matmul(b) }
            let rate = 2 * pow(Double(n), 3) / t / 1e9
            if n == 1024 { sgemm1024 = rate }
            rows.append(
                BenchRow(name: "sgemm \(n)×\(n)×\(n) (rows split over the cores)", value: rate, unit: "GFLOP/s"))
        }
        // Where OpenBLAS runs its generic kernels on a CPU it did not recognise: sgemm 1024³
        // again with the CPU's own family, measured by a child process (NativeSGEMM).
        var nativeSgemm1024: (family: String, rate: Double)?
        if wants("sgemm") || wants("unet"), let family = NativeSGEMM.family {
            if let rate = NativeSGEMM.rate(family: family, seconds: seconds) {
                nativeSgemm1024 = (family, rate)
                rows.append(
                    BenchRow(
                        name: "sgemm 1024×1024×1024 with OpenBLAS's \(family) kernels (a child process)",
                        value: rate, unit: "GFLOP/s"))
            } else {
                FileHandle.standardError.write(
                    Data("bench: sgemm with OPENBLAS_CORETYPE=\(family) could not be measured\n".utf8))
            }
        }

        if wants("parallel") {
            // What one parallel region (two chunks) costs: back to back, and after 50 µs of
            // serial work (the pattern of a training step, where the other core waits).
            let spin = { (ns: UInt64) in
                let t = DispatchTime.now().uptimeNanoseconds; while DispatchTime.now().uptimeNanoseconds - t < ns {}
            }
            let hot = measure(seconds) { for _ in 0..<100 { Parallel.forEachChunk(2, chunk: 1) { _ in } } } / 100
            rows.append(BenchRow(name: "parallel region, back to back", value: hot * 1e6, unit: "µs"))
            let cold =
                measure(seconds) { for _ in 0..<20 { spin(50_000); Parallel.forEachChunk(2, chunk: 1) { _ in } } } / 20
                - 50e-6
            rows.append(BenchRow(name: "parallel region after 50 µs of serial work", value: cold * 1e6, unit: "µs"))
            let busy =
                measure(seconds) {
                    for _ in 0..<20 { spin(50_000); Parallel.forEachChunk(2, chunk: 1) { _ in spin(200_000) } }
                } / 20 - 250e-6
            rows.append(
                BenchRow(
                    name: "parallel region of 2 × 200 µs after 50 µs of serial work, beyond 200 µs", value: busy * 1e6,
                    unit: "µs"))
        }

        let ring8 = GaussianMixture.ring8()
        let grid = try SigmaGrid.karras(n: 40)
        let heun = GridSolver(.heun, grid: grid)
        if wants("teacher") {
            let x4096 = RNG(seed: 3).normalBatch(count: 4096, dims: 2)
            let tEval = measure(seconds) { _ = ring8.denoise(x4096, sigma: 0.5) }
            rows.append(BenchRow(name: "exact ring8 D(x; σ), batch 4096", value: 4096 / tEval, unit: "evals/s"))
            let z = RNG(seed: 4).normalBatch(count: 10_000, dims: 2).map { $0 * 80 }
            let tSolve = measure(seconds) { _ = heun.solve(ring8, z, callback: nil) }
            rows.append(
                BenchRow(
                    name: "Heun solve, Karras N = 40 (39 steps), 10,000 ring8 points", value: tSolve * 1e3, unit: "ms"))
        }

        // Training steps on the default study settings: ring8 exact teacher, Heun N = 40,
        // MLP 4 × 256, batch 512, both cores.
        let data: DataSampler = { ring8.sample(count: $0, rng: $1) }
        for objective in Objective.allCases where wants(objective == .cm ? "cm" : "direct") {
            var c = DistillationConfig()
            c.objective = objective
            c.iterations = 10
            _ = try distill(teacher: ring8, solver: heun, data: data, config: c) // warm-up
            // Five runs of a fifth of the budget each; the median run's figures are shown,
            // so a burst of noise on this shared machine moves at most two of them. A run's
            // time is its training loop's (the last progress report), without the set-up.
            c.iterations = max(40, Int(seconds * 40))
            var runs: [(perStep: Double, clock: PhaseClock)] = []
            for _ in 0..<5 {
                let clock = PhaseClock()
                var rate = 0.0
                _ = try distill(
                    teacher: ring8, solver: heun, data: data, config: c, progress: { rate = $0.iterationsPerSecond },
                    clock: clock)
                runs.append((1 / rate, clock))
            }
            let median = runs.sorted { $0.perStep < $1.perStep }[2]
            let name = objective == .cm ? "CM" : "Direct CM"
            rows.append(
                BenchRow(
                    name: "\(name) training step (ring8, Heun N = 40, MLP 4×256, batch 512)",
                    value: median.perStep * 1e3, unit: "ms"))
            for phase in median.clock.order {
                rows.append(
                    BenchRow(
                        name: "  · \(phase)", value: median.clock.seconds[phase]! / Double(c.iterations) * 1e3,
                        unit: "ms"))
            }
        }
        if wants("mlp") {
            let mlp = NetsBenchmark.mlpStep(batch: 512, width: 256, depth: 4)
            rows.append(BenchRow(name: "MLP 4×256 forward+backward+Adam, batch 512", value: mlp.msPerStep, unit: "ms"))
            rows.append(BenchRow(name: "MLP forward+backward rate", value: mlp.gflops, unit: "GFLOP/s"))
            rows.append(
                BenchRow(
                    name: "  as a fraction of sgemm on the same shapes (\(formatShort(mlp.sgemmGFLOPs)) GFLOP/s)",
                    value: mlp.gflops / mlp.sgemmGFLOPs, unit: ""))
        }

        // The image side: the U-Net of the Fashion-MNIST study (1 × 14 × 14, base width 32, batch 128).
        if wants("unet") {
            let unet = NetsBenchmark.unetStep(batch: 128)
            rows.append(
                BenchRow(
                    name: "U-Net (\(unet.parameters) parameters) training step, batch 128, 14×14",
                    value: unet.msPerStep, unit: "ms"))
            // A products' rate and its fractions of the run's sgemm figures.
            func productRows(_ name: String, _ rate: Double) {
                rows.append(BenchRow(name: "  " + name, value: rate, unit: "GFLOP/s"))
                var fractions = [("sgemm 1024³", sgemm1024)]
                if let native = nativeSgemm1024 { fractions.append(("\(native.family) sgemm 1024³", native.rate)) }
                for (figure, gemm) in fractions {
                    rows.append(
                        BenchRow(name: "    as a fraction of the \(figure) figure", value: rate / gemm, unit: ""))
                }
            }
            productRows("rate of its matrix products (Winograd F(4×4, 3×3))", unet.gflops)
            // The same fraction with sgemm and the step timed alternately, round by round
            // (a disturbance then weighs on both figures of a round).
            let fractions = NetsBenchmark.unetStepOverSgemm(batch: 128, rounds: rounds).sorted()
            rows.append(
                BenchRow(
                    name: "    timed alternately with sgemm 1024³, median of \(rounds) rounds (range "
                        + "\(formatShort(fractions.first ?? 0))–\(formatShort(fractions.last ?? 0)))",
                    value: fractions[fractions.count / 2], unit: ""))
            // The same products alone, without the work between them: how near the
            // kernels themselves come to sgemm, apart from the step's other layers.
            productRows(
                "its products alone (no transforms or norms)",
                NetsBenchmark.unetProductsAlone(batch: 128, iterations: 15))
            rows.append(BenchRow(name: "  U-Net predict (no grad), batch 128", value: unet.predictMs, unit: "ms"))
            // Where a step's time goes, by kind of layer, on one core (the slices one after
            // the other; a breakdown for finding the next lever, not a speed figure).
            let parts = NetsBenchmark.unetBreakdown(batch: 128)
            for (title, kinds) in [("training step", parts.step), ("prediction", parts.predict)] {
                let total = kinds.reduce(0) { $0 + $1.1 }
                rows.append(BenchRow(name: "  one core, \(title), by kind of layer", value: total, unit: "ms"))
                for (kind, ms) in kinds {
                    rows.append(
                        BenchRow(
                            name: "  · \(kind)", value: ms, unit: "ms, \(Int((100 * ms / total).rounded()))%"))
                }
            }
        }

        // The native Fashion-MNIST size: four times the pixels, the same network.
        if wants("unet28") {
            let unet = NetsBenchmark.unetStep(
                batch: 128, configuration: UNet.Configuration(height: 28, width: 28), iterations: 5)
            rows.append(
                BenchRow(name: "U-Net training step, batch 128, 28×28", value: unet.msPerStep, unit: "ms"))
            rows.append(
                BenchRow(
                    name: "  a 6,000-step teacher at this rate (fashion.cml's count)",
                    value: unet.msPerStep * 6000 / 60_000, unit: "min"))
            rows.append(
                BenchRow(name: "  U-Net predict (no grad), batch 128, 28×28", value: unet.predictMs, unit: "ms"))
        }

        if wants("together") {
            rows += try Self.studentsTogether(iterations: max(24, Int(seconds * 48)), rounds: rounds)
        }

        if wants("pytorch") {
            // Needs python3 with torch: when either is missing, say so and keep the other figures.
            let comparison = PyTorchComparison(
                script: pytorchScript ?? Self.defaultPyTorchScript(), rounds: rounds,
                callsPerRound: max(3, Int(seconds * 10)))
            do { rows += try comparison.rows() } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                if !only.isEmpty { throw ExitCode.failure }
            }
        }

        if json {
            var obj: [String: Any] = [
                "machine": machineDescription(), "threads": threads, "blas_core": BLASCore.current,
                "small_products": SmallProducts.body,
                "results": rows.map { ["name": $0.name, "value": $0.value, "unit": $0.unit] },
            ]
            if let advice = BLASCore.fallbackAdvice() { obj["blas_advice"] = advice }
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "cmlab bench — \(machineDescription()), \(threads) threads, OpenBLAS kernels \(BLASCore.current), "
                    + "small products \(SmallProducts.body)")
            if let advice = BLASCore.fallbackAdvice() { print("  note: " + advice) }
            let w = rows.map(\.name.count).max() ?? 0
            for r in rows {
                print(
                    "  " + r.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
                        + String(format: "%12.3f", r.value) + " " + r.unit)
            }
        }
    }
}

extension Bench {
    /// `scripts/pytorch_unet.py` under the working directory, else beside the build
    /// (`.build/release/cmlab` → `scripts/`).
    static func defaultPyTorchScript() -> String {
        let here = "scripts/pytorch_unet.py"
        if FileManager.default.fileExists(atPath: here) { return here }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            let beside = exe.deletingLastPathComponent().appendingPathComponent("../../../scripts/pytorch_unet.py")
                .standardized.path
            if FileManager.default.fileExists(atPath: beside) { return beside }
        }
        return here
    }
}

struct BenchRow { let name: String; let value: Double; let unit: String }

/// Median seconds per call of `body`, after one warm-up call, over at least `budget` seconds
/// (and at least 5 calls).
func measure(_ budget: Double, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let start = Date()
    while times.count < 5 || Date().timeIntervalSince(start) < budget {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        if times.count >= 10_000 { break }
    }
    times.sort()
    return times[times.count / 2]
}

/// CPU model and core count, for the record.
func machineDescription() -> String {
    var model = "unknown CPU"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
        let name = line.split(separator: ":", maxSplits: 1).last
    {
        model = name.trimmingCharacters(in: .whitespaces)
    }
    return "\(model), \(ProcessInfo.processInfo.activeProcessorCount) cores"
}
