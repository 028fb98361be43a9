import Foundation
import Tensors

@_spi(Benchmark) @testable import Nets

// An independent Double-precision reference of the MLP, written from the definitions
// (no shared kernels), to finite-difference against the Float32 analytic backward.

func sigmoidD(_ z: Double) -> Double { 1 / (1 + Foundation.exp(-z)) }
func siluD(_ z: Double) -> Double { z * sigmoidD(z) }

/// The network's parameters as Double arrays, by store name.
struct ReferenceMLP {
    var params: [String: [Double]]
    let c: MLP.Configuration
    let frequencies: [Double]

    init(_ net: MLP) {
        c = net.configuration
        params = [:]
        for e in net.store.entries { params[e.name] = net.store.value(e.name)!.scalars.map(Double.init) }
        frequencies = net.fourier.frequencies.map(Double.init)
    }

    /// `[B, dims]` from x `[B, dims]`, c `[B]`.
    func forward(_ x: [Double], _ cNoise: [Double]) -> [Double] {
        let b = cNoise.count, d = c.inputDims
        var out: [Double] = []
        for r in 0..<b {
            var h = Array(x[(r * d)..<((r + 1) * d)])
            h += frequencies.map { Foundation.sin($0 * cNoise[r]) }
            h += frequencies.map { Foundation.cos($0 * cNoise[r]) }
            for l in 0...c.depth {
                let w = params["layers.\(l).weight"]!, bias = params["layers.\(l).bias"]!
                let nOut = bias.count, nIn = h.count
                var z = bias
                for i in 0..<nOut { for j in 0..<nIn { z[i] += w[i * nIn + j] * h[j] } }
                if l == c.depth {
                    h = z
                } else if c.residual && l > 0 {
                    h = zip(h, z).map { $0 + siluD($1) }
                } else {
                    h = z.map(siluD)
                }
            }
            out += h
        }
        return out
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// Largest |a − n| / (|n| + scale) over the pairs: a relative error that does not blow
/// up on entries whose true value is near zero (`scale` = RMS of the reference).
func relativeError(_ analytic: [Double], _ numeric: [Double]) -> Double {
    let scale = (numeric.reduce(0) { $0 + $1 * $1 } / Double(max(1, numeric.count))).squareRoot()
    return zip(analytic, numeric).map { abs($0 - $1) / (abs($1) + scale) }.max() ?? 0
}

func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }
