import Datasets
import Diffusion
import Foundation
import Metrics
import Tensors

/// One metric of one sample set, with a bootstrap interval over its samples when asked.
struct MeasuredValue {
    var value: Double
    var interval: Interval?
}

/// The metrics of `compare` for one sample set `x` (n samples), each with a bootstrap
/// interval over the n samples when `replicates > 0`: means of per-sample values (ODE
/// error, NLL, coverage) resample those values 1000 times; the modes count resamples the
/// mode assignments 200 times; the others (swd, mmd, energy, fd, precision, recall) are
/// recomputed on `replicates` resamples of x against the same reference, and their interval
/// is shifted by the resamples' bias (see `bootstrapInterval`'s `estimate`).
struct CompareMetrics {
    let columns: [String]
    let toy: (any ToyDistribution)?
    let features: ((Batch) -> Batch)?
    let replicates: Int
    let seed: UInt64

    func measure(_ x: Batch, reference: Batch?, data: Batch, dataFeatures: Batch?) throws -> [String: MeasuredValue] {
        var out: [String: MeasuredValue] = [:]
        let boot = replicates > 0
        func meanOf(_ xs: [Double]) -> MeasuredValue {
            let m = xs.reduce(0, +) / Double(xs.count)
            return MeasuredValue(value: m, interval: boot ? bootstrapMeanInterval(xs, seed: seed) : nil)
        }
        func recomputed(_ on: Batch, _ f: (Batch) throws -> Double) throws -> MeasuredValue {
            let v = try f(on)
            guard boot, on.count >= 2 else { return MeasuredValue(value: v, interval: nil) }
            // Bias-corrected: resamples repeat points, which biases set statistics (fd, recall, swd).
            let iv = try bootstrapInterval(count: on.count, replicates: replicates, seed: seed, estimate: v) { idx in
                try f(on.rows(at: idx))
            }
            return MeasuredValue(value: v, interval: iv)
        }
        let xf = features.map { $0(x) }
        for c in columns {
            switch c {
            case "ode_error":
                if let reference, reference.count == x.count {
                    out[c] = meanOf(try odeError(student: x, teacher: reference).perSample)
                }
            case "nll":
                if let toy {
                    let nll = try negativeLogLikelihood(x, under: toy)
                    out[c] = nll.mean.isFinite ? meanOf(nll.perSample) : MeasuredValue(value: nll.mean, interval: nil)
                }
            case "swd": out[c] = try recomputed(x) { try slicedWasserstein($0, data, seed: 1) }
            case "mmd": out[c] = try recomputed(x) { try mmd2($0, data) }
            case "energy": out[c] = try recomputed(x) { try energyDistance($0, data) }
            case "coverage":
                guard let toy else { continue }
                let cv = try modeCoverage(x, of: toy)
                out["coverage"] = meanOf(cv.assignment.map { $0 == nil ? 0 : 1 })
                var modes = MeasuredValue(value: Double(cv.modesCovered), interval: nil)
                if boot {
                    let n = Double(x.count)
                    modes.interval = bootstrapInterval(count: x.count, replicates: 200, seed: seed) { idx in
                        var counts = [Int](repeating: 0, count: cv.modes)
                        for i in idx { if let k = cv.assignment[i] { counts[k] += 1 } }
                        return Double(counts.filter { Double($0) >= 0.01 * n }.count)
                    }
                }
                out["modes"] = modes
            case "fd": if let xf, let df = dataFeatures { out[c] = try recomputed(xf) { try frechetDistance($0, df) } }
            case "precision", "recall":
                if let xf, let df = dataFeatures {
                    out[c] = try recomputed(xf) { f in
                        let pr = try precisionRecall(real: df, generated: f)
                        return c == "precision" ? pr.precision : pr.recall
                    }
                }
            default: break
            }
        }
        return out
    }
}
