import Foundation
import Tensors

/// Adaptive Dormand–Prince RK5(4) with FSAL, for near-exact reference solutions.
///
/// It integrates in `u = ln σ`, where the probability-flow ODE reads
/// `dx/du = x − D(x; e^u)`: the right-hand side stays O(|x|) across the five decades
/// from σ_max to σ_min, so step sizes are not dictated by the `1/σ` of the σ form.
/// A step is accepted when every row's RMS of `err / (atol + rtol·max(|x|, |x_new|))`
/// is at most 1 (each sample meets the tolerance, not only their average).
public struct RK45Solver: ODESolver {
    public let sigmaMax: Double
    public let sigmaMin: Double
    public let rtol: Double
    public let atol: Double
    /// Upper bound on attempted steps; reaching it is reported as a failed solve (nil).
    public let maxSteps: Int

    public init(
        sigmaMax: Double = 80, sigmaMin: Double = 0.002, rtol: Double = 1e-6, atol: Double = 1e-6,
        maxSteps: Int = 100_000
    ) throws(DiffusionError) {
        guard sigmaMin.isFinite, sigmaMax.isFinite, sigmaMin > 0, sigmaMin < sigmaMax else {
            throw DiffusionError(
                "rk45 needs 0 < sigma_min < sigma_max, got sigma_min = \(sigmaMin), sigma_max = \(sigmaMax)")
        }
        guard rtol.isFinite, atol.isFinite, rtol >= 0, atol >= 0, rtol + atol > 0 else {
            throw DiffusionError(
                "rk45 tolerances must be non-negative and not both zero, got rtol = \(rtol), atol = \(atol)")
        }
        guard maxSteps >= 1 else { throw DiffusionError("max_steps = \(maxSteps) must be positive") }
        self.sigmaMax = sigmaMax; self.sigmaMin = sigmaMin
        self.rtol = rtol; self.atol = atol; self.maxSteps = maxSteps
    }

    public var description: String { "rk45(rtol: \(rtol), atol: \(atol), sigma \(sigmaMax) … \(sigmaMin))" }

    // Dormand–Prince tableau.
    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// 5th-order weights minus the embedded 4th-order ones.
    static let e: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

    /// `f(x, u) = x − D(x; e^u)`, and the prediction D.
    func rhs(_ D: Denoiser, _ x: Batch, _ u: Double) -> (f: Batch, denoised: Batch) {
        let denoised = D.denoise(x, sigma: exp(u))
        return (Batch.zip(x, denoised, -), denoised)
    }

    public func solve(_ D: Denoiser, _ x0: Batch, callback: StepCallback?) -> Batch? {
        let uEnd = log(sigmaMin)
        var u = log(sigmaMax)
        var x = x0
        var h = (uEnd - u) / 100 // negative: σ decreases
        var (k1, denoised) = rhs(D, x, u)
        var stepIndex = 0
        for _ in 0..<maxSteps {
            if u <= uEnd { return x }
            if u + h < uEnd { h = uEnd - u }
            var k: [Batch] = [k1]
            var xNew = x
            for s in 1..<7 {
                var xs = x
                for (j, aj) in Self.a[s].enumerated() where aj != 0 {
                    xs = Batch.axpy(xs, h * aj, k[j])
                }
                if s == 6 { xNew = xs }
                k.append(rhs(D, xs, u + Self.c[s] * h).f)
            }
            // Error estimate, row-wise RMS against the mixed tolerance.
            var worst = 0.0
            let n = x.dims
            for i in 0..<x.count {
                var acc = 0.0
                for j in 0..<n {
                    let idx = i * n + j
                    var err = 0.0
                    for s in 0..<7 where Self.e[s] != 0 { err += Self.e[s] * k[s].values[idx] }
                    err *= h
                    let scale = atol + rtol * max(abs(x.values[idx]), abs(xNew.values[idx]))
                    acc += (err / scale) * (err / scale)
                }
                worst = max(worst, (acc / Double(n)).squareRoot())
            }
            if !worst.isFinite { return nil }
            if worst <= 1 {
                let sigma = exp(u), uNext = u + h
                let sigmaNext = uNext <= uEnd ? sigmaMin : exp(uNext)
                if let callback,
                    !callback(
                        StepInfo(
                            index: stepIndex, sigma: sigma, sigmaNext: sigmaNext,
                            x: x, denoised: denoised, xNext: xNew))
                {
                    return nil
                }
                stepIndex += 1
                u = abs(uNext - uEnd) < 1e-12 ? uEnd : uNext
                x = xNew
                k1 = k[6] // FSAL: f at the accepted point
                denoised = Batch.zip(x, k1, -) // D = x − f
            }
            let factor = worst == 0 ? 5 : min(5, max(0.2, 0.9 * pow(worst, -0.2)))
            h *= factor
        }
        return u <= uEnd ? x : nil
    }
}
