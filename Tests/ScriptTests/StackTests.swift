import Foundation
import Testing

@testable import Script

/// The depth limits must hold the stack well under the 8 MB of a main thread,
/// in debug builds too (the worst case for frame sizes).
@Suite struct StackTests {
    /// Stack bytes used per user-call level, measured with a builtin that reports
    /// an address in its frame (on the real stack, even where AddressSanitizer moves
    /// locals into fake frames: the stack guard's own reading).
    @Test func stackPerCallLevel() {
        let bytes = onLargeStack { () -> Double in
            let interpreter = Interpreter()
            interpreter.registry.register(name: "sp", doc: "stack address", parameters: []) { _ in
                .number(Double(StackGuard.stackAddress(UInt(getpid()))))
            }
            let r = interpreter.run(
                """
                fn down(n) { if n == 0 { return sp() } return down(n - 1) }
                a = down(0)
                b = down(100)
                (a - b) / 100
                """)
            guard case .number(let perLevel)? = r.value else { return -1 }
            return perLevel
        }
        print("stack per call level: \(Int(bytes)) bytes")
        #expect(bytes > 0 && bytes * 200 < 4_000_000)
    }

    /// The deepest evaluation the limits allow: recursion where each level also
    /// nests an expression as deep as the parser accepts, on the main thread's
    /// stack size and on small worker stacks (where the stack guard stops it).
    @Test func worstCaseDepthStaysOnTheStack() {
        let unary = String(repeating: "-(", count: 30) + "f(n + 1)" + String(repeating: ")", count: 30)
        let chain = "f(n + 1)" + String(repeating: " + 1", count: 250)
        for (body, size) in [(unary, 8 << 20), (chain, 8 << 20), (chain, 512 << 10), ("f(n + 1)", 256 << 10)] {
            let result = onLargeStack(stackSize: size) { () -> [String] in
                let interpreter = Interpreter()
                let r = interpreter.run("fn f(n) { return \(body) }\nf(0)")
                return r.errors.map(\.message)
            }
            #expect(result.count == 1 && result[0].contains("recursion too deep"), "\(result)")
        }
    }
}
