import Diffusion
import Distillation
import Foundation
import Script
import Tensors

/// One row source of `compare`: students that are seeds of one setting, or fixed samples.
struct CompareItem {
    enum Source {
        /// Replicates of one setting (one per training seed); their spread joins the seeds'.
        case students([ConsistencyStudent])
        /// A sample set given as a tensor (e.g. loaded from an .npy); row i from noise row i.
        case samples(Batch)
    }
    var name: String
    var source: Source
}

/// The `students` argument: each item a student, a list of replicate students, a sample set
/// (tensor), or a record `{name:, students: […]}` / `{name:, student:}` / `{name:, samples:}`.
/// Every item is its own row; nothing is merged by name. Two items with the same name are
/// told apart by a number ("CM [1]", "CM [2]").
func compareItems(_ a: Arguments, dims: Int) throws -> [CompareItem] {
    func bad(_ v: Value, _ k: Int) -> ScriptError {
        a.error(
            "students item \(k + 1): expected a student, a list of students (seeds of one setting), a tensor of "
                + "samples or a record {name:, students:}, found \(v.typeName)", at: "students")
    }
    func students(_ v: Value, _ k: Int) throws -> [ConsistencyStudent] {
        switch v {
        case .object(let o as StudentObject): return [o.student]
        case .list(let l):
            let ss = try l.map { v -> ConsistencyStudent in
                guard case .object(let o as StudentObject) = v else { throw bad(v, k) }
                return o.student
            }
            guard !ss.isEmpty else { throw a.error("students item \(k + 1) is an empty list", at: "students") }
            return ss
        default: throw bad(v, k)
        }
    }
    func samples(_ t: Tensor, _ k: Int) throws -> Batch {
        let b = t.rank == 1 ? Batch(count: t.shape[0], dims: 1, values: t.scalars.map(Double.init)) : t.batch
        guard t.rank >= 1, b.count >= 2, b.dims == dims else {
            throw a.error(
                "students item \(k + 1): samples of shape \(t.shape), expected [n, \(dims)] with n ≥ 2",
                at: "students")
        }
        guard b.values.allSatisfy(\.isFinite) else {
            throw a.error("students item \(k + 1): the samples contain nan or inf", at: "students")
        }
        return b
    }
    func defaultName(_ ss: [ConsistencyStudent]) -> String {
        displayName(ss[0]) + (ss.count > 1 ? " ×\(ss.count)" : "")
    }
    var items: [CompareItem] = []
    // One student stands for a list of one: compare(cm, …) is compare([cm], …).
    let given: [Value]
    if case .object(let o) = a["students"], o is StudentObject {
        given = [a["students"]]
    } else {
        given = try a.list("students")
    }
    for (k, v) in given.enumerated() {
        switch v {
        case .tensor(let t): items.append(CompareItem(name: "samples \(k + 1)", source: .samples(try samples(t, k))))
        case .record(let r):
            var name: String? = nil
            if let n = r["name"] {
                guard case .string(let s) = n else {
                    throw a.error("students item \(k + 1): name must be a string, got \(n.typeName)", at: "students")
                }
                name = s
            }
            if let s = r["students"] ?? r["student"] {
                let ss = try students(s, k)
                items.append(CompareItem(name: name ?? defaultName(ss), source: .students(ss)))
            } else if case .tensor(let t)? = r["samples"] {
                items.append(CompareItem(name: name ?? "samples \(k + 1)", source: .samples(try samples(t, k))))
            } else {
                throw a.error(
                    "students item \(k + 1): a record needs students:, student: or samples: (a tensor)",
                    at: "students")
            }
        default:
            let ss = try students(v, k)
            items.append(CompareItem(name: defaultName(ss), source: .students(ss)))
        }
    }
    // Items keep their own rows: same names get a number.
    let counts = Dictionary(items.map { ($0.name, 1) }, uniquingKeysWith: +)
    var seen: [String: Int] = [:]
    for i in items.indices where (counts[items[i].name] ?? 0) > 1 {
        seen[items[i].name, default: 0] += 1
        items[i].name += " [\(seen[items[i].name] ?? 0)]"
    }
    return items
}

/// Refuses students that were not distilled from this teacher with this solver, and
/// replicate lists whose members differ in anything but the seed.
func checkComparable(_ items: [CompareItem], teacher: TeacherObject, solver: ODESolver, _ a: Arguments) throws {
    let teacherName = teacher.denoiser.name
    for item in items {
        guard case .students(let ss) = item.source else { continue }
        for s in ss {
            if s.dims != teacher.denoiser.dims {
                throw a.error("\(item.name) has \(s.dims) dims, the teacher \(teacher.denoiser.dims)", at: "students")
            }
            // Students saved before teachers were recorded carry no name: nothing to check.
            guard !s.teacherName.isEmpty else { continue }
            guard s.teacherName.hasPrefix(teacherName + ", ") else {
                throw a.error(
                    "\(item.name) was distilled from \(s.teacherName), not from this teacher "
                        + "(\(teacherName)); compare students only against the teacher and data they learned",
                    at: "students")
            }
            if let g = solver as? GridSolver, s.teacherName != "\(teacherName), \(g)" {
                let used = s.teacherName.dropFirst(teacherName.count + 2)
                throw a.error(
                    "\(item.name) was distilled with \(used), but compare solves with \(g); give "
                        + "solver: the one it learned (or compare it separately)", at: "students")
            }
        }
        guard let first = ss.first else { continue }
        for s in ss.dropFirst() {
            if let d = settingsDifference(first, s) {
                throw a.error(
                    "\(item.name): the students of one list differ in \(d); a list holds seeds of one "
                        + "setting — give different settings as separate items", at: "students")
            }
        }
    }
}

/// The first setting (other than the seed) in which two students differ, as "ema (0 vs 0.95)".
func settingsDifference(_ a: ConsistencyStudent, _ b: ConsistencyStudent) -> String? {
    if a.teacherName != b.teacherName { return "teacher (\(a.teacherName) vs \(b.teacherName))" }
    if a.grid.sigmas != b.grid.sigmas { return "grid (\(a.grid) vs \(b.grid))" }
    if a.iterations != b.iterations { return "iterations (\(a.iterations) vs \(b.iterations))" }
    if a.architecture != b.architecture { return "network (\(a.architecture) vs \(b.architecture))" }
    // Every field of the config, by reflection, so a field added later is checked too;
    // named as distill's arguments where they differ from the Swift names.
    let scriptNames = [
        "batchSize": "batch", "learningRate": "lr", "emaRate": "ema", "huberC": "huber_c",
        "clipNorm": "clip", "sigmaData": "sigma_data", "fourierFeatures": "fourier_features",
    ]
    func text(_ v: Any) -> String {
        if let d = v as? Double { return formatShort(d) }
        if let o = v as? Double?, o == nil { return "none" }
        if let o = v as? Double?, let d = o { return formatShort(d) }
        return String(describing: v)
    }
    let ca = Mirror(reflecting: a.config).children, cb = Mirror(reflecting: b.config).children
    for (x, y) in zip(ca, cb) where !["seed", "snapshots", "iterations"].contains(x.label ?? "") {
        let sx = text(x.value), sy = text(y.value)
        if sx != sy {
            let name = x.label.map { scriptNames[$0] ?? $0 } ?? "a setting"
            return "\(name) (\(sx) vs \(sy))"
        }
    }
    return nil
}

/// What tables and legends call a student: its name, else "CM", "CM μ=0.95", "Direct CM huber" ….
func displayName(_ s: ConsistencyStudent) -> String { s.label ?? label(s) }

/// "CM", "CM μ=0.95", "Direct CM huber" …
func label(_ s: ConsistencyStudent) -> String {
    var l = s.name
    if s.config.objective == .cm && s.config.emaRate > 0 { l += " μ=\(formatShort(s.config.emaRate))" }
    if s.config.distance != .l2 { l += " \(s.config.distance.rawValue)" }
    return l
}

func solverName(_ s: ODESolver) -> String {
    if let g = s as? GridSolver { return "\(g.method.rawValue) N=\(g.grid.count)" }
    return "rk45"
}
