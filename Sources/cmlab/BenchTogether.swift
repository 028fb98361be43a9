import Diffusion
import Distillation
import Foundation
import Nets
import Tensors

extension Bench {
    /// fashion.cml's students (CM at μ = 0, 0.95, 0.99 and Direct CM; U-Net 14 × 14 base
    /// width 32, batch 32, Heun on Karras N = 18), trained three ways: apart, each with its
    /// own teacher calls one iteration at a time (as before the target stream); together
    /// from one stream; and together with the teacher's parts read from a targets file that
    /// an earlier run wrote (a rerun's cost: the students' alone, plus the check of
    /// iteration 0). The ways alternate within each of `rounds` rounds
    /// and each figure is the median over the rounds, so the machine's drift falls on all
    /// of both alike. The teacher's weights do not change its cost, so an untrained U-Net
    /// stands in for the trained one.
    static func studentsTogether(iterations: Int, rounds: Int) throws -> [BenchRow] {
        let teacher = LearnedDenoiser(network: UNet(UNet.Configuration()), dataName: "noise")
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 18))
        let data: DataSampler = { n, rng in rng.normalBatch(count: n, dims: 196).map { tanh($0) } }
        let students = [(Objective.cm, 0.0), (.cm, 0.95), (.cm, 0.99), (.direct, 0)].map { objective, mu in
            var c = DistillationConfig()
            c.objective = objective; c.emaRate = mu
            c.batchSize = 32; c.iterations = iterations; c.learningRate = 1e-4
            return c
        }
        var rows = (apart: 0, together: 0, file: 0)
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bench.targets")
        func together(_ cs: [DistillationConfig], chunk: Int?, targets: URL? = nil) throws -> Int {
            let cache = try targets.map { try TargetCache(url: $0, for: cs, dims: teacher.dims) }
            return try distillTogether(
                teacher: teacher, solver: solver, data: data, configs: cs,
                initialNetwork: teacher.network, chunk: chunk, targets: cache
            ).teacherEvaluations
        }
        _ = try together(students, chunk: nil, targets: file) // warm-up, and writes the file
        var apart: [Double] = [], stream: [Double] = [], fromFile: [Double] = []
        for _ in 0..<rounds {
            apart.append(try seconds { rows.apart = try students.reduce(0) { $0 + (try together([$1], chunk: 1)) } })
            stream.append(try seconds { rows.together = try together(students, chunk: nil) })
            fromFile.append(try seconds { rows.file = try together(students, chunk: nil, targets: file) })
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
        let it = Double(iterations), chunk = TargetStream.chunk(batchSize: 32, dims: 196)
        let (a, t, f) = (median(apart), median(stream), median(fromFile))
        return [
            BenchRow(
                name: "4 students (CM μ = 0, 0.95, 0.99, Direct CM; U-Net 14×14, batch 32, Heun N = 18), "
                    + "median of \(rounds) rounds", value: Double(iterations), unit: "it"),
            BenchRow(name: "  trained apart, per iteration of the four", value: a / it * 1e3, unit: "ms"),
            BenchRow(
                name: "  together from one target stream (chunks of \(chunk) iterations)", value: t / it * 1e3,
                unit: "ms"),
            BenchRow(name: "  together, the teacher's parts from a targets file", value: f / it * 1e3, unit: "ms"),
            BenchRow(name: "  speed-up, together over apart", value: a / t, unit: "×"),
            BenchRow(name: "  speed-up, from the file over together", value: t / f, unit: "×"),
            BenchRow(name: "  teacher rows per iteration, apart", value: Double(rows.apart) / it, unit: "rows"),
            BenchRow(name: "  teacher rows per iteration, together", value: Double(rows.together) / it, unit: "rows"),
            BenchRow(
                name: "  teacher rows per iteration, from the file (the check of its first chunk)",
                value: Double(rows.file) / it, unit: "rows"),
        ]
    }
}
