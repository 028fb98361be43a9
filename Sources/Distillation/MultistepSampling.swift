import Diffusion
import Foundation
import Tensors

extension ConsistencyStudent {
    /// Grid indices of K-step consistency sampling: `round(linspace(0, N, K, endpoint: false))`.
    public func samplingIndices(steps K: Int) -> [Int] {
        let N = grid.count
        return (0..<K).map { k in min(N - 1, Int((Double(k) * Double(N) / Double(K)).rounded())) }
    }

    /// Multistep consistency sampling (Song et al. 2023, Algorithm 1) from states `x` at
    /// σ_max (noise already scaled by σ_max): at each chosen level, `x₀ = f(x, σ)`; then
    /// re-noise to the next level, `x = x₀ + √(σ_next² − σ_min²)·z`. Fresh noise for step
    /// k, row i is drawn from `(seed, stream k, i)`, independent of batch size.
    public func sample(_ x: Batch, steps K: Int, seed: UInt64 = 0) throws(DistillationError) -> Batch {
        guard K >= 1 else { throw DistillationError("steps = \(K): sampling needs at least 1 step") }
        guard K <= grid.count else { throw DistillationError("steps = \(K) exceeds the \(grid.count) levels of the student's grid") }
        guard x.dims == dims else { throw DistillationError("noise has \(x.dims) dims, the student expects \(dims)") }
        let indices = samplingIndices(steps: K)
        let rng = RNG(seed: seed)
        var state = x
        var x0 = x
        for (k, n) in indices.enumerated() {
            x0 = denoise(state, sigma: grid.sigmas[n])
            guard k + 1 < indices.count else { break }
            let next = grid.sigmas[indices[k + 1]]
            let scale = (next * next - parameterization.sigmaMin * parameterization.sigmaMin).squareRoot()
            let z = rng.stream(UInt64(k)).normalBatch(count: x.count, dims: dims)
            state = Batch.axpy(x0, scale, z)
        }
        return x0
    }
}
