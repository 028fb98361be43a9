import Diffusion
import Testing

@testable import Datasets

/// The table of named data sets: what a saved teacher records (its data's `name`) must
/// rebuild that data set, and the names users type must reach the same sets.
@Suite struct CatalogTests {
    @Test func everyNameRebuildsTheDataSetThatCarriesIt() throws {
        for entry in Catalog.toys {
            let made = try entry.make()
            #expect(made.name == entry.names[0], "the data's own name comes first: \(entry.names)")
            for name in entry.names + entry.names.map({ $0.uppercased() }) {
                let toy = try #require(try Catalog.toy(named: name), "\(name)")
                #expect(toy.name == made.name)
            }
        }
        #expect(Catalog.toyNames == ["ring8", "grid25", "moons", "spirals", "checkerboard"])
        // The presets are the language's default constructors.
        let ring = try #require(try Catalog.toy(named: "ring8") as? GaussianMixture)
        let standard = try Toy.ring()
        #expect(ring.means == standard.means && ring.stds == standard.stds)
        let unknown = try Catalog.toy(named: "ring9"), empty = try Catalog.toy(named: "")
        #expect(unknown == nil && empty == nil)
    }

    @Test func fashionNamesGiveTheirSide() {
        #expect(Catalog.fashionSide(named: "fashion14") == 14 && Catalog.fashionSide(named: "Fashion28") == 28)
        #expect(Catalog.fashionSide(named: "fashion") == nil && Catalog.fashionSide(named: "fashionx14") == nil)
        #expect(Catalog.fashionSide(named: "ring8") == nil)
    }
}
