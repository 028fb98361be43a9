import Datasets
import Diffusion
import Foundation
import Script
import Tensors

/// Data sets: `ring`, `gridmix`, `moons`, `spirals`, `checkerboard`, `gaussian`, `samples`, `noise`, `dataset`.
func registerData(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "ring",
        doc: """
            Equal-weight isotropic Gaussians with means on a circle at angles 2πk/modes: the ring8 toy problem by \
            default. Exact density and denoiser known.
            """,
        parameters: [
            .optional("modes", .number(8)), .optional("radius", .number(1)),
            .optional("std", .number(0.05)),
        ]
    ) { a in
        let modes = try a.positiveInt("modes"), radius = try a.number("radius"), std = try a.number("std")
        return .object(DataObject(.toy(try Toy.ring(modes: modes, radius: radius, std: std))))
    }
    r.register(
        name: "gridmix",
        doc: """
            side × side equal-weight Gaussians with means on an even grid over [−extent, extent]²: grid25 by default.
            """,
        parameters: [
            .optional("side", .number(5)), .optional("extent", .number(1)),
            .optional("std", .number(0.02)),
        ]
    ) { a in
        let side = try a.positiveInt("side"), extent = try a.number("extent"), std = try a.number("std")
        return .object(DataObject(.toy(try Toy.gridmix(side: side, extent: extent, std: std))))
    }
    r.register(
        name: "gaussian",
        doc: """
            One isotropic Gaussian N(mean, std² I): its probability-flow ODE has a closed form.
            """, parameters: [.optional("mean", .list([.number(0), .number(0)])), .optional("std", .number(1))]
    ) { a in
        .object(DataObject(.toy(try Toy.gaussian(mean: try a.numbers("mean"), std: try a.number("std")))))
    }
    r.register(
        name: "moons", doc: "Two interleaved half circles with Gaussian jitter (no exact density).",
        parameters: [.optional("noise", .number(0.05))]
    ) { a in
        .object(DataObject(.toy(try Toy.moons(noise: try a.number("noise")))))
    }
    r.register(
        name: "spirals", doc: "Spiral arms with Gaussian jitter (no exact density).",
        parameters: [
            .optional("arms", .number(2)), .optional("noise", .number(0.02)),
            .optional("turns", .number(1)),
        ]
    ) { a in
        let arms = try a.positiveInt("arms"), noise = try a.number("noise"), turns = try a.number("turns")
        return .object(DataObject(.toy(try Toy.spirals(arms: arms, noise: noise, turns: turns))))
    }
    r.register(
        name: "checkerboard",
        doc: """
            Uniform on the dark squares of a cells × cells board over [−extent, extent]² (exact density known).
            """, parameters: [.optional("cells", .number(4)), .optional("extent", .number(1))]
    ) { a in
        let cells = try a.positiveInt("cells"), extent = try a.number("extent")
        return .object(DataObject(.toy(try Toy.checkerboard(cells: cells, extent: extent))))
    }
    r.register(
        name: "samples",
        doc: """
            n samples of a data distribution as an [n, dims] tensor. Row i depends only on (seed, i), so \
            samples(d, 5) is the first 5 rows of samples(d, 1000).
            """, parameters: [.required("data"), .required("n"), .optional("seed", .number(0))]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "a data set (e.g. ring())")
        let n = try a.count("n")
        try a.checkShape([n, d.dims], at: "n", bytesPerElement: 8)
        return d.sample(n, rng: RNG(seed: try a.seed())).value
    }
    r.register(
        name: "noise",
        doc: """
            Standard normal noise z, a [count, dims] tensor. Row i depends only on (seed, i): teachers and students \
            started from the same seed see identical noise at any batch size. Multiply by grid.sigma_max for x(σ_max).
            """, parameters: [.required("count"), .optional("dims", .number(2)), .optional("seed", .number(0))]
    ) { a in
        let n = try a.count("count"), d = try a.count("dims")
        try a.checkShape([n, d], at: "count")
        return .tensor(RNG(seed: try a.seed()).normalTensor(shape: [n, d]))
    }
    r.register(
        name: "dataset",
        doc: """
            A finite data set from an [n, dims] tensor of samples; exact(dataset(x)) is its optimal (memorising) \
            denoiser.
            """, parameters: [.required("points"), .optional("name", .string("data"))]
    ) { a in
        .object(DataObject(.finite(try a.points("points"), name: try a.string("name"))))
    }
}
