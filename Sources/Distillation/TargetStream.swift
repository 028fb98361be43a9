import Diffusion
import Foundation
import Tensors

// The teacher's share of the distillation targets, computed once per training stream.
//
// Iteration t of a student draws, from `RNG(seed).stream(0xD157).stream(t)`: data x_0
// (stream 0), grid indices n ~ U{0, …, N−2} (stream 1) and noise z (stream 2), and forms
// x_n = x_0 + σ_n·z. None of that depends on the student, and neither does the teacher's
// part of its target:
//
//   CM:        x̂_{n+1} = Step(teacher, x_n, σ_n → σ_{n+1})           (then f_θ⁻ of it)
//   Direct CM: Solve(teacher, x_n, σ_n → σ_min) = Solve(teacher, x̂_{n+1}, σ_{n+1} → σ_min)
//
// for one-step methods (Euler, Heun, RK4): the solve's first step *is* the CM target's
// teacher step. So students that share the seed and batch size (CM at every rate μ,
// Direct CM, every distance) can share one stream, and the stream's teacher cost is one
// staggered solve per row (or one step when no Direct CM student listens). The rows of
// `chunk` consecutive iterations are evaluated as one batch, so teacher evaluations run
// at a batch size the network uses well. Rows are independent, so every row's numbers
// are those of evaluating its own iteration alone: bit for bit on the tests' networks,
// and to rounding on a large U-Net, whose products OpenBLAS may round differently for
// another batch size (why a TargetCache checks a whole chunk as it was written).

/// One iteration's training batch and the teacher's parts of its targets.
public struct TargetBatch: Sendable {
    /// The noisy states x_n `[B, d]`, their grid indices n and levels σ_n.
    public let x: Batch
    public let n: [Int]
    public let sigma: [Double]
    /// x̂_{n+1}: one teacher step from x_n (nil when no CM student listens).
    public let teacherStep: Batch?
    /// The teacher's solve from x_n to σ_min, in Float32 (nil when no Direct CM student listens).
    public let teacherSolve: [Float]?
}

/// Serves the batches of one training stream, iteration by iteration, computing the
/// teacher's parts `chunk` iterations at a time. Memory: `chunk·B·d` values of each of
/// x_n, x̂_{n+1} (Double) and the solve (Float32).
public final class TargetStream {
    public let teacher: Denoiser
    public let solver: GridSolver
    public let batchSize: Int
    public let iterations: Int
    public let chunk: Int
    /// Which parts the listening students need.
    public let needsStep: Bool, needsSolve: Bool
    /// Rows the teacher denoised so far (a Heun step costs two per row).
    public var teacherEvaluations: Int { counter.rows }

    private let data: DataSampler
    private let base: RNG
    private let counter: CountingDenoiser
    private var first = 0
    private var served: [TargetBatch] = []
    /// The file of an earlier run's teacher parts, read instead of the teacher where it holds them.
    public let cache: TargetCache?
    private var checked = false

    /// `chunk` iterations share one teacher batch (at least 1). The stream ends after
    /// `iterations`; a chunk never reaches past it.
    public init(
        teacher: Denoiser, solver: GridSolver, data: @escaping DataSampler, seed: UInt64, batchSize: Int,
        iterations: Int, objectives: Set<Objective>, chunk: Int, cache: TargetCache? = nil
    ) {
        self.teacher = teacher
        self.solver = solver
        self.data = data
        self.batchSize = batchSize
        self.iterations = iterations
        self.chunk = max(1, chunk)
        self.needsStep = objectives.contains(.cm)
        self.needsSolve = objectives.contains(.direct)
        self.base = RNG(seed: seed).stream(0xD157)
        self.counter = CountingDenoiser(teacher)
        self.cache = cache
    }

    /// The chunk size that gives the teacher about `rows` rows per evaluation, capped so
    /// the chunk's buffers stay under `bytes`.
    public static func chunk(batchSize: Int, dims: Int, rows: Int = 256, bytes: Int = 64 << 20) -> Int {
        let perIteration = max(1, batchSize * dims * 20) // x_n, x̂ (8 + 8) and the solve (4)
        return max(1, min(rows / max(1, batchSize), bytes / perIteration))
    }

    /// Iteration t's batch; iterations are served in increasing order.
    public func batch(_ t: Int) -> TargetBatch {
        precondition(t >= 0 && t < iterations, "iteration \(t) outside the stream's 0 ..< \(iterations)")
        if t < first || t >= first + served.count { fill(from: t) }
        return served[t - first]
    }

    /// Draws x_n for iteration t, exactly as every student of this seed does.
    func draw(_ t: Int) -> (x: Batch, n: [Int]) {
        let rng = base.stream(UInt64(t))
        let grid = solver.grid, N = grid.count, B = batchSize, dims = teacher.dims
        let x0 = data(B, rng.stream(0))
        let n = (0..<B).map { rng.stream(1).integer(at: UInt64($0), below: N - 1) }
        let z = rng.stream(2).normalBatch(count: B, dims: dims)
        var xn = x0
        for i in 0..<B { for j in 0..<dims { xn.values[i * dims + j] += grid.sigmas[n[i]] * z.values[i * dims + j] } }
        return (xn, n)
    }

    private func fill(from t: Int) {
        let count = min(chunk, iterations - t)
        let draws = (t..<(t + count)).map(draw)
        first = t
        guard let cache else { served = teacherParts(draws); return }
        let keys = draws.map { TargetCache.key(x: $0.x, n: $0.n) }
        if !checked {
            checked = true
            // The file's first chunk against the teacher's, computed as one batch of the
            // size that wrote it, when it is this stream's (its keys): another teacher or
            // solver method fails.
            let c = min(cache.chunk, cache.entries.count, iterations)
            if t == 0, c > 0 {
                let head = (0..<c).map { $0 < count ? draws[$0] : draw($0) }
                let headKeys = head.indices.map {
                    $0 < count ? keys[$0] : TargetCache.key(x: head[$0].x, n: head[$0].n)
                }
                if zip(headKeys, cache.entries).allSatisfy({ $0 == $1.key }) {
                    let fresh = teacherParts(head)
                    if !zip(fresh, cache.entries).allSatisfy(Self.sameBits) {
                        cache.reject("the teacher or the solver is not the one that wrote it")
                    }
                }
            }
        }
        if let cached = cache.entries(from: t, keys: keys) {
            let B = batchSize, dims = teacher.dims, sigmas = solver.grid.sigmas
            served = zip(draws, cached).map { d, e in
                TargetBatch(
                    x: d.x, n: d.n, sigma: d.n.map { sigmas[$0] },
                    teacherStep: needsStep ? e.step.map { Batch(count: B, dims: dims, values: $0) } : nil,
                    teacherSolve: needsSolve ? e.solve : nil)
            }
            return
        }
        served = teacherParts(draws)
        if t == 0 { cache.chunk = chunk }
        cache.record(
            from: t,
            zip(keys, served).map { key, b in
                TargetCache.Entry(key: key, step: b.teacherStep?.values, solve: b.teacherSolve)
            })
    }

    /// The teacher's parts of these iterations' batches, evaluated as one batch.
    private func teacherParts(_ draws: [(x: Batch, n: [Int])]) -> [TargetBatch] {
        let count = draws.count, B = batchSize, dims = teacher.dims
        var x = Batch(count: count * B, dims: dims)
        var n: [Int] = []
        n.reserveCapacity(count * B)
        for (k, d) in draws.enumerated() {
            x.values.replaceSubrange((k * B * dims)..<((k + 1) * B * dims), with: d.x.values)
            n += d.n
        }
        var step: Batch? = nil, solve: Batch? = nil
        if solver.method.isOneStep {
            if needsStep || needsSolve { step = solver.step(counter, x, at: n) }
            if needsSolve, let s = step { solve = solver.solve(counter, s, start: n.map { $0 + 1 }) ?? s }
        } else {
            // A multistep method's solve carries history from its first step on, so the
            // solve is not a step followed by a fresh solve: both are computed.
            if needsStep { step = solver.step(counter, x, at: n) }
            if needsSolve { solve = solver.solve(counter, x, start: n) ?? x }
        }
        if !needsStep { step = nil }
        let sigmas = solver.grid.sigmas
        return (0..<count).map { k in
            let rows = (k * B)..<((k + 1) * B)
            let nk = Array(n[rows])
            return TargetBatch(
                x: draws[k].x, n: nk, sigma: nk.map { sigmas[$0] },
                teacherStep: step?.rows(rows),
                teacherSolve: solve.map { s in s.values[(k * B * dims)..<((k + 1) * B * dims)].map(Float.init) })
        }
    }

    /// Whether a batch's teacher parts equal a cache entry's, bit for bit.
    private static func sameBits(_ b: TargetBatch, _ e: TargetCache.Entry) -> Bool {
        let steps =
            b.teacherStep.map { s in e.step.map { s.values.map(\.bitPattern) == $0.map(\.bitPattern) } ?? false }
            ?? true
        let solves =
            b.teacherSolve.map { s in e.solve.map { s.map(\.bitPattern) == $0.map(\.bitPattern) } ?? false } ?? true
        return steps && solves
    }
}

/// A denoiser that counts the rows it denoises (the stream's teacher cost).
final class CountingDenoiser: Denoiser, @unchecked Sendable {
    let inner: Denoiser
    private let lock = NSLock()
    private var count = 0
    init(_ inner: Denoiser) { self.inner = inner }
    var rows: Int { lock.withLock { count } }
    var dims: Int { inner.dims }
    var name: String { inner.name }
    var supportsConcurrentCalls: Bool { inner.supportsConcurrentCalls }
    func denoise(_ x: Batch, sigma: [Double]) -> Batch {
        lock.withLock { count += x.count }
        return inner.denoise(x, sigma: sigma)
    }
}
