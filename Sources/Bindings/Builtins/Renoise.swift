import Diffusion
import Distillation
import Foundation
import Script
import Tensors

/// The `renoise:` argument of `.sample`, `compare` and `per_sample`: "fresh" (Song et al.'s
/// multistep sampling) or "teacher" (along the teacher's trajectory from the same noise);
/// `compare` also takes a list of both, one row each.
func renoiseKinds(_ a: Arguments, list allowed: Bool) throws -> [String] {
    let kinds = ["fresh", "teacher"]
    func one(_ v: Value) throws -> String {
        guard case .string(let s) = v, kinds.contains(s) else {
            throw a.error(
                "renoise must be \"fresh\" or \"teacher\"\(allowed ? " (or a list of both)" : ""), "
                    + "got \(v.repr)", at: "renoise")
        }
        return s
    }
    if allowed, case .list(let l) = a["renoise"] {
        guard !l.isEmpty else { throw a.error("renoise: the list is empty", at: "renoise") }
        var out: [String] = []
        for v in l { let s = try one(v); if !out.contains(s) { out.append(s) } }
        return out
    }
    return [try one(a["renoise"])]
}

/// The grid levels whose teacher states `renoise: "teacher"` needs for these step counts
/// on a grid of `levels` levels: every level sampled after the first, and the last.
func renoiseLevels(levels: Int, steps: [Int]) -> Set<Int> {
    var out: Set<Int> = [levels - 1]
    for k in steps where k > 1 { out.formUnion(consistencySamplingIndices(levels: levels, steps: k).dropFirst()) }
    return out
}

/// Refuses `renoise: "teacher"` when the teacher's solve cannot give states on the
/// student's grid: the solver must step on exactly that grid.
func checkRenoiseGrid(_ solver: ODESolver, _ student: ConsistencyStudent, name: String, _ a: Arguments) throws {
    guard let g = solver as? GridSolver else {
        throw a.error(
            "renoise: \"teacher\" re-noises along the teacher's states at the student's levels; "
                + "rk45 has no fixed levels: give solver: the grid solver the student learned", at: "renoise")
    }
    guard g.grid.sigmas == student.grid.sigmas else {
        throw a.error(
            "renoise: \"teacher\" needs the teacher solved on \(name)'s grid (\(student.grid)), "
                + "but the solver steps on \(g.grid)", at: "renoise")
    }
}

/// Solves `x` with the teacher and keeps the states at `levels` of the solver's grid
/// (level 0 is x itself). Returns the final state and the kept states; nil when stopped.
func solveKeeping(
    _ D: Denoiser, _ solver: ODESolver, _ x: Batch, levels: Set<Int>,
    cancel: CancellationToken
) -> (final: Batch, states: [Int: Batch])? {
    var states: [Int: Batch] = [:]
    if levels.contains(0) { states[0] = x }
    guard
        let final = solver.solve(
            D, x,
            callback: { info in
                if levels.contains(info.index + 1) { states[info.index + 1] = info.xNext }
                return !cancel.isCancelled
            })
    else { return nil }
    return (final, states)
}
