import Diffusion
import Distillation
import Foundation
import Nets
import Tensors

extension Bench {
    /// fashion.cml's students (CM at μ = 0, 0.95, 0.99 and Direct CM; U-Net 14 × 14 base
    /// width 32, batch 32, Heun on Karras N = 18), trained two ways: apart, each with its
    /// own teacher calls one iteration at a time (as before the target stream), and together
    /// from one stream. The two ways alternate within each of `rounds` rounds
    /// and each figure is the median over the rounds, so the machine's drift falls on all
    /// of both alike. The teacher's weights do not change its cost, so an untrained U-Net
    /// stands in for the trained one.
    static func studentsTogether(iterations: Int, rounds: Int) throws -> [BenchRow] {
        let teacher = ImageDenoiser(network: UNet(UNet.Configuration()), dataName: "noise")
        let solver = GridSolver(.heun, grid: try SigmaGrid.karras(n: 18))
        let data: DataSampler = { n, rng in rng.normalBatch(count: n, dims: 196).map { tanh($0) } }
        let students = [(Objective.cm, 0.0), (.cm, 0.95), (.cm, 0.99), (.direct, 0)].map { objective, mu in
            var c = DistillationConfig()
            c.objective = objective; c.emaRate = mu
            c.batchSize = 32; c.iterations = iterations; c.learningRate = 1e-4
            return c
        }
        var rows = (apart: 0, together: 0)
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        func together(_ cs: [DistillationConfig], chunk: Int?) throws -> Int {
            try distillTogether(teacher: teacher, solver: solver, data: data, configs: cs,
                                initialNetwork: teacher.network, chunk: chunk).teacherEvaluations
        }
        _ = try together([students[3]], chunk: nil)                                      // warm-up
        var apart: [Double] = [], stream: [Double] = []
        for _ in 0..<rounds {
            apart.append(try seconds { rows.apart = try students.reduce(0) { $0 + (try together([$1], chunk: 1)) } })
            stream.append(try seconds { rows.together = try together(students, chunk: nil) })
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
        let it = Double(iterations), chunk = TargetStream.chunk(batchSize: 32, dims: 196)
        let (a, t) = (median(apart), median(stream))
        return [
            BenchRow(name: "4 students (CM μ = 0, 0.95, 0.99, Direct CM; U-Net 14×14, batch 32, Heun N = 18), "
                     + "median of \(rounds) rounds", value: Double(iterations), unit: "it"),
            BenchRow(name: "  trained apart, per iteration of the four", value: a / it * 1e3, unit: "ms"),
            BenchRow(name: "  together from one target stream (chunks of \(chunk) iterations)", value: t / it * 1e3, unit: "ms"),
            BenchRow(name: "  speed-up, together over apart", value: a / t, unit: "×"),
            BenchRow(name: "  teacher rows per iteration, apart", value: Double(rows.apart) / it, unit: "rows"),
            BenchRow(name: "  teacher rows per iteration, together", value: Double(rows.together) / it, unit: "rows"),
        ]
    }
}
