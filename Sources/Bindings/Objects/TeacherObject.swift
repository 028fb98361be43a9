import Diffusion
import Foundation
import Nets
import Script
import Tensors

/// A denoiser D(x; σ) with the data it models: an exact mixture, the empirical
/// denoiser of a finite set, or a learned network.
final class TeacherObject: MemberTable {
    let denoiser: Denoiser
    let data: DataObject
    let kind: String
    let context: BindingsContext

    init(_ denoiser: Denoiser, data: DataObject, kind: String, context: BindingsContext) {
        self.denoiser = denoiser
        self.data = data
        self.kind = kind
        self.context = context
    }

    var typeName: String { "teacher" }
    var summary: String {
        if let l = denoiser as? LearnedDenoiser {
            let tail = l.lossCurve.suffix(100)
            let loss = tail.isEmpty ? "" : ", final loss \(formatShort(tail.reduce(0, +) / Double(tail.count)))"
            let levels = l.unet.map { ", \($0.configuration.levels) levels" } ?? ""
            let net =
                l.mlp.map { "MLP \($0.depth)×\($0.width)" }
                ?? "U-Net\(levels), \(String(format: "%.2f", Double(l.network.store.count) / 1e6)) M parameters"
            return "teacher learned on \(data.name) (\(net), \(l.lossCurve.count) iterations\(loss))"
        }
        return "teacher \(kind) \(data.name) (\(denoiser.dims)-D)"
    }
    var typeDoc: String {
        "A denoiser D(x; σ) = E[x₀ | x_σ] and the data it models. Solvers run on it; distill() trains students from it."
    }
    var members: [Member] {
        [
            .value("data", "The data distribution the teacher models.") { .object(self.data) },
            .value("kind", "\"exact\", \"empirical\" or \"learned\".") { .string(self.kind) },
            .value("loss_curve", "Training loss per iteration (learned teachers).") {
                return (self.denoiser as? LearnedDenoiser).map { vector($0.lossCurve) } ?? .none
            },
            .method(
                "denoise", "D(x; σ) for every row of x, as a tensor.",
                [.required("x"), .required("sigma")]
            ) { args in
                let x = try args.points("x", dims: self.denoiser.dims)
                let s = try args.number("sigma")
                guard s.isFinite && s > 0 else {
                    throw args.error("sigma must be a positive number, got \(formatShort(s))", at: "sigma")
                }
                return self.denoiser.denoise(x, sigma: s).value
            },
            .method("save", "Saves a learned teacher as .safetensors.", [.required("path")]) { args in
                let url = try self.context.resolveWritePath(try args.string("path"))
                guard let l = self.denoiser as? LearnedDenoiser else {
                    throw args.error("only learned teachers are saved; an exact teacher is rebuilt by exact(data)")
                }
                try l.save(to: url.path)
                return .string(url.path)
            },
        ]
    }
}

extension TeacherObject {
    /// The teacher's network F_θ, for students that start from the teacher's weights.
    var network: (any ConditionalNetwork)? { (denoiser as? LearnedDenoiser)?.network }
}
