// The Nets layer (docs/architecture.md): layers with explicit forward and backward passes, the
// optimisers and checkpoints the students train with.
//
// A consistency-distillation step with these pieces:
//
//     let online = MLP(inputDims: 2, width: 256, depth: 4, fourierFeatures: 16, seed: 0)
//     let target = online.copy()                          // θ⁻
//     let adam = Adam(online.store, learningRate: 1e-3)
//     let ema = EMA(decay: 0.95)
//
//     let fTarget = target.predict(x: cIn1 * xNext, cNoise: cNoise1)   // no activations kept
//     online.zeroGrad()
//     let f = online.forward(x: cIn0 * x, cNoise: cNoise0)             // [B, dims], keeps activations
//     _ = online.backward(gradOutput: dLossdF)                          // accumulates into online.store.grads
//     clipGradientNorm(online.store, maxNorm: 1)                        // optional
//     adam.update(online.store)
//     ema.update(target: target, online: online)
//
// With μ = 0 the target is the online network under stop-gradient: call
// `online.predict` (it has its own buffers and leaves a pending backward intact).
//
// Speed: the products run in OpenBLAS with the kernel family the environment selects
// (`BLASCore.current`); `cmlab bench --only mlp` (`NetsBenchmark.mlpStep()`, in the `cmlab`
// target) times a step against its sgemm calls.
