import Diffusion
import Script
import Tensors

/// A recorded solve. `traj[3]`, `traj[0:5]` and `traj[[2, 7]]` pick points' paths: a
/// trajectory of those points that remembers where in the original solve they sit.
final class TrajectoryObject: MemberTable, IndexableObject {
    let trajectory: Trajectory
    let label: String
    /// The position of each point in the solve this trajectory came from (0, 1, … for a whole solve).
    let origin: [Int]
    /// Side of the square images the points are, when the model solved is an image model
    /// (`plot` then draws images); nil for points.
    let imageSide: Int?
    init(_ t: Trajectory, label: String, origin: [Int]? = nil, imageSide: Int? = nil) {
        trajectory = t; self.label = label
        self.origin = origin ?? Array(0..<(t.states.first?.count ?? 0))
        self.imageSide = imageSide
    }

    var itemCount: Int { trajectory.final.count }
    var itemName: String { "point" }
    func select(_ positions: [Int], single: Bool) throws -> Value {
        let t = trajectory
        let picked = Trajectory(
            sigmas: t.sigmas, states: t.states.map { $0.rows(at: positions) },
            denoised: t.denoised.map { $0.rows(at: positions) })
        return .object(
            TrajectoryObject(picked, label: label, origin: positions.map { origin[$0] }, imageSide: imageSide))
    }

    var typeName: String { "trajectory" }
    var receiverName: String { "traj" }
    var summary: String {
        let f = trajectory.final
        let from = formatShort(trajectory.sigmas.first ?? .nan), to = formatShort(trajectory.sigmas.last ?? .nan)
        return "trajectory of \(f.count) point\(f.count == 1 ? "" : "s")\(pointsNote), \(trajectory.steps) steps, "
            + "σ \(from) → \(to) (\(label))"
    }
    /// Which points of the original solve these are, when not all of it.
    private var pointsNote: String {
        if origin == Array(0..<origin.count) { return "" }
        let shown = origin.prefix(6).map(String.init).joined(separator: ", ")
        return " (\(origin.count == 1 ? "point" : "points") \(shown)\(origin.count > 6 ? ", …" : ""))"
    }
    var typeDoc: String {
        "A solve recorded step by step: the state at every σ and the denoiser's prediction at every step. `.final` "
            + "is the solution at σ_min. "
            + "traj[i] is point i's path (a trajectory of one point), traj[a:b] and traj[[i, j]] those points' paths; "
            + "negative indices count from the end."
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
            .value(
                "paths",
                "Each point's path, [n, steps + 1, dims]: traj.paths[i] is an [steps + 1, 2] curve for lines()."
            ) {
                let t = self.trajectory, n = t.final.count, d = t.final.dims, k = t.states.count
                var scalars = [Float](repeating: 0, count: n * k * d)
                for (s, b) in t.states.enumerated() {
                    for i in 0..<n { for j in 0..<d { scalars[(i * k + s) * d + j] = Float(b.values[i * d + j]) } }
                }
                return .tensor(Tensor(shape: [n, k, d], scalars: scalars))
            },
            .value("points", "Which points of the original solve these paths are (0 … n−1 for a whole solve).") {
                .list(self.origin.map { .number(Double($0)) })
            },
            .value("sigmas", "The σ visited, [steps + 1].") { vector(self.trajectory.sigmas) },
            .value("steps", "Number of steps taken.") { .number(Double(self.trajectory.steps)) },
            .method(
                "strip",
                """
                Sample i's denoised prediction D(x; σ) at every step, [steps, dims]: an image strip for grid_image.
                """, [.required("i")]
            ) { a in
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
