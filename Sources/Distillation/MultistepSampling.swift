import Diffusion
import Foundation
import Tensors

/// How multistep consistency sampling re-noises between its steps.
public enum Renoising: Sendable {
    /// Fresh Gaussian noise, as Song et al. (2023), Algorithm 1: `x = x₀ + √(σ_next² − σ_min²)·z`
    /// with `z` for step k, row i drawn from `(seed, stream k, i)`, independent of batch size.
    /// The samples leave the teacher's trajectory by design, so their ODE error says little.
    case fresh(seed: UInt64)
    /// Along the teacher's ODE trajectory from the same initial noise:
    /// `x = x₀ + (x̂(σ_next) − x̂(σ_min))`, where `x̂(σ)` is the teacher's state at level σ.
    /// This is re-noising with the teacher's own noise direction
    /// `ẑ = (x̂(σ_next) − x̂(σ_min)) / √(σ_next² − σ_min²)` at the usual scale: a student that
    /// is exact (`f(x̂(σ), σ) = x̂(σ_min)`) lands on `x̂(σ_next)` and ends at `x̂(σ_min)`, so the
    /// ODE error at K steps measures the student, not the noise. `states[n]` is the teacher's
    /// state at level n of the student's grid; levels the sampler visits and the last are needed.
    case teacher(states: [Int: Batch])

    /// "fresh" or "teacher", as tables label the rows.
    public var kind: String {
        switch self {
        case .fresh: "fresh"
        case .teacher: "teacher"
        }
    }
}

/// Grid indices of K-step consistency sampling on a grid of N levels:
/// `round(linspace(0, N, K, endpoint: false))`.
public func consistencySamplingIndices(levels N: Int, steps K: Int) -> [Int] {
    (0..<K).map { k in min(N - 1, Int((Double(k) * Double(N) / Double(K)).rounded())) }
}

/// Multistep consistency sampling with any consistency function `f` (a student, or an exact
/// one in tests) over `grid`, from states `x` at σ_max: at each chosen level `x₀ = f(x, σ)`,
/// then re-noise to the next level as `renoise` says. Returns the last `x₀`.
public func consistencySample(
    _ f: Denoiser, grid: SigmaGrid, _ x: Batch, steps K: Int,
    renoise: Renoising
) throws(DistillationError) -> Batch {
    guard K >= 1 else { throw DistillationError("steps = \(K): sampling needs at least 1 step") }
    guard K <= grid.count else {
        throw DistillationError("steps = \(K) exceeds the \(grid.count) levels of the student's grid")
    }
    guard x.dims == f.dims else { throw DistillationError("noise has \(x.dims) dims, the student expects \(f.dims)") }
    let indices = consistencySamplingIndices(levels: grid.count, steps: K)
    let last = grid.count - 1
    if case .teacher(let states) = renoise, K > 1 {
        for n in indices.dropFirst() + [last] {
            guard let s = states[n] else {
                throw DistillationError(
                    "renoise along the teacher needs its state at σ = \(grid.sigmas[n]) (level \(n))")
            }
            guard s.count == x.count, s.dims == x.dims else {
                throw DistillationError(
                    "the teacher's states hold \(s.count)×\(s.dims) values, the noise \(x.count)×\(x.dims)")
            }
        }
    }
    let sigmaMin = grid.sigmaMin
    var state = x
    var x0 = x
    for (k, n) in indices.enumerated() {
        x0 = f.denoise(state, sigma: grid.sigmas[n])
        guard k + 1 < indices.count else { break }
        let next = indices[k + 1]
        switch renoise {
        case .fresh(let seed):
            let scale = (grid.sigmas[next] * grid.sigmas[next] - sigmaMin * sigmaMin).squareRoot()
            let z = RNG(seed: seed).stream(UInt64(k)).normalBatch(count: x.count, dims: x.dims)
            state = Batch.axpy(x0, scale, z)
        case .teacher(let states):
            // Checked above: both exist.
            guard let at = states[next], let end = states[last] else { break }
            state = Batch.axpy(x0, 1, Batch.axpy(at, -1, end))
        }
    }
    return x0
}

extension ConsistencyStudent {
    /// Grid indices of K-step consistency sampling: `round(linspace(0, N, K, endpoint: false))`.
    public func samplingIndices(steps K: Int) -> [Int] {
        consistencySamplingIndices(levels: grid.count, steps: K)
    }

    /// Multistep consistency sampling (Song et al. 2023, Algorithm 1) from states `x` at
    /// σ_max (noise already scaled by σ_max), re-noising with fresh noise from `seed`.
    public func sample(_ x: Batch, steps K: Int, seed: UInt64 = 0) throws(DistillationError) -> Batch {
        try consistencySample(self, grid: grid, x, steps: K, renoise: .fresh(seed: seed))
    }

    /// Multistep consistency sampling that re-noises as `renoise` says (see ``Renoising``).
    public func sample(_ x: Batch, steps K: Int, renoise: Renoising) throws(DistillationError) -> Batch {
        try consistencySample(self, grid: grid, x, steps: K, renoise: renoise)
    }
}
