import Foundation
// The network internals a benchmark reads (scratch buffers, the MLP's batch split, the
// U-Net's layers and Winograd geometry), exported to it alone.
@_spi(Benchmark) import Nets
import Tensors

extension NetsBenchmark {
    /// Result of ``unetStep(batch:configuration:iterations:)``.
    public struct UNetStep: Sendable, CustomStringConvertible {
        public let batch: Int
        public let parameters: Int
        /// Milliseconds per zeroGrad + forward + backward + Adam step (median).
        public let msPerStep: Double
        /// Matrix-product FLOPs of one step (the Winograd, 1 × 1 and linear products,
        /// forward and backward).
        public let flopsPerStep: Double
        /// `flopsPerStep / msPerStep`.
        public var gflops: Double { flopsPerStep / msPerStep * 1e-6 }
        /// Milliseconds per no-grad `predict` of the batch (median).
        public let predictMs: Double
        public var description: String {
            String(
                format: "U-Net step (%d params, batch %d) %.1f ms, %.1f GFLOP/s; predict %.1f ms",
                parameters, batch, msPerStep, gflops, predictMs)
        }
    }

    /// The benchmarks' U-Net, its Adam and one batch: inputs x, noise levels c_noise and an
    /// output gradient g (seeded, so every run times the same numbers).
    struct UNetProblem {
        let net: UNet
        let adam: Adam
        let x: Tensor, gradOutput: Tensor
        let cNoise: [Float]
        var parameters: Int { net.parameterCount }

        init(batch: Int, configuration: UNet.Configuration = UNet.Configuration()) {
            net = UNet(configuration)
            adam = Adam(net.store, learningRate: 1e-4)
            let rng = RNG(seed: 2)
            x = rng.stream(0).normalTensor(shape: [batch, net.inputDims])
            cNoise = rng.stream(1).normalTensor(shape: [batch]).scalars.map { $0 * 0.5 }
            gradOutput = rng.stream(2).normalTensor(shape: [batch, net.inputDims]) * (1 / Float(batch))
        }

        /// A training step as training runs it: zeroGrad, forward, backward (parameters
        /// only) and an Adam update.
        func step() {
            net.zeroGrad()
            _ = net.forward(x: x, cNoise: cNoise)
            net.backwardParameters(gradOutput: gradOutput)
            adam.update(net.store)
        }

        func predict() { _ = net.predict(x: x, cNoise: cNoise) }

        /// Median milliseconds of `calls` steps (predictions) after one warm-up call.
        func trainMs(_ calls: Int) -> Double { median(calls, warmup: 1) { step() } }
        func predictMs(_ calls: Int) -> Double { median(calls, warmup: 1) { predict() } }
    }

    /// Two seeded n × n operands, as the sgemm rows multiply them.
    static func squareOperands(_ n: Int) -> (Tensor, Tensor) {
        (RNG(seed: 1).normalTensor(shape: [n, n]), RNG(seed: 2).normalTensor(shape: [n, n]))
    }

    /// Times a full U-Net training step (default: 1 × 14 × 14, base width 32, batch 128):
    /// zeroGrad, forward, backward (parameters only, as training runs it) and an Adam update.
    public static func unetStep(
        batch: Int = 128, configuration: UNet.Configuration = UNet.Configuration(),
        iterations: Int = 20
    ) -> UNetStep {
        let problem = UNetProblem(batch: batch, configuration: configuration), net = problem.net
        let step = median(iterations) { problem.step() }
        let predict = median(iterations) { problem.predict() }
        let flops = productFlops(unetProductShapes(net, batch: batch))
        return UNetStep(
            batch: batch, parameters: net.parameterCount, msPerStep: step, flopsPerStep: flops, predictMs: predict)
    }

    /// The step's products against sgemm 1024³, round by round: each round times sgemm
    /// 1024³ (`matmul` of two 1024 × 1024 tensors, as the sgemm row), then the training
    /// step, `calls` times each after one warm-up call (so that each median is of calls
    /// that follow their own kind, with their own operands in the caches), and divides the
    /// products' rate in its median step by its median sgemm rate. A disturbance of the
    /// machine that lasts a round weighs on both of its figures, where the separate rows,
    /// timed seconds apart, can catch it in one and not the other. Returns each round's
    /// fraction.
    public static func unetStepOverSgemm(batch: Int = 128, rounds: Int, calls: Int = 5) -> [Double] {
        let problem = UNetProblem(batch: batch)
        let flops = productFlops(unetProductShapes(problem.net, batch: batch))
        let n = 1024, gemmFlops = 2 * pow(Double(n), 3), (a, b) = squareOperands(n)
        return (0..<max(1, rounds)).map { _ in
            let gemm = median(calls, warmup: 1) { _ = a.matmul(b) }
            return (flops / problem.trainMs(calls)) / (gemmFlops / gemm) // both in ms
        }
    }

    /// A U-Net training step and a prediction on one core, by kind of layer
    /// (``UNet/Phase``): milliseconds per step (or prediction) for each kind, in the order
    /// of ``UNet/Phase/all``, with the step's zeroing and Adam update as a kind of their
    /// own. The slices run one after the other on the calling thread (`Parallel.threads`
    /// 1), so the kinds add up to the one-core time; the U-Net's marks cost a clock read
    /// each. The totals are the sums of the kinds (medians are taken per kind over
    /// `iterations` timed calls after one warm-up).
    public static func unetBreakdown(
        batch: Int = 128, configuration: UNet.Configuration = UNet.Configuration(), iterations: Int = 5
    ) -> (step: [(String, Double)], predict: [(String, Double)]) {
        let savedParallel = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = savedParallel }
        let problem = UNetProblem(batch: batch, configuration: configuration)
        let net = problem.net, adam = problem.adam, x = problem.x, c = problem.cNoise, g = problem.gradOutput
        let update = "zeroing and Adam update"
        var steps: [[String: Double]] = [], predictions: [[String: Double]] = []
        for iteration in 0...max(1, iterations) {
            let clock = PhaseClock()
            net.phaseClock = clock
            clock.start()
            net.zeroGrad()
            clock.mark(update)
            _ = net.forward(x: x, cNoise: c)
            net.backwardParameters(gradOutput: g)
            clock.start()
            adam.update(net.store)
            clock.mark(update)
            let predictClock = PhaseClock()
            net.phaseClock = predictClock
            _ = net.predict(x: x, cNoise: c)
            net.phaseClock = nil
            if iteration > 0 { // the first is a warm-up
                steps.append(clock.seconds)
                predictions.append(predictClock.seconds)
            }
        }
        func medians(_ runs: [[String: Double]], _ kinds: [String]) -> [(String, Double)] {
            kinds.compactMap { kind in
                let v = runs.compactMap { $0[kind] }.sorted()
                return v.isEmpty ? nil : (kind, v[v.count / 2] * 1e3)
            }
        }
        return (medians(steps, UNet.Phase.all + [update]), medians(predictions, UNet.Phase.all))
    }

    /// One matrix product of a step: `op(A)` is `m × k`, `op(B)` is `k × n`. `lanewise`:
    /// an `A·Bᵀ` the step sums lane-wise (``smallProductNT``, a 1 × 1 convolution's
    /// weight gradient) rather than as NN products of transposed chunks.
    struct ProductShape {
        let m, n, k: Int
        let transA, transB: Bool
        var lanewise = false
    }

    /// FLOPs of `shapes`, two per multiply–add.
    static func productFlops(_ shapes: [ProductShape]) -> Double {
        shapes.reduce(0.0) { $0 + 2 * Double($1.m) * Double($1.n) * Double($1.k) }
    }

    /// The products of a U-Net training step: per 3 × 3 convolution, for each of the 36
    /// Winograd positions, `M = U·V`, `dU = dM·Vᵀ` and `dV = Uᵀ·dM` over the columns of
    /// the tiles that need the position (``WinogradGeometry/columns(xi:)``, as the fused
    /// passes run them); per 1 × 1 convolution
    /// `W·x`, `dY·xᵀ` and `Wᵀ·dY`; per linear layer likewise. The thin layers computed
    /// directly (``Conv2d/isDirect``, the first and last) run no products and are left out.
    static func unetProductShapes(_ net: UNet, batch: Int) -> [ProductShape] {
        let c = net.configuration
        // Each level's geometry and values per channel.
        let levels = (0..<c.levels).map { k in
            (
                ImageGeometry(batch: batch, height: c.height >> k, width: c.width >> k),
                batch * (c.height >> k) * (c.width >> k)
            )
        }
        var convs: [(Conv2d, (ImageGeometry, Int))] = [(net.convIn, levels[0]), (net.convOut, levels[0])]
        var linears: [Linear] = [net.embedding.first, net.embedding.second]
        for (b, k) in zip(net.blocks, net.blockLevels) {
            convs += [(b.conv1, levels[k]), (b.conv2, levels[k])]
            if let s = b.skip { convs.append((s, levels[k])) }
            linears.append(b.film)
        }
        var out: [ProductShape] = []
        for (conv, (geometry, n)) in convs where !conv.isDirect { // a direct convolution has no products
            let ci = conv.inChannels, co = conv.outChannels, wg = WinogradGeometry(geometry)
            // A 3 × 3 convolution's products for each position ξ, over the tiles that need it.
            let columns = conv.kernel == 3 ? (0..<WinogradGeometry.positions).map { wg.columns(xi: $0) } : [n]
            for cols in columns {
                out.append(ProductShape(m: co, n: cols, k: ci, transA: false, transB: false))
                out.append(ProductShape(m: co, n: ci, k: cols, transA: false, transB: true, lanewise: conv.kernel == 1))
                out.append(ProductShape(m: ci, n: cols, k: co, transA: true, transB: false))
            }
        }
        for l in linears {
            out.append(ProductShape(m: batch, n: l.outputs, k: l.inputs, transA: false, transB: true))
            out.append(ProductShape(m: l.outputs, n: l.inputs, k: batch, transA: true, transB: false))
            out.append(ProductShape(m: batch, n: l.inputs, k: l.outputs, transA: false, transB: false))
        }
        return out
    }
}

extension NetsBenchmark {
    /// The matrix products of a U-Net training step run alone, without the transforms,
    /// norms and copies between them: GFLOP/s of ``unetProductShapes(_:batch:)`` at one
    /// slice's images (``UNet/sliceImages``, as the step computes them, its operands in
    /// the core's L2 as the step's are) through the kernels the step uses
    /// (``smallProduct`` for `A·B` and `Aᵀ·B`, ``smallProductNTShort`` or, for the 1 × 1
    /// weight gradients, ``smallProductNT`` for `A·Bᵀ`). Every
    /// core runs its share of the batch's slices at once on operands of its own, as
    /// sgemm's figure keeps every core busy; the rate is the FLOPs run over the time
    /// (median of `iterations` after one warm-up).
    public static func unetProductsAlone(
        batch: Int = 128, configuration: UNet.Configuration = UNet.Configuration(), iterations: Int = 5
    ) -> Double {
        let net = UNet(configuration), slice = net.sliceImages
        let shapes = unetProductShapes(net, batch: slice)
        let cores = max(1, Parallel.threads), perCore = max(1, (batch / slice + cores - 1) / cores)
        let flops = Double(cores * perCore) * productFlops(shapes)
        let sizeA = shapes.map { $0.m * $0.k }.max() ?? 0
        let sizeB = shapes.map { $0.k * $0.n }.max() ?? 0
        let sizeC = shapes.map { $0.m * $0.n }.max() ?? 0
        let scratchCount = SmallProducts.ntShortScratch(n: shapes.map(\.n).max() ?? 0)
        // One set of operands per core (64-byte aligned, so that no two cores share a
        // cache line), A and B filled with small varied values as the sgemm figure's are.
        let buffers = (0..<cores).map { _ in
            let a = Buffer(sizeA), b = Buffer(sizeB)
            for i in 0..<a.count { a.p[i] = Float(i % 7) * 0.1 }
            for i in 0..<b.count { b.p[i] = Float(i % 5) * 0.1 }
            return (a: a, b: b, c: Buffer(sizeC), scratch: Buffer(scratchCount))
        }
        func runAll(_ p: (a: Buffer, b: Buffer, c: Buffer, scratch: Buffer)) {
            for s in shapes {
                if s.lanewise {
                    smallProductNT(m: s.m, n: s.n, k: s.k, p.a.p, lda: s.k, p.b.p, ldb: s.k, p.c.p, ldc: s.n)
                } else if s.transB { // A m × k, B n × k
                    smallProductNTShort(
                        m: s.m, n: s.n, k: s.k, p.a.p, lda: s.k, p.b.p, ldb: s.k, p.c.p, ldc: s.n,
                        scratch: p.scratch.p)
                } else { // op(A) m × k (A stored k × m when transposed), B k × n
                    smallProduct(
                        transA: s.transA, m: s.m, n: s.n, k: s.k, p.a.p, lda: s.transA ? s.m : s.k, p.b.p, ldb: s.n,
                        p.c.p, ldc: s.n)
                }
            }
        }
        let ms = median(iterations, warmup: 1) {
            Parallel.forEachChunk(cores, chunk: 1) { r in
                for core in r { for _ in 0..<perCore { runAll(buffers[core]) } }
            }
        }
        return flops / ms * 1e-6
    }
}
