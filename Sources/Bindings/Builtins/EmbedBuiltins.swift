import Datasets
import Diffusion
import Script
import Tensors

/// The embedded high-dimensional toy: `embed`, `plane`.
func registerEmbedding(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "embed",
        doc: """
            A mixture data set (ring(), gridmix(), gaussian()) placed in dims dimensions by a seeded random \
            orthonormal map, with isotropic noise of the components' std in the dims − 2 directions off the plane. It \
            is again an isotropic Gaussian mixture, so exact(data) is its exact denoiser: the plane's denoiser plus \
            the shrinkage s²/(s² + σ²) of the off-plane part. Low-dimensional data in a high-dimensional space, as \
            images are.
            """, parameters: [.required("data"), .required("dims"), .optional("seed", .number(0))]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "a mixture data set (e.g. ring())")
        guard let m = d.mixture else {
            throw a.error(
                "\(d.name) is not a Gaussian mixture; embed takes ring(), gridmix() or gaussian()", at: "data")
        }
        let dims = try a.count("dims", limit: 100_000)
        try a.checkShape([m.components + m.dims, dims], at: "dims", bytesPerElement: 8)
        let e = try Toy.embed(m, dims: dims, seed: try a.seed())
        return .object(DataObject(.toy(e.mixture), embedding: e))
    }
    r.register(
        name: "plane",
        doc: """
            The coordinates Q x of points in the plane of an embedded data set (embed(…)): an [n, 2] tensor, to be \
            measured against the 2-D data (coverage of the projected samples under ring()) or plotted. What Q x drops \
            is the off-plane part.
            """, parameters: [.required("x"), .required("data")]
    ) { a in
        let d = try a.object("data", as: DataObject.self, described: "an embedded data set (embed(ring(), dims: D))")
        guard let e = d.embedding else { throw a.error("\(d.name) was not made by embed(…)", at: "data") }
        return e.project(try a.points("x", dims: d.dims)).value
    }
}
