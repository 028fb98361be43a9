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
                    biasSiLUForward(z: UnsafeMutablePointer(mutating: zp.baseAddress!), bias: nil, rows: 0..<1, columns: z.count,
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
@inline(__always)
func biasSiLUForward(z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?, rows: Range<Int>, columns n: Int,
                     sigmoidOut: UnsafeMutablePointer<Float>?, siluOut: UnsafeMutablePointer<Float>?,
                     out: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>?) {
    let n8 = n & ~7
    for r in rows {
        let o = r * n
        var j = 0
        while j < n8 {
            var zb = load8(z + o + j)
            if let b = bias { zb = zb + load8(b + j) }
            let s = sigmoid8(zb)
            let u = zb * s
            if let so = sigmoidOut { store8(s, so + o + j) }
            if let uo = siluOut { store8(u, uo + o + j) }
            if let k = skip { store8(load8(k + o + j) + u, out + o + j) } else { store8(u, out + o + j) }
            j += 8
        }
        while j < n {
            let zb = z[o + j] + (bias?[j] ?? 0)
            let s = sigmoid1(zb)
            let u = zb * s
            sigmoidOut?[o + j] = s
            siluOut?[o + j] = u
            out[o + j] = (skip?[o + j] ?? 0) + u
            j += 1
        }
    }
}

/// SiLU backward for a `[rows, columns]` block: `dz = g·(s + u·(1 − s))` into `dz`
/// (may alias `g`), adding the column sums of `dz` to `columnSums` `[columns]` —
/// the bias gradient of the layer before the activation, for free.
@inline(__always)
func siluBackward(g: UnsafePointer<Float>, sigmoid s: UnsafePointer<Float>, output u: UnsafePointer<Float>,
                  rows: Range<Int>, columns n: Int, into dz: UnsafeMutablePointer<Float>,
                  columnSums: UnsafeMutablePointer<Float>) {
    let n8 = n & ~7
    let one = F8(repeating: 1)
    for r in rows {
        let o = r * n
        var j = 0
        while j < n8 {
            let sv = load8(s + o + j)
            let d = load8(g + o + j) * (sv + load8(u + o + j) * (one - sv))
            store8(d, dz + o + j)
            store8(load8(columnSums + j) + d, columnSums + j)
            j += 8
        }
        while j < n {
            let d = g[o + j] * (s[o + j] + u[o + j] * (1 - s[o + j]))
            dz[o + j] = d
            columnSums[j] += d
            j += 1
        }
    }
}
