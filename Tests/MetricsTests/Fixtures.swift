import Datasets
import Diffusion
import Tensors

enum GaussianMixtureFixtures {
    static func ring8Samples(_ n: Int, seed: UInt64) -> Batch {
        GaussianMixture.ring8().sample(count: n, rng: RNG(seed: seed))
    }
    static func grid25Samples(_ n: Int, seed: UInt64) -> Batch {
        GaussianMixture.grid25().sample(count: n, rng: RNG(seed: seed))
    }
}
