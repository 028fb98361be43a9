import CKernels
import Tensors

/// A linear layer on one U-Net training or prediction slice (16 images): products of
/// 16 rows, where OpenBLAS's packing costs more than the multiplications. They run on
/// CKernels' small-product kernels (``smallProduct``; OpenBLAS where those do not fit
/// or the CPU has no AVX2). The forward reads `Wᵀ` `[in, out]`, transposed once per
/// call of the network (``WinogradFilters``), so that every product is of the NN form.
extension Linear {
    /// `y = x·Wᵀ` (no bias): x `[B, in]`, `wt` = Wᵀ `[in, out]`, y `[B, out]`.
    func multiplySmallBatch(
        _ x: UnsafePointer<Float>, batch: Int, transposed wt: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>
    ) {
        smallProduct(m: batch, n: outputs, k: inputs, x, lda: inputs, wt, ldb: outputs, y, ldc: outputs)
    }

    /// `dW += dYᵀ·x`: dY `[B, out]`, x `[B, in]`, into the gradients of `store`.
    func accumulateWeightGradientSmallBatch(
        gradOutput dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, batch: Int, _ store: ParameterStore
    ) {
        smallProduct(
            transA: true, m: outputs, n: inputs, k: batch, dy, lda: outputs, x, ldb: inputs, accumulate: true,
            store.grads + weightOffset, ldc: inputs)
    }

    /// `dX (+)= dY·W`: dY `[B, out]` → dX `[B, in]`, added when `accumulate`.
    func inputGradientSmallBatch(
        gradOutput dy: UnsafePointer<Float>, batch: Int, _ store: ParameterStore, accumulate: Bool = false,
        into dx: UnsafeMutablePointer<Float>
    ) {
        smallProduct(
            m: batch, n: inputs, k: outputs, dy, lda: outputs, store.values + weightOffset, ldb: inputs,
            accumulate: accumulate, dx, ldc: inputs)
    }

    /// Wᵀ `[in, out]` from the store's `W` `[out, in]`.
    func transposeWeights(_ store: ParameterStore, into wt: UnsafeMutablePointer<Float>) {
        let w = UnsafePointer(store.values + weightOffset)
        ck_transpose(SmallProducts.maxLevel, outputs, inputs, w, inputs, wt, outputs)
    }
}
