import Diffusion

/// The data sets known by name: the name a data set carries (what a saved teacher records)
/// and what `cmlab … --data NAME` takes. The language (rebuilding a loaded teacher's data)
/// and the batch commands both look names up here, so they know the same sets.
public enum Catalog {
    /// A standard toy (docs/science.md, "Data") under its names: the one its data carries
    /// first, then the short one users type.
    public struct Entry: Sendable {
        public let names: [String]
        public let make: @Sendable () throws -> any ToyDistribution
    }

    /// The standard toys, with the parameters of the language's defaults.
    public static let toys: [Entry] = [
        Entry(names: ["ring8"]) { GaussianMixture.ring8() },
        Entry(names: ["grid25"]) { GaussianMixture.grid25() },
        Entry(names: ["moons"]) { try Toy.moons() },
        Entry(names: ["spirals2", "spirals"]) { try Toy.spirals() },
        Entry(names: ["checkerboard4", "checkerboard"]) { try Toy.checkerboard() },
    ]

    /// The names users type, for help and errors: "ring8, grid25, moons, spirals, checkerboard".
    public static var toyNames: [String] { toys.map { $0.names.last ?? "" } }

    /// The toy a name (any case) stands for, or nil when it names none.
    public static func toy(named name: String) throws -> (any ToyDistribution)? {
        let key = name.lowercased()
        return try toys.first { $0.names.contains(key) }?.make()
    }

    /// The side of the Fashion-MNIST training set a name stands for ("fashion14" → 14), or nil.
    public static func fashionSide(named name: String) -> Int? {
        let key = name.lowercased()
        guard key.hasPrefix("fashion") else { return nil }
        return Int(key.dropFirst("fashion".count))
    }
}
