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
    public init(named name: String) throws(DiffusionError) {
        guard let m = StepMethod(rawValue: name.lowercased()) else {
            throw DiffusionError(
                "unknown solver '\(name)'; expected one of \(StepMethod.allCases.map(\.rawValue).joined(separator: ", ")), rk45"
            )
        }
        self = m
    }

    /// Whether a step needs nothing but the current state (not DPM-Solver++(2M)'s history).
    public var isOneStep: Bool { self != .dpmpp2m }

    /// Global order of accuracy.
    public var order: Int {
        switch self {
        case .euler: 1;
        case .heun, .dpmpp2m: 2;
        case .rk4: 4
        }
    }
}

/// A fixed-step method over a σ grid: `N − 1` steps from `σ_0` to `σ_{N−1}`.
///
/// The solve is k-diffusion's sampler loop: for each pair of neighbouring levels
/// `(σ_i, σ_{i+1})`, one step of the method, then the callback. Distillation adds two
/// entry points: ``step(_:_:at:)`` (each row one step from its own level: the CM
/// target) and the staggered solve ``solve(_:_:start:callback:)`` (each row from its
/// own level to the end: the Direct CM target), in `StaggeredSolve.swift`.
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
        if callback == nil,
            let split = splitAcrossCores(D, x, { rows in solveAlongGrid(D, x.rows(rows), callback: nil) })
        {
            return split
        }
        return solveAlongGrid(D, x, callback: callback)
    }

    /// The loop over σ, as k-diffusion writes it; nil when the callback stops it.
    func solveAlongGrid(_ D: Denoiser, _ x: Batch, callback: StepCallback?) -> Batch? {
        var x = x
        var history: DPMSolverHistory? = nil // DPM-Solver++(2M) only
        for i in 0..<(grid.count - 1) {
            let sigma = grid.sigmas[i], sigmaNext = grid.sigmas[i + 1]
            let sa = [Double](repeating: sigma, count: x.count), sb = [Double](repeating: sigmaNext, count: x.count)
            let r = stepRows(D, x, sa, sb, history: history)
            history = r.history
            if let callback,
                !callback(
                    StepInfo(index: i, sigma: sigma, sigmaNext: sigmaNext, x: x, denoised: r.denoised, xNext: r.x))
            {
                return nil
            }
            x = r.x
        }
        return x
    }

    /// One step for rows at (possibly different) grid indices `n_i → n_i + 1`: the CM
    /// target's teacher step `x̂_{n+1}`. Multistep methods take their first-order step.
    public func step(_ D: Denoiser, _ x: Batch, at n: [Int]) -> Batch {
        let sa = n.map { grid.sigmas[$0] }, sb = n.map { grid.sigmas[$0 + 1] }
        return stepRows(D, x, sa, sb, history: nil).x
    }

    /// One step of the method from `sa` to `sb`, row-wise, with the DPM-Solver++(2M)
    /// history the next step needs (nil for the one-step methods).
    func stepRows(
        _ D: Denoiser, _ x: Batch, _ sa: [Double], _ sb: [Double],
        history: DPMSolverHistory?
    ) -> (x: Batch, denoised: Batch, history: DPMSolverHistory?) {
        switch method {
        case .euler: let r = eulerStep(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .heun: let r = heunStep(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .rk4: let r = rk4Step(D, x, from: sa, to: sb); return (r.x, r.denoised, nil)
        case .dpmpp2m:
            let r = dpmpp2mStep(D, x, from: sa, to: sb, previous: history)
            return (r.x, r.denoised, DPMSolverHistory(denoised: r.denoised, h: r.h.map { Optional($0) }))
        }
    }

    /// Rows are independent: without a callback, a thread-safe denoiser gets the batch
    /// split across cores, `solveRows` solving each part (each row's arithmetic is
    /// unchanged, so results are too). Nil when the batch is not split.
    func splitAcrossCores(_ D: Denoiser, _ x: Batch, _ solveRows: (Range<Int>) -> Batch?) -> Batch? {
        guard D.supportsConcurrentCalls, Parallel.threads > 1, x.count >= 128 else { return nil }
        let part = (x.count + Parallel.threads - 1) / Parallel.threads
        var out = x
        out.values.withUnsafeMutableBufferPointer { o in
            let o = o
            Parallel.forEachChunk(x.count, chunk: part) { rows in
                guard let r = solveRows(rows) else { return } // only a callback stops a solve
                for (k, v) in r.values.enumerated() { o[rows.lowerBound * x.dims + k] = v }
            }
        }
        return out
    }
}
