import Tensors

// The staggered solve: Direct CM's target. Each row of a training batch sits at its own
// grid level σ_{n_i}, and its target is the teacher's solve from there to σ_min. Solving
// row by row would cost a solve per row; instead the batch walks the grid once from its
// highest level, and a row joins the walk when it reaches the row's own level.

extension GridSolver {
    /// Solves each row `i` from grid index `start[i]` (its state is at `σ_{start[i]}`)
    /// to the end of the grid, in one batched pass: row `i` gives what a solve of that
    /// row alone over `σ_{start[i]} … σ_{N−1}` gives (a DPM-Solver++(2M) row starts with
    /// its first-order step). `start == nil` is the plain solve from index 0.
    ///
    /// Rows are ordered by start index (ties by row), so at step `i` the rows already
    /// started are a prefix, stepped as one contiguous batch; the callback sees that
    /// prefix, in that order. The result is in the original row order.
    public func solve(_ D: Denoiser, _ x: Batch, start: [Int]?, callback: StepCallback? = nil) -> Batch? {
        guard let start else { return solve(D, x, callback: callback) }
        if callback == nil,
            let split = splitAcrossCores(
                D, x, { rows in solveStaggered(D, x.rows(rows), start: Array(start[rows]), callback: nil) })
        {
            return split
        }
        return solveStaggered(D, x, start: start, callback: callback)
    }

    func solveStaggered(_ D: Denoiser, _ x: Batch, start: [Int], callback: StepCallback?) -> Batch? {
        let N = grid.count
        precondition(start.count == x.count && start.allSatisfy { $0 >= 0 && $0 < N }, "start indices out of the grid")
        let count = x.count, dims = x.dims
        let order = start.indices.sorted { (start[$0], $0) < (start[$1], $1) }
        let startOf = order.map { start[$0] } // non-decreasing
        var state = x.rows(at: order)
        var history: DPMSolverHistory? = nil // for all rows; rows not yet stepped have none
        var started = 0
        for i in (startOf.first ?? 0)..<(N - 1) {
            while started < count && startOf[started] <= i { started += 1 }
            if started == 0 { continue } // an empty batch
            let all = started == count
            let xa = all ? state : state.rows(0..<started)
            let sa = [Double](repeating: grid.sigmas[i], count: started)
            let sb = [Double](repeating: grid.sigmas[i + 1], count: started)
            let r = stepRows(D, xa, sa, sb, history: all ? history : history?.prefix(started))
            if let stepped = r.history {
                var h =
                    history
                    ?? DPMSolverHistory(
                        denoised: Batch(count: count, dims: dims),
                        h: [Double?](repeating: nil, count: count))
                h.replacePrefix(with: stepped)
                history = h
            }
            if all { state = r.x } else { state.values.replaceSubrange(0..<(started * dims), with: r.x.values) }
            if let callback,
                !callback(
                    StepInfo(
                        index: i, sigma: grid.sigmas[i], sigmaNext: grid.sigmas[i + 1],
                        x: xa, denoised: r.denoised, xNext: r.x))
            {
                return nil
            }
        }
        var out = state
        for (k, row) in order.enumerated() {
            for j in 0..<dims { out.values[row * dims + j] = state.values[k * dims + j] }
        }
        return out
    }
}
