import Tensors

/// The one interface that joins the numerical layers: a denoiser answers
/// `D(x; σ)` for a batch, with one σ per row.
///
/// Teachers (exact or learned), wrapped networks and students all conform, so
/// every solver and every metric works on all of them. Inputs and outputs are in
/// Double (``Batch``); a network-backed denoiser converts to Float32 inside.
public protocol Denoiser: AnyObject {
    /// Dimension of one sample.
    var dims: Int { get }
    /// A short human-readable name, e.g. "exact ring8".
    var name: String { get }
    /// `D(x_i; σ_i)` for every row `i` of `x`; `sigma.count == x.count`, all σ > 0.
    func denoise(_ x: Batch, sigma: [Double]) -> Batch
    /// Whether `denoise` may be called from several threads at once (pure functions of
    /// their input; networks with shared workspaces are not). Solvers then split a
    /// batch across cores.
    var supportsConcurrentCalls: Bool { get }
}

extension Denoiser {
    public var supportsConcurrentCalls: Bool { false }

    /// `D(x; σ)` with one σ shared by the whole batch.
    public func denoise(_ x: Batch, sigma: Double) -> Batch {
        denoise(x, sigma: [Double](repeating: sigma, count: x.count))
    }

    /// The probability-flow velocity `dx/dσ = (x − D(x; σ)) / σ`, row-wise.
    public func velocity(_ x: Batch, sigma: [Double]) -> Batch {
        let denoised = denoise(x, sigma: sigma)
        return derivative(x, denoised, sigma)
    }
}

/// `d = (x − D) / σ`, row-wise (k-diffusion's `to_d`).
@inlinable
public func derivative(_ x: Batch, _ denoised: Batch, _ sigma: [Double]) -> Batch {
    var d = x
    let n = x.dims
    d.values.withUnsafeMutableBufferPointer { dv in
        denoised.values.withUnsafeBufferPointer { D in
            for i in 0..<x.count {
                let inv = 1 / sigma[i]
                for j in (i * n)..<((i + 1) * n) { dv[j] = (dv[j] - D[j]) * inv }
            }
        }
    }
    return d
}
