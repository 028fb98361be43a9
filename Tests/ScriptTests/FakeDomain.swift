import Script
import Tensors

/// A stand-in for the Bindings layer: a few domain builtins and objects that
/// validate their arguments the way the real ones will, so the script tests can
/// exercise suggestions, labels, counts and methods without the numerical layers.
final class FakeGrid: ScriptObject {
    let n: Int
    let sigmaMax: Double
    init(n: Int, sigmaMax: Double) { self.n = n; self.sigmaMax = sigmaMax }
    var typeName: String { "grid" }
    var summary: String { "karras grid (n: \(n), sigma_max: \(formatNumber(sigmaMax)))" }
    var typeDoc: String { "A decreasing noise-level grid." }
    var memberNames: [String] { ["n", "sigma_max", "sigmas"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "n": return .number(Double(n))
        case "sigma_max": return .number(sigmaMax)
        case "sigmas":
            return .list((0..<n).map { .number(sigmaMax * Double(n - 1 - $0) / Double(Swift.max(n - 1, 1))) })
        default: return nil
        }
    }
    func memberDoc(_ name: String) -> String? {
        ["n": "number of levels", "sigma_max": "the largest noise level", "sigmas": "the levels, largest first"][name]
    }
}

final class FakeSolver: ScriptObject {
    let method: String
    let grid: FakeGrid
    init(method: String, grid: FakeGrid) { self.method = method; self.grid = grid }
    var typeName: String { "solver" }
    var summary: String { "\(method) solver over \(grid.n) levels" }
    var memberNames: [String] { ["method", "grid", "steps"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "method": return .string(method)
        case "grid": return .object(grid)
        case "steps": return .number(Double(grid.n - 1))
        default: return nil
        }
    }
}

final class FakeStudent: ScriptObject {
    let iters: Int
    let objective: String
    var label = "student"
    init(iters: Int, objective: String) { self.iters = iters; self.objective = objective }
    var typeName: String { "student" }
    var summary: String { "\(objective) student after \(iters) iterations" }
    var memberNames: [String] { ["iters", "objective", "label", "sample"] }
    func member(_ name: String) throws -> Value? {
        switch name {
        case "iters": return .number(Double(iters))
        case "objective": return .string(objective)
        case "label": return .string(label)
        case "sample":
            return .function(
                .builtin(
                    Builtin(
                        name: "sample", receiver: "student",
                        doc: "Multistep sampling: here, x scaled by 1/(steps + 1).",
                        parameters: [.required("x"), .optional("steps", .number(1))]
                    ) { args in
                        let x = try args.tensor("x")
                        let steps = try args.positiveInt("steps")
                        return .tensor(x * (1 / Float(steps + 1)))
                    }))
        default: return nil
        }
    }
    func memberDoc(_ name: String) -> String? { name == "label" ? "a name for legends (settable)" : nil }
    func setMember(_ name: String, to value: Value) throws {
        guard name == "label" else { throw ScriptError("cannot assign to '\(name)': only 'label' can be set") }
        guard case .string(let s) = value else { throw ScriptError("'label' must be a string, got \(value.brief)") }
        label = s
    }
}

enum FakeDomain {
    static func register(in r: Registry) {
        r.register(
            name: "karras", doc: "A Karras noise grid of n levels.",
            parameters: [.optional("n", .number(40)), .optional("sigma_max", .number(80))]
        ) { args in
            let n = try args.positiveInt("n")
            let smax = try args.number("sigma_max")
            guard smax > 0 else {
                throw args.error("'sigma_max' must be positive, got \(formatNumber(smax))", at: "sigma_max")
            }
            return .object(FakeGrid(n: n, sigmaMax: smax))
        }
        for method in ["heun", "euler"] {
            r.register(
                name: method, doc: "The \(method) solver over a grid.",
                parameters: [.required("grid")]
            ) { args in
                .object(
                    FakeSolver(method: method, grid: try args.object("grid", as: FakeGrid.self, described: "a grid")))
            }
        }
        r.register(
            name: "distill", doc: "Distills a student from the teacher along the solver's grid.",
            parameters: [
                .required("teacher"), .required("solver"), .optional("objective", .string("cm")),
                .optional("iters", .number(1000)),
            ]
        ) { args in
            _ = try args.object("solver", as: FakeSolver.self, described: "a solver")
            let objective = try args.choice("objective", ["cm", "direct"])
            let iters = try args.positiveInt("iters")
            return .object(FakeStudent(iters: iters, objective: objective))
        }
        r.register(
            name: "noise", doc: "Standard normal noise of shape [count, dims].",
            parameters: [.required("count"), .optional("dims", .number(2)), .optional("seed", .number(0))]
        ) { args in
            let n = try args.positiveInt("count"), d = try args.positiveInt("dims")
            let seed = try args.nonNegativeInt("seed")
            try args.interpreter.checkSize(
                n.multipliedReportingOverflow(by: d).overflow ? Int.max : n * d, at: args.callSpan)
            return .tensor(RNG(seed: UInt64(seed)).normalTensor(shape: [n, d]))
        }
        r.register(
            name: "apply", doc: "Calls f(x) (tests callbacks).",
            parameters: [.required("f"), .required("x")]
        ) { args in
            try args.interpreter.call(try args.function("f"), [args["x"]], at: args.callSpan)
        }
        r.register(
            name: "fail_shape", doc: "Throws a ShapeError (tests foreign errors).",
            parameters: []
        ) { _ in throw ShapeError("shapes [2] and [3] do not broadcast") }
    }
}
