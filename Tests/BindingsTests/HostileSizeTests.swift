import Bindings
import Foundation
import Script
import Tensors
import Testing

/// Issue 14, items 1–3: every size a script passes to a domain builtin is checked
/// (element limit, memory, overflow) before anything is allocated, and the error points
/// at the argument. Before the fix each of these aborted ("failed to allocate"), trapped
/// (SIGILL) or corrupted memory (SIGSEGV) and took the session with it.
@Suite struct HostileSizeTests {
    func interpreter() -> Interpreter {
        quietSession(BindingsContext(resolveWritePath: { _ in throw ScriptError("no writes") }))
    }

    /// (source, column of the argument the error must point at, words the message must hold)
    static let reproducers: [(String, Int, String)] = [
        ("x = noise(1000000000000, dims: 1000000, seed: 1)", 11, "'count' is 1000000000000"),
        ("x = noise(100000, dims: 100000)", 11, "is too large"),
        ("x = samples(ring(), 1e12)", 21, "'n' is 1000000000000"),
        ("x = ring().sample(1e12)", 19, "'n' is 1000000000000"),
        ("d = density(noise(100), bins: 1e6)", 31, "'bins' is 1000000"),
        ("d = density(noise(100), bins: 4294967296)", 31, "'bins' is 4294967296"),
        ("h = histogram(noise(100), bins: 1e10)", 33, "'bins' is 10000000000"),
        ("s = swd(noise(10), noise(10), directions: 1e10)", 43, "'directions' is 10000000000"),
        ("x = samples(gaussian(mean: list(range(2000))), 8e15)", 48, "'n' is 8000000000000000"),
        ("x = concat(zeros(9000, 10000), zeros(2000, 10000))", 32, "is too large"),
        ("t = learned(ring(), iters: 1e12)", 28, "'iters' is 1000000000000"),
        ("t = learned(ring(), iters: 10, batch: 1e8, width: 256)", 39, "is too large"),
        ("x = fashion_mnist(size: 15)", 25, "resolution 15 is not available; choose 28, 14 or 16"),
    ]

    @Test(arguments: reproducers.indices)
    func refusedAtTheArgument(_ k: Int) {
        let (source, column, words) = Self.reproducers[k]
        let r = interpreter().run(source)
        #expect(!r.succeeded, "\(source) succeeded")
        let e = r.errors.first
        #expect(e?.span?.column == column, "\(source): \(r.renderedErrors)")
        #expect(e?.message.contains(words) == true, "\(source): \(r.renderedErrors)")
    }

    /// The guard itself: the product of the non-zero extents must fit, products never
    /// wrap, and a fitting shape gives its exact count.
    @Test func sizeGuard() throws {
        #expect(try SizeGuard.elements([3, 4, 5]) == 60)
        #expect(try SizeGuard.elements([0, 7]) == 0)
        #expect(throws: SizeError.self) { try SizeGuard.elements([0, 4_611_686_018_427_387_904, 4]) }
        #expect(throws: SizeError.self) { try SizeGuard.elements([1 << 32, 1 << 32]) } // wraps to 0 in Int64
        #expect(throws: SizeError.self) { try SizeGuard.elements([2, -1]) }
        #expect(throws: SizeError.self) { try SizeGuard.elements([10], maxElements: 9) }
        // Memory: a count within the element limit but beyond half the machine's memory.
        #expect(throws: SizeError.self) {
            try SizeGuard.elements([Int.max / 16], bytesPerElement: 8, maxElements: Int.max)
        }
    }
}
