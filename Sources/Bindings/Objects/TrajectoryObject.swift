import Diffusion
import Script
import Tensors

/// A recorded solve.
final class TrajectoryObject: MemberTable {
    let trajectory: Trajectory
    let label: String
    init(_ t: Trajectory, label: String) { trajectory = t; self.label = label }

    var typeName: String { "trajectory" }
    var receiverName: String { "traj" }
    var summary: String {
        let f = trajectory.final
        let from = formatShort(trajectory.sigmas.first ?? .nan), to = formatShort(trajectory.sigmas.last ?? .nan)
        return "trajectory of \(f.count) points, \(trajectory.steps) steps, σ \(from) → \(to) (\(label))"
    }
    var typeDoc: String {
        "A solve recorded step by step: the state at every σ and the denoiser's prediction at every step. `.final` "
            + "is the solution at σ_min."
    }
    var members: [Member] {
        [
            .value("final", "The final states at σ_min, [n, dims].") { self.trajectory.final.value },
            .value("states", "Every state, [steps + 1, n, dims].") {
                let s = self.trajectory.stacked
                return .tensor(Tensor(shape: s.shape, scalars: s.values.map(Float.init)))
            },
            .value("denoised", "D(x; σ) at each step's start, [steps, n, dims].") {
                let d = self.trajectory.denoised
                guard let first = d.first else { return .none }
                let scalars = d.flatMap(\.values).map(Float.init)
                return .tensor(Tensor(shape: [d.count, first.count, first.dims], scalars: scalars))
            },
            .value("sigmas", "The σ visited, [steps + 1].") { vector(self.trajectory.sigmas) },
            .value("steps", "Number of steps taken.") { .number(Double(self.trajectory.steps)) },
            .method("strip", """
                Sample i's denoised prediction D(x; σ) at every step, [steps, dims]: an image strip for grid_image.
                """, [.required("i")]) { a in
                let i = try a.nonNegativeInt("i")
                let d = self.trajectory.denoised
                guard let first = d.first, i < first.count else {
                    throw a.error("sample \(i) is out of range (\(d.first?.count ?? 0) samples)", at: "i")
                }
                return .tensor(Tensor(shape: [d.count, first.dims], scalars: d.flatMap { $0.row(i) }.map(Float.init)))
            },
        ]
    }
}
