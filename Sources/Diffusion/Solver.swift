import Foundation
import Tensors

/// What every solver reports after each step, to the one per-step callback that
/// trajectories, plots and metrics share (k-diffusion's `callback`).
public struct StepInfo {
    /// Step number, 0-based.
    public let index: Int
    /// Noise level at the step's start and end (shared by all rows that moved).
    public let sigma: Double
    public let sigmaNext: Double
    /// The state at σ (rows that moved), and `D(x; σ)` for them.
    public let x: Batch
    public let denoised: Batch
    /// The state after the step.
    public let xNext: Batch
}

/// Return `false` from a callback to stop the solve early (e.g. on Ctrl-C).
public typealias StepCallback = (StepInfo) -> Bool

/// A probability-flow ODE solver from σ_max down to σ_min.
public protocol ODESolver: Sendable, CustomStringConvertible {
    /// Highest and lowest noise levels of the solve.
    var sigmaMax: Double { get }
    var sigmaMin: Double { get }
    /// Solves every row of `x` (states at σ_max) down to σ_min. Returns nil when the
    /// callback asked to stop.
    func solve(_ D: Denoiser, _ x: Batch, callback: StepCallback?) -> Batch?
}

/// The fixed-step methods.
public enum StepMethod: String, Sendable, CaseIterable {
    case euler, heun, dpmpp2m, rk4

    /// Parses a method name; the error lists the known ones.
    public init(named name: String) throws(GridError) {
        guard let m = StepMethod(rawValue: name.lowercased()) else {
            throw GridError("unknown solver '\(name)'; expected one of \(StepMethod.allCases.map(\.rawValue).joined(separator: ", ")), rk45")
        }
        self = m
    }

    /// Denoiser evaluations per step (Heun's last step to σ = 0 uses one).
    public var evaluationsPerStep: Int {
        switch self { case .euler, .dpmpp2m: 1; case .heun: 2; case .rk4: 4 }
    }

    /// Global order of accuracy.
    public var order: Int {
        switch self { case .euler: 1; case .heun, .dpmpp2m: 2; case .rk4: 4 }
    }
}

/// A fixed-step method over a σ grid: `N − 1` steps from `σ_0` to `σ_{N−1}`.
public struct GridSolver: ODESolver {
    public let method: StepMethod
    public let grid: SigmaGrid

    public init(_ method: StepMethod, grid: SigmaGrid) {
        self.method = method
        self.grid = grid
    }

    public var sigmaMax: Double { grid.sigmaMax }
    public var sigmaMin: Double { grid.sigmaMin }
    public var description: String { "\(method.rawValue)(\(grid))" }

    public func solve(_ D: Denoiser, _ x: Batch, callback: StepCallback?) -> Batch? {
        solve(D, x, start: nil, callback: callback)
    }

    /// One step for rows at (possibly different) grid indices `n_i → n_i + 1`: the CM
    /// target's teacher step `x̂_{n+1}`. Multistep methods take their first-order step.
    public func step(_ D: Denoiser, _ x: Batch, at n: [Int]) -> Batch {
        let sa = n.map { grid.sigmas[$0] }, sb = n.map { grid.sigmas[$0 + 1] }
        return stepRows(D, x, sa, sb, history: nil).x
    }

    /// Solves each row `i` from grid index `start[i]` (its state is at `σ_{start[i]}`)
    /// to the end of the grid. The batch steps together from its largest σ; a row
    /// is held until its own σ_n is reached (Direct CM's target, in one pass).
    /// `start == nil` means every row starts at index 0.
    public func solve(_ D: Denoiser, _ x: Batch, start: [Int]?, callback: StepCallback? = nil) -> Batch? {
        // Rows are independent: without a callback, a thread-safe denoiser gets the batch
        // split across cores (each row's arithmetic is unchanged, so results are too).
        if callback == nil, D.supportsConcurrentCalls, Parallel.threads > 1, x.count >= 128 {
            let part = (x.count + Parallel.threads - 1) / Parallel.threads
            var out = x
            out.values.withUnsafeMutableBufferPointer { o in
                let o = o
                Parallel.forEachChunk(x.count, chunk: part) { rows in
                    let r = solveSerial(D, x.rows(rows), start: start.map { Array($0[rows]) }, callback: nil)!
                    for (k, v) in r.values.enumerated() { o[rows.lowerBound * x.dims + k] = v }
                }
            }
            return out
        }
        return solveSerial(D, x, start: start, callback: callback)
    }

    func solveSerial(_ D: Denoiser, _ x: Batch, start: [Int]?, callback: StepCallback?) -> Batch? {
        let N = grid.count
        if let start { precondition(start.count == x.count && start.allSatisfy { $0 >= 0 && $0 < N }, "start indices out of the grid") }
        let count = x.count, dims = x.dims
        // Rows ordered by start index (ties by row): at step i the rows already started
        // are a prefix, stepped as one contiguous batch. The callback sees them in this order.
        let order = start.map { s in s.indices.sorted { (s[$0], $0) < (s[$1], $1) } }
        let startOf = order.map { o in o.map { start![$0] } }
        var state = order.map { x.rows(at: $0) } ?? x
        var history: (denoised: Batch, h: [Double?])? = nil     // DPM-Solver++(2M), for all rows
        var started = 0
        for i in (startOf?.first ?? 0)..<(N - 1) {
            while started < count && (startOf?[started] ?? 0) <= i { started += 1 }
            if started == 0 { continue }
            let all = started == count
            let xa = all ? state : state.rows(0..<started)
            let sa = [Double](repeating: grid.sigmas[i], count: started)
            let sb = [Double](repeating: grid.sigmas[i + 1], count: started)
            var hist: (denoised: Batch, h: [Double?])? = nil
            if method == .dpmpp2m, let h = history {
                hist = all ? h : (h.denoised.rows(0..<started), Array(h.h[0..<started]))
            }
            let r = stepRows(D, xa, sa, sb, history: hist)
            if method == .dpmpp2m {
                var h = history ?? (Batch(count: count, dims: dims), [Double?](repeating: nil, count: count))
                for k in 0..<started { h.h[k] = r.h?[k] }
                h.denoised.values.replaceSubrange(0..<(started * dims), with: r.denoised.values)
                history = h
            }
            if all { state = r.x } else { state.values.replaceSubrange(0..<(started * dims), with: r.x.values) }
            if let callback, !callback(StepInfo(index: i, sigma: grid.sigmas[i], sigmaNext: grid.sigmas[i + 1],
                                                 x: xa, denoised: r.denoised, xNext: r.x)) {
                return nil
            }
        }
        guard let order else { return state }
        var out = state
        for (k, row) in order.enumerated() {
            for j in 0..<dims { out.values[row * dims + j] = state.values[k * dims + j] }
        }
        return out
    }

    func stepRows(_ D: Denoiser, _ x: Batch, _ sa: [Double], _ sb: [Double],
                  history: (denoised: Batch, h: [Double?])?) -> (x: Batch, denoised: Batch, h: [Double]?) {
        switch method {
        case .euler: let r = eulerStep(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .heun: let r = heunStep(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .rk4: let r = rk4Step(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .dpmpp2m: let r = dpmpp2mStep(D, x, from: sa, to: sb, previous: history); return (r.x, r.denoised, r.h)
        }
    }
}
