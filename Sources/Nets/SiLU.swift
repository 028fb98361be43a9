import CKernels
import Tensors

/// SiLU (swish), `silu(z) = z·σ(z)`, and its derivative written through what the
/// forward pass keeps: with `s = σ(z)` and `u = z·s`,
///
///     silu′(z) = s + z·s·(1 − s) = s + u·(1 − s),
///
/// so the backward pass needs the sigmoid and the output, never `z` itself and never
/// a second `exp`.
public enum SiLU {
    /// `(u, s)` = `(silu(z), σ(z))` for any shape.
    public static func forward(_ z: Tensor) -> (output: Tensor, sigmoid: Tensor) {
        var s = z, u = z
        z.scalars.withUnsafeBufferPointer { zp in
            s.scalars.withUnsafeMutableBufferPointer { sp in
                u.scalars.withUnsafeMutableBufferPointer { up in
                    biasSiLUForward(
                        z: UnsafeMutablePointer(mutating: zp.baseAddress!), bias: nil, rows: 0..<1, columns: z.count,
                        sigmoidOut: sp.baseAddress!, siluOut: nil, out: up.baseAddress!, skip: nil)
                }
            }
        }
        return (u, s)
    }

    /// `dz = du · silu′(z)` from the kept `output` (u) and `sigmoid` (s).
    public static func backward(gradOutput g: Tensor, output u: Tensor, sigmoid s: Tensor) -> Tensor {
        precondition(g.shape == u.shape && u.shape == s.shape)
        var dz = g
        dz.scalars.withUnsafeMutableBufferPointer { dp in
            for i in 0..<g.count {
                dp[i] = g.scalars[i] * (s.scalars[i] + u.scalars[i] * (1 - s.scalars[i]))
            }
        }
        return dz
    }
}

/// Bias, sigmoid and SiLU in one pass over a `[rows, columns]` block, after the
/// matrix product wrote the pre-bias values into `z`.
///
/// For each element, with `zb = z + b`, `s = σ(zb)`, `u = zb·s`:
/// - `sigmoidOut` receives `s` (may be `z` itself: the forward keeps `s` in place);
/// - `siluOut` receives `u` when non-nil (residual blocks keep it for the backward);
/// - `out` receives `u`, or `skip + u` when `skip` is non-nil (may also be `z`).
/// Every element is read before it is written, so the in-place uses are safe.
///
/// Runs CKernels' AVX2 + FMA body where the CPU has both (eight lanes, the same
/// algorithm with fused multiply-adds), else the Swift loops below, each case its own
/// inner loop so the vectoriser sees straight-line code.
@inline(__always)
func biasSiLUForward(
    z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Range<Int>, columns n: Int,
    sigmoidOut: UnsafeMutablePointer<Float>?, siluOut: UnsafeMutablePointer<Float>?,
    out: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>?, vectorKernel: Bool = true
) {
    let o = rows.lowerBound * n
    if vectorKernel,
        ck_bias_silu_forward(
            z + o, bias, rows.count, n, sigmoidOut.map { $0 + o }, siluOut.map { $0 + o }, out + o,
            skip.map { $0 + o })
    {
        return
    }
    let zero = [Float](repeating: 0, count: bias == nil ? n : 0)
    zero.withUnsafeBufferPointer { zb in
        let b = bias ?? zb.baseAddress!
        for r in rows {
            let zr = z + r * n, o = out + r * n
            switch (sigmoidOut, siluOut, skip) {
            case let (so?, nil, nil): // training, plain layer
                let sr = so + r * n
                for j in 0..<n { let v = zr[j] + b[j]; let s = fastSigmoid(v); sr[j] = s; o[j] = v * s }
            case let (so?, uo?, k?): // training, residual block
                let sr = so + r * n, ur = uo + r * n, kr = k + r * n
                for j in 0..<n {
                    let v = zr[j] + b[j]; let s = fastSigmoid(v); let u = v * s; sr[j] = s; ur[j] = u; o[j] = kr[j] + u
                }
            case (nil, nil, nil): // inference, plain layer
                for j in 0..<n { let v = zr[j] + b[j]; o[j] = v * fastSigmoid(v) }
            case let (nil, nil, k?): // inference, residual block
                let kr = k + r * n
                for j in 0..<n { let v = zr[j] + b[j]; o[j] = kr[j] + v * fastSigmoid(v) }
            default:
                preconditionFailure("unsupported biasSiLUForward combination")
            }
        }
    }
}

/// SiLU backward for a `[rows, columns]` block: `dz = g·(s + u·(1 − s))` into `dz`
/// (may alias `g`), adding the column sums of `dz` to `columnSums` `[columns]` —
/// the bias gradient of the layer before the activation, for free. CKernels' AVX2 +
/// FMA body where the CPU has both, else the Swift loop.
@inline(__always)
func siluBackward(
    g: UnsafePointer<Float>, sigmoid s: UnsafePointer<Float>, output u: UnsafePointer<Float>,
    rows: Range<Int>, columns n: Int, into dz: UnsafeMutablePointer<Float>,
    columnSums: UnsafeMutablePointer<Float>, vectorKernel: Bool = true
) {
    let o = rows.lowerBound * n
    if vectorKernel, ck_silu_backward(g + o, s + o, u + o, rows.count, n, dz + o, columnSums) { return }
    for r in rows {
        let gr = g + r * n, sr = s + r * n, ur = u + r * n, dr = dz + r * n
        for j in 0..<n {
            let d = gr[j] * (sr[j] + ur[j] * (1 - sr[j]))
            dr[j] = d
            columnSums[j] += d
        }
    }
}
