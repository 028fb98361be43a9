import Tensors

/// The mixture component each sample belongs to: the `k` minimising `‖x − μ_k‖/s_k`, the
/// nearest mean measured in that component's own standard deviations (for equal stds, as
/// in ring8 and grid25, simply the nearest mean). Unlike ``modeCoverage(_:modes:stds:radius:minShare:)``
/// every sample gets a mode, however far it lies, so "which mode did the noise go to"
/// has an answer for every initial noise; ties go to the lower index.
public func nearestMode(_ x: Batch, modes: Batch, stds: [Double]) throws(MetricError) -> [Int] {
    try checkPair(x, "samples", modes, "modes", in: "mode_of")
    guard stds.count == modes.count, stds.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw MetricError("mode_of: need one positive std per mode; got \(stds.count) stds for \(modes.count) modes")
    }
    return nearestModes(x, modes: modes, stds: stds).map(\.mode)
}

/// For each row of `x`, the component minimising `‖x − μ_k‖/s_k` and that squared distance in
/// stds (ties to the lower index). Sizes and stds are the caller's to check.
func nearestModes(_ x: Batch, modes: Batch, stds: [Double]) -> [(mode: Int, z2: Double)] {
    let d = x.dims
    return (0..<x.count).map { i in
        var best = 0, bestZ = Double.infinity
        for k in 0..<modes.count {
            var r2 = 0.0
            for j in 0..<d { let e = x.values[i * d + j] - modes.values[k * d + j]; r2 += e * e }
            let z2 = r2 / (stds[k] * stds[k]) // (distance in stds)²
            if z2 < bestZ { best = k; bestZ = z2 }
        }
        return (best, bestZ)
    }
}
