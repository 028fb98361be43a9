import Foundation
// The network internals a benchmark reads (scratch buffers, the MLP's batch split, the
// U-Net's layers and Winograd geometry), exported to it alone.
@_spi(Benchmark) import Nets
import Tensors

/// Timings of the network kernels, for `cmlab bench`.
public enum NetsBenchmark {
    /// Result of ``mlpStep(batch:width:depth:inputDims:fourierFeatures:iterations:)``.
    public struct MLPStep: Sendable, CustomStringConvertible {
        /// OpenBLAS kernel family in use.
        public let blasCore: String
        /// Milliseconds per zeroGrad + forward + backward (parameters only) + Adam step (median).
        public let msPerStep: Double
        /// Matrix-product FLOPs of the step divided by `msPerStep`.
        public let gflops: Double
        /// Milliseconds for the same sequence of `sgemm` calls alone (median).
        public let sgemmMs: Double
        /// GFLOP/s of that sgemm-only sequence: the ceiling for the MLP.
        public let sgemmGFLOPs: Double
        /// Milliseconds per no-grad `predict` at the same batch (median).
        public let predictMs: Double
        /// Milliseconds for the network part of a consistency-distillation step: a target
        /// `predict`, the online step above, and an EMA update (median).
        public let cmNetworkMs: Double
        /// `gflops / sgemmGFLOPs`.
        public var efficiency: Double { gflops / sgemmGFLOPs }

        public var description: String {
            "[\(blasCore)] "
                + String(
                    format:
                        "MLP step %.3f ms (%.1f GFLOP/s), sgemm-only %.3f ms (%.1f GFLOP/s), efficiency %.0f%%, "
                        + "predict %.3f ms, CM network step %.3f ms",
                    msPerStep, gflops, sgemmMs, sgemmGFLOPs, 100 * efficiency, predictMs, cmNetworkMs)
        }
    }

    /// Times a full training step of an MLP (2-D data by default): zeroGrad, forward,
    /// backward and an Adam update, against the same matrix products alone. The two are
    /// timed alternately, iteration by iteration, so that both see the same machine load
    /// and their ratio stays meaningful on a shared machine. `threads` (if given) sets
    /// the element-wise thread count for the run (OpenBLAS stays single-threaded).
    public static func mlpStep(
        batch: Int = 512, width: Int = 256, depth: Int = 4, inputDims: Int = 2,
        fourierFeatures: Int = 16, residual: Bool = false, iterations: Int = 200,
        threads: Int? = nil
    ) -> MLPStep {
        let savedParallel = Parallel.threads
        if let threads { Parallel.threads = threads }
        defer { Parallel.threads = savedParallel }
        let net = MLP(
            inputDims: inputDims, width: width, depth: depth, fourierFeatures: fourierFeatures,
            residual: residual, seed: 1)
        let adam = Adam(net.store, learningRate: 1e-4)
        let rng = RNG(seed: 2)
        let x = rng.stream(0).normalTensor(shape: [batch, inputDims])
        let c = rng.stream(1).normalTensor(shape: [batch]).scalars.map { $0 * 0.5 }
        let g = rng.stream(2).normalTensor(shape: [batch, inputDims]) * (1 / Float(batch))
        let gemms = SgemmSequence(
            batch: batch, width: width, depth: depth, inputDims: inputDims,
            embedded: inputDims + 2 * fourierFeatures)
        let (step, gemm) = medians(
            iterations,
            {
                net.zeroGrad()
                _ = net.forward(x: x, cNoise: c)
                net.backwardParameters(gradOutput: g)
                adam.update(net.store)
            }, { gemms.run() })
        let target = net.copy()
        let ema = EMA(decay: 0.95)
        let (predict, cm) = medians(
            iterations, { _ = target.predict(x: x, cNoise: c) },
            {
                _ = target.predict(x: x, cNoise: c)
                net.zeroGrad()
                _ = net.forward(x: x, cNoise: c)
                net.backwardParameters(gradOutput: g)
                adam.update(net.store)
                ema.update(target: target, online: net)
            })
        let flops = stepFLOPs(
            batch: batch, width: width, depth: depth, inputDims: inputDims,
            embedded: inputDims + 2 * fourierFeatures)
        return MLPStep(
            blasCore: BLASCore.current, msPerStep: step, gflops: flops / step * 1e-6, sgemmMs: gemm,
            sgemmGFLOPs: flops / gemm * 1e-6, predictMs: predict, cmNetworkMs: cm)
    }

    /// GFLOP/s of one `C = A·B` product of the given shape (`2mnk` FLOPs, median time).
    public static func sgemmGFLOPs(m: Int, n: Int, k: Int, iterations: Int = 200) -> Double {
        let a = Buffer(m * k), b = Buffer(k * n), c = Buffer(m * n)
        for i in 0..<a.count { a.p[i] = Float(i % 7) * 0.1 }
        for i in 0..<b.count { b.p[i] = Float(i % 5) * 0.1 }
        let ms = median(iterations) { sgemm(m: m, n: n, k: k, a.p, lda: k, b.p, ldb: n, c.p, ldc: n) }
        return 2 * Double(m) * Double(n) * Double(k) / ms * 1e-6
    }

    /// Matrix-product FLOPs of one training step (forward, weight and input gradients).
    static func stepFLOPs(batch: Int, width: Int, depth: Int, inputDims: Int, embedded: Int) -> Double {
        let b = Double(batch), w = Double(width)
        let first =
            2 * b * Double(embedded) * w // forward
            + 2 * b * Double(embedded) * w // dW
        let hidden = Double(depth - 1) * 3 * 2 * b * w * w
        let out = 3 * 2 * b * w * Double(inputDims)
        return first + hidden + out
    }

    /// The exact `sgemm` calls of a training step (parameters only), on scratch buffers,
    /// split over the cores as the MLP splits them: the batch's two halves of rows, each
    /// on its own core (OpenBLAS is single-threaded in CMLab), the second
    /// half's weight gradients in a buffer of their own. For these shapes the split runs
    /// as fast as one call on two OpenBLAS threads (checked with a C driver on this
    /// machine: 0.28 ms for 512×256×256 either way).
    final class SgemmSequence {
        let batch, width, depth, dims, d0: Int
        let x0, h, z, g, w0, wh, wo, out, gout: Buffer
        let gw: [Buffer]

        init(batch: Int, width: Int, depth: Int, inputDims: Int, embedded: Int) {
            self.batch = batch; self.width = width; self.depth = depth; dims = inputDims; d0 = embedded
            x0 = Buffer(batch * d0); h = Buffer(batch * width); z = Buffer(batch * width); g = Buffer(batch * width)
            w0 = Buffer(width * d0); wh = Buffer(width * width); wo = Buffer(dims * width); out = Buffer(batch * dims)
            gw = [Buffer(width * max(width, d0)), Buffer(width * max(width, d0))]; gout = Buffer(batch * dims)
        }

        func run() {
            let parts = MLP.halves(batch)
            Parallel.forEachChunk(parts.count, chunk: 1) { ps in for p in ps { run(rows: parts[p], part: p) } }
        }

        private func run(rows: Range<Int>, part: Int) {
            let w = width, n = rows.count, r0 = rows.lowerBound, gw = self.gw[part].p, beta: Float = part == 0 ? 1 : 0
            let x0 = self.x0.p + r0 * d0, h = self.h.p + r0 * w, z = self.z.p + r0 * w, g = self.g.p + r0 * w
            let out = self.out.p + r0 * dims, gout = self.gout.p + r0 * dims
            sgemm(transB: true, m: n, n: w, k: d0, x0, lda: d0, w0.p, ldb: d0, h, ldc: w)
            for _ in 1..<depth { sgemm(transB: true, m: n, n: w, k: w, h, lda: w, wh.p, ldb: w, z, ldc: w) }
            sgemm(transB: true, m: n, n: dims, k: w, h, lda: w, wo.p, ldb: w, out, ldc: dims)
            sgemm(transA: true, m: dims, n: w, k: n, gout, lda: dims, h, ldb: w, beta: beta, gw, ldc: w)
            sgemm(m: n, n: w, k: dims, gout, lda: dims, wo.p, ldb: w, g, ldc: w)
            for _ in 1..<depth {
                sgemm(transA: true, m: w, n: w, k: n, g, lda: w, h, ldb: w, beta: beta, gw, ldc: w)
                sgemm(m: n, n: w, k: w, g, lda: w, wh.p, ldb: w, z, ldc: w)
            }
            sgemm(transA: true, m: w, n: d0, k: n, g, lda: w, x0, ldb: d0, beta: beta, gw, ldc: d0)
        }
    }

    /// Medians (ms) of `a` and `b`, timed alternately after a warm-up.
    static func medians(_ iterations: Int, _ a: () -> Void, _ b: () -> Void) -> (Double, Double) {
        for _ in 0..<max(3, iterations / 10) { a(); b() }
        var ta: [Double] = [], tb: [Double] = []
        for _ in 0..<max(1, iterations) {
            var t0 = DispatchTime.now().uptimeNanoseconds
            a()
            ta.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
            t0 = DispatchTime.now().uptimeNanoseconds
            b()
            tb.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
        }
        ta.sort(); tb.sort()
        return (ta[ta.count / 2], tb[tb.count / 2])
    }

    /// Median wall time of `body` in milliseconds, after `warmup` calls (default: a tenth
    /// of the timed ones, at least 3).
    static func median(_ iterations: Int, warmup: Int? = nil, _ body: () -> Void) -> Double {
        for _ in 0..<(warmup ?? max(3, iterations / 10)) { body() }
        var times: [Double] = []
        times.reserveCapacity(iterations)
        for _ in 0..<max(1, iterations) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-6)
        }
        times.sort()
        return times[times.count / 2]
    }
}
