import Tensors

/// A fully connected layer `y = x·Wᵀ + b`, with `W: [out, in]` and `b: [out]` stored
/// in a ``ParameterStore`` (PyTorch's layout, so checkpoints load there unchanged).
///
/// The raw-pointer methods are the building blocks the MLP fuses with its
/// activation; the `Tensor` methods are the plain layer, used by tests and tools.
public struct Linear: Sendable {
    public let inputs: Int
    public let outputs: Int
    /// Offsets of `W` and `b` in the store.
    public let weightOffset: Int
    public let biasOffset: Int

    public init(inputs: Int, outputs: Int, weightOffset: Int, biasOffset: Int) {
        self.inputs = inputs
        self.outputs = outputs
        self.weightOffset = weightOffset
        self.biasOffset = biasOffset
    }

    /// The layer whose parameters are `"\(name).weight"` and `"\(name).bias"` in `store`.
    public init(_ name: String, in store: ParameterStore) {
        guard let w = store.entry(name + ".weight"), let b = store.entry(name + ".bias"),
            w.shape.count == 2, b.shape == [w.shape[0]]
        else { preconditionFailure("no linear layer \(name) in the store") }
        self.init(inputs: w.shape[1], outputs: w.shape[0], weightOffset: w.offset, biasOffset: b.offset)
    }

    /// Store layout entries for a layer called `name`.
    public static func layout(_ name: String, inputs: Int, outputs: Int) -> [(name: String, shape: [Int])] {
        [(name + ".weight", [outputs, inputs]), (name + ".bias", [outputs])]
    }

    /// LeCun-normal weights `N(0, 1/in)` drawn by flat index from `rng`, zero bias.
    public func initialize(_ store: ParameterStore, rng: RNG) {
        let scale = 1 / Double(inputs).squareRoot()
        let w = store.values + weightOffset
        for i in 0..<(inputs * outputs) { w[i] = Float(rng.normal(at: UInt64(i)) * scale) }
        (store.values + biasOffset).update(repeating: 0, count: outputs)
    }

    // MARK: Kernels on raw buffers

    /// `y = x·Wᵀ` (no bias): x `[B, in]` with row stride `ldx`, y `[B, out]`.
    @inline(__always)
    func multiply(
        _ x: UnsafePointer<Float>, ldx: Int? = nil, batch: Int, _ store: ParameterStore,
        into y: UnsafeMutablePointer<Float>
    ) {
        sgemm(
            transB: true, m: batch, n: outputs, k: inputs,
            x, lda: ldx ?? inputs, store.values + weightOffset, ldb: inputs, y, ldc: outputs)
    }

    /// `dW += dYᵀ·x`: dY `[B, out]`, x `[B, in]`. `gradients` (default: the store's) is a
    /// buffer with the store's layout; `beta = 0` overwrites instead of adding.
    @inline(__always)
    func accumulateWeightGradient(
        gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        batch: Int, _ store: ParameterStore,
        gradients: UnsafeMutablePointer<Float>? = nil, beta: Float = 1
    ) {
        sgemm(
            transA: true, m: outputs, n: inputs, k: batch,
            dy, lda: outputs, x, ldb: inputs, beta: beta, (gradients ?? store.grads) + weightOffset, ldc: inputs)
    }

    /// `dX = dY·W` restricted to the first `columns` inputs (all by default);
    /// `beta = 1` adds to `dX` (a residual path) instead of overwriting it.
    @inline(__always)
    func inputGradient(
        gradOutput dy: UnsafePointer<Float>, batch: Int, _ store: ParameterStore,
        columns: Int? = nil, beta: Float = 0, into dx: UnsafeMutablePointer<Float>, ldx: Int? = nil
    ) {
        let n = columns ?? inputs
        sgemm(
            m: batch, n: n, k: outputs, dy, lda: outputs, store.values + weightOffset, ldb: inputs,
            beta: beta, dx, ldc: ldx ?? n)
    }

    /// `y += b` on every row of y `[B, out]`.
    func addBias(_ y: UnsafeMutablePointer<Float>, batch: Int, _ store: ParameterStore) {
        let b = store.values + biasOffset
        for r in 0..<batch {
            let row = y + r * outputs
            for j in 0..<outputs { row[j] += b[j] }
        }
    }

    /// `db += Σ_rows dY` for dY `[B, out]` (serial; the MLP fuses this into SiLU's backward).
    /// `gradients` and `overwrite` as for ``accumulateWeightGradient(gradOutput:input:batch:_:gradients:beta:)``.
    func accumulateBiasGradient(
        gradOutput dy: UnsafePointer<Float>, batch: Int, _ store: ParameterStore,
        gradients: UnsafeMutablePointer<Float>? = nil, overwrite: Bool = false
    ) {
        let db = (gradients ?? store.grads) + biasOffset
        if overwrite { db.update(repeating: 0, count: outputs) }
        for r in 0..<batch {
            let row = dy + r * outputs
            for j in 0..<outputs { db[j] += row[j] }
        }
    }

    // MARK: Tensor interface

    /// `y = x·Wᵀ + b`: x `[B, in]` → y `[B, out]`.
    public func forward(_ x: Tensor, _ store: ParameterStore) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputs, "Linear(\(inputs)→\(outputs)) got input \(x.shape)")
        let batch = x.shape[0]
        var y = Tensor(shape: [batch, outputs])
        x.scalars.withUnsafeBufferPointer { xp in
            y.scalars.withUnsafeMutableBufferPointer { yp in
                multiply(xp.baseAddress!, batch: batch, store, into: yp.baseAddress!)
                addBias(yp.baseAddress!, batch: batch, store)
            }
        }
        return y
    }

    /// Accumulates `dW += dYᵀ·x`, `db += Σ dY` and returns `dX = dY·W` `[B, in]`.
    public func backward(input x: Tensor, gradOutput dy: Tensor, _ store: ParameterStore) -> Tensor {
        precondition(dy.shape == [x.shape[0], outputs], "Linear backward: gradient \(dy.shape) for input \(x.shape)")
        let batch = x.shape[0]
        var dx = Tensor(shape: [batch, inputs])
        x.scalars.withUnsafeBufferPointer { xp in
            dy.scalars.withUnsafeBufferPointer { gp in
                dx.scalars.withUnsafeMutableBufferPointer { dxp in
                    accumulateWeightGradient(gradOutput: gp.baseAddress!, input: xp.baseAddress!, batch: batch, store)
                    accumulateBiasGradient(gradOutput: gp.baseAddress!, batch: batch, store)
                    inputGradient(gradOutput: gp.baseAddress!, batch: batch, store, into: dxp.baseAddress!)
                }
            }
        }
        return dx
    }
}
