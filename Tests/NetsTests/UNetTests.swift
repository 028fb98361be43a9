import Foundation
import Tensors
import Testing

@_spi(Benchmark) @testable import Nets

/// One test at a time: several set the process-wide `Parallel.threads` for their runs.
@Suite(.serialized) struct UNetTests {
    /// A tiny U-Net with every parameter random (no zero-initialised layers), so every
    /// path carries gradient: 4 × 6 for two levels, 8 × 8 (8, 4, 2) for three.
    static func tinyNet(levels: Int = 2) -> UNet {
        let side = levels == 2 ? (4, 6) : (8, 8)
        return randomized(
            UNet(
                channels: 2, height: side.0, width: side.1, baseWidth: 8, levels: levels, embedDims: 16,
                fourierFeatures: 4, seed: 1))
    }

    /// A narrow U-Net where a batch runs in slices of 16 images: at 14 × 14 for two
    /// levels, 16 × 16 for three (14 is not divisible by 4).
    static func slicedNet(levels: Int = 2) -> UNet {
        let side = levels == 2 ? 14 : 16
        return randomized(
            UNet(
                channels: 1, height: side, width: side, baseWidth: 8, levels: levels, embedDims: 16,
                fourierFeatures: 4, seed: 2))
    }

    static func randomized(_ net: UNet) -> UNet {
        let r = ConvTests.random(net.store.count, seed: 20, scale: 0.25)
        for i in 0..<net.store.count { net.store.values[i] = r[i] }
        for e in net.store.entries where e.name.contains("norm") && e.name.hasSuffix(".weight") {
            for i in 0..<e.count { net.store.values[e.offset + i] += 1 }
        }
        return net
    }

    /// The benchmark's clock (`phaseClock`, one thread): a step and a prediction charge
    /// every kind of layer the network has, the kinds' times add up to no more than the
    /// calls' wall time, and the marks change no number.
    @Test func phaseClockChargesEveryKindAndChangesNothing() {
        let saved = Parallel.threads
        Parallel.threads = 1
        defer { Parallel.threads = saved }
        let net = Self.slicedNet(), rng = RNG(seed: 5), batch = 40
        let x = rng.stream(0).normalTensor(shape: [batch, net.inputDims]), c = [Float](repeating: 0.3, count: batch)
        let g = rng.stream(1).normalTensor(shape: [batch, net.inputDims])
        func step() -> (y: [Float], grads: [Float], predicted: [Float]) {
            net.zeroGrad()
            let y = net.forward(x: x, cNoise: c).scalars
            net.backwardParameters(gradOutput: g)
            let grads = Array(UnsafeBufferPointer(start: net.store.grads, count: net.store.count))
            return (y, grads, net.predict(x: x, cNoise: c).scalars)
        }
        let plain = step()
        let clock = PhaseClock()
        net.phaseClock = clock
        let t0 = DispatchTime.now().uptimeNanoseconds
        let timed = step()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        net.phaseClock = nil
        #expect(timed.y == plain.y && timed.grads == plain.grads && timed.predicted == plain.predicted)
        // Two levels: every block but RB₁ and RB₃ has a 1 × 1 skip; the sum is of three slices.
        #expect(Set(clock.order) == Set(UNet.Phase.all), "\(clock.order)")
        let charged = clock.seconds.values.reduce(0, +)
        #expect(charged > 0 && charged <= wall)
        #expect(clock.seconds[UNet.Phase.conv3]! > clock.seconds[UNet.Phase.layout]!)
    }

    @Test func defaultArchitectureHasAboutHalfAMillionParameters() {
        let net = UNet()
        #expect(net.inputDims == 196)
        #expect(abs(net.parameterCount - 520_000) < 20_000, "\(net.parameterCount) parameters")
    }

    /// Every parameter tensor and the input: central differences (h = 1e-2) of
    /// L = Σ w ⊙ F(x, c) against the backward pass, ‖fd − analytic‖ ≤ 1e-2·‖analytic‖ + 5e-3.
    /// Biases right before a group norm of one channel per group (conv₁'s of the blocks
    /// of width 8) have zero gradient — normalisation removes them — so their differences
    /// are pure Float32 noise (up to ≈ 7e-3 in norm for the deeper three-level net): for
    /// them the backward must give 0 (≤ 1e-4) and the differences stay ≤ 2e-2.
    @Test(arguments: [2, 3])
    func backwardMatchesFiniteDifferences(levels: Int) {
        let net = Self.tinyNet(levels: levels), B = 3
        #expect(net.blocks.count == 2 * levels + 1)
        let normalisedAway = Set(
            net.blocks.indices.filter { net.blocks[$0].outChannels == net.blocks[$0].norm2.groups }
                .map { "blocks.\($0).conv1.bias" })
        #expect(normalisedAway.count == 2) // the first block and the last, C → C and 3C → C
        var x = ConvTests.random(B * net.inputDims, seed: 21)
        let c: [Float] = [-1.2, 0.3, 0.9]
        let w = ConvTests.random(B * net.inputDims, seed: 22)
        func loss() -> Double {
            let y = net.forward(x: Tensor(shape: [B, net.inputDims], scalars: x), cNoise: c)
            return zip(y.scalars, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        _ = loss()
        net.zeroGrad()
        let dx = net.backward(gradOutput: Tensor(shape: [B, net.inputDims], scalars: w))
        let grads = net.store.gradients
        let h: Float = 1e-2
        for (e, g) in zip(net.store.entries, grads) {
            var an: [Double] = [], fd: [Double] = []
            // Up to 12 coordinates per tensor, spread over it.
            let picks = Array(Set((0..<min(12, e.count)).map { $0 * e.count / min(12, e.count) })).sorted()
            for i in picks {
                let k = e.offset + i, v = net.store.values[k]
                net.store.values[k] = v + h; let lp = loss()
                net.store.values[k] = v - h; let lm = loss()
                net.store.values[k] = v
                an.append(Double(g.scalars[i])); fd.append((lp - lm) / Double(2 * h))
            }
            if normalisedAway.contains(e.name) {
                #expect(an.allSatisfy { abs($0) <= 1e-4 }, "\(e.name): \(an)")
                #expect(fd.map { $0 * $0 }.reduce(0, +).squareRoot() <= 2e-2, "\(e.name): \(fd)")
            } else {
                ConvTests.expectClose(an, fd, e.name, floor: 5e-3)
            }
        }
        var an: [Double] = [], fd: [Double] = []
        for i in stride(from: 0, to: x.count, by: 7) {
            let v = x[i]
            x[i] = v + h; let lp = loss()
            x[i] = v - h; let lm = loss()
            x[i] = v
            an.append(Double(dx.scalars[i])); fd.append((lp - lm) / Double(2 * h))
        }
        ConvTests.expectClose(an, fd, "input")
    }

    @Test(arguments: [2, 3])
    func predictMatchesForwardAndCopyMatchesOriginal(levels: Int) {
        let net = Self.tinyNet(levels: levels), B = 5
        let x = RNG(seed: 3).normalTensor(shape: [B, net.inputDims])
        let c: [Float] = [-1, -0.5, 0, 0.5, 1]
        let y = net.forward(x: x, cNoise: c)
        let p = net.predict(x: x, cNoise: c)
        #expect(zip(y.scalars, p.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
        #expect(net.copy().predict(x: x, cNoise: c) == p)
        // Rows are independent: a row predicted alone equals that row of the batch.
        let one = net.predict(x: x.rows(2..<3), cNoise: [c[2]])
        #expect(zip(one.scalars, p.rows(2..<3).scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    }

    /// Values whose bits differ.
    static func differing(_ a: Tensor, _ b: Tensor) -> Int {
        a.shape != b.shape ? a.count : zip(a.scalars, b.scalars).filter { $0.bitPattern != $1.bitPattern }.count
    }

    /// Runs `body` with `Parallel.threads` set to `threads`.
    static func with<T>(threads: Int, _ body: () -> T) -> T {
        let saved = Parallel.threads
        Parallel.threads = threads
        defer { Parallel.threads = saved }
        return body()
    }

    /// A batch of 40 at 14 × 14 (two levels) or 16 × 16 (three) runs as slices of 16, 16
    /// and 8 images: its prediction is each row's predicted alone, bit for bit, on one
    /// thread or two, again on a second call (idle workspaces and prepared filters
    /// reused), and follows new weights in every kind of layer.
    @Test(arguments: [2, 3])
    func predictionDoesNotDependOnSlicesOrThreads(levels: Int) {
        let net = Self.slicedNet(levels: levels), B = 40
        #expect(net.sliceImages == 16)
        let x = RNG(seed: 5).normalTensor(shape: [B, net.inputDims])
        let c = (0..<B).map { Float($0) / 20 - 1 }
        let two = Self.with(threads: 2) { net.predict(x: x, cNoise: c) }
        #expect(Self.differing(Self.with(threads: 1) { net.predict(x: x, cNoise: c) }, two) == 0)
        #expect(Self.differing(Self.with(threads: 2) { net.predict(x: x, cNoise: c) }, two) == 0)
        for i in [0, 15, 16, 31, 32, 39] {
            let alone = net.predict(x: x.rows(i..<(i + 1)), cNoise: [c[i]])
            #expect(Self.differing(alone, two.rows(i..<(i + 1))) == 0, "row \(i)")
        }
        // New weights are followed: the first layer's (direct), the last weight of a
        // Winograd convolution's range and a FiLM layer's (whose prepared forms a
        // prediction reuses only while its copy of the weights is bit for bit the store's).
        var last = two
        let conv = net.blocks[0].conv1, film = net.blocks[levels].film
        for k in [
            net.convIn.weightOffset, conv.weightOffset + conv.outChannels * conv.inChannels * 9 - 1,
            film.weightOffset + 3,
        ] {
            net.store.values[k] += 0.5
            let moved = net.predict(x: x, cNoise: c)
            #expect(Self.differing(moved, net.copy().predict(x: x, cNoise: c)) == 0)
            #expect(Self.differing(moved, last) > 0)
            last = moved
        }
    }

    /// The backward of a batch of 40 (slices of 16, 16, 8) against three separate
    /// batches of those rows: its parameter gradient is their gradients added in slice
    /// order, (g₀ + g₁) + g₂, bit for bit (the 3 × 3 weights' included: each slice forms
    /// its own `dU`), and its input gradient their rows, on one thread or two alike; a
    /// second backward adds to the gradients already in the store.
    @Test(arguments: [2, 3])
    func slicedBackwardAddsTheSlicesGradientsInOrder(levels: Int) {
        let net = Self.slicedNet(levels: levels), B = 40, d = net.inputDims
        let x = RNG(seed: 6).normalTensor(shape: [B, d]), w = RNG(seed: 7).normalTensor(shape: [B, d])
        let c = (0..<B).map { Float($0) / 10 - 2 }
        func gradients(_ rows: Range<Int>, threads: Int) -> (params: [Float], input: Tensor) {
            Self.with(threads: threads) {
                net.zeroGrad()
                _ = net.forward(x: x.rows(rows), cNoise: Array(c[rows]))
                let dx = net.backward(gradOutput: w.rows(rows))
                return (Array(UnsafeBufferPointer(start: net.store.grads, count: net.store.count)), dx)
            }
        }
        let parts = [0..<16, 16..<32, 32..<40].map { gradients($0, threads: 2) }
        let summed = (0..<net.store.count).map { i in (parts[0].params[i] + parts[1].params[i]) + parts[2].params[i] }
        let input = parts.flatMap(\.input.scalars)
        var whole: [[Float]] = []
        for threads in [1, 2] {
            let w = gradients(0..<B, threads: threads)
            whole.append(w.params)
            #expect(Self.differing(w.input, Tensor(shape: [B, d], scalars: input)) == 0, "\(threads) threads")
            for e in net.store.entries {
                let r = e.offset..<(e.offset + e.count)
                #expect(r.allSatisfy { w.params[$0].bitPattern == summed[$0].bitPattern }, "\(e.name)")
            }
        }
        #expect(whole[0] == whole[1])
        // Accumulation: a second backward of the same forward doubles the gradient, to
        // the rounding of adding onto a nonzero store (a few ulps of the largest value).
        _ = net.backward(gradOutput: w)
        let twice = Array(UnsafeBufferPointer(start: net.store.grads, count: net.store.count))
        let scale = summed.map(abs).max() ?? 0
        #expect(scale > 0)
        #expect(zip(twice, summed).allSatisfy { abs($0 - 2 * $1) <= 1e-5 * scale })
        #expect(zip(twice, summed).contains { $0 != $1 })
    }

    @Test(arguments: [2, 3])
    func trainingStepIsDeterministicAcrossThreadCounts(levels: Int) {
        func step() -> [Float] {
            let net = Self.tinyNet(levels: levels)
            let x = RNG(seed: 4).normalTensor(shape: [4, net.inputDims])
            _ = net.forward(x: x, cNoise: [0, 0.1, 0.2, 0.3])
            net.zeroGrad()
            _ = net.backward(gradOutput: x)
            return net.store.gradients.flatMap(\.scalars)
        }
        #expect(Self.with(threads: 1) { step() } == Self.with(threads: 2) { step() })
    }

    // MARK: Three levels

    /// Parameters of a residual block `cin → cout` with embedding `E`, written out from its
    /// layers: two group norms, two 3 × 3 convolutions, the FiLM linear, the 1 × 1 skip
    /// when the widths differ.
    static func resBlockParameters(_ cin: Int, _ cout: Int, embed E: Int) -> Int {
        2 * cin + (9 * cin * cout + cout) + (E * 2 * cout + 2 * cout) + 2 * cout + (9 * cout * cout + cout)
            + (cin == cout ? 0 : cin * cout + cout)
    }

    /// The blocks are the diagram's, RB₁ … RB₇ with the widths C→C, C→2C, 2C→2C, 2C→2C,
    /// 4C→2C, 4C→2C, 3C→C (a skip exactly where the widths differ), and the 3 × 3
    /// convolutions run at 28, 14 and 7 pixels a side; the parameter count is the layers'
    /// sum (two levels: 524,801, the count `scripts/pytorch_unet.py` states).
    @Test func threeLevelNetHasTheBlocksOfTheDiagram() {
        let C = 32, E = 256
        let stem = (9 * C + C) + (64 * E + E) + (E * E + E) + 2 * C + (9 * C + 1) // conv_in, embedding, GN, conv_out
        let two = [(C, C), (C, 2 * C), (2 * C, 2 * C), (4 * C, 2 * C), (3 * C, C)]
        let three = [(C, C), (C, 2 * C), (2 * C, 2 * C), (2 * C, 2 * C), (4 * C, 2 * C), (4 * C, 2 * C), (3 * C, C)]
        #expect(stem + two.map { Self.resBlockParameters($0.0, $0.1, embed: E) }.reduce(0, +) == 524_801)
        #expect(UNet(height: 28, width: 28).parameterCount == 524_801)
        let net = UNet(height: 28, width: 28, levels: 3)
        #expect(net.parameterCount == stem + three.map { Self.resBlockParameters($0.0, $0.1, embed: E) }.reduce(0, +))
        #expect(net.parameterCount == 784_065)
        for (i, (cin, cout)) in three.enumerated() {
            #expect(net.store.entry("blocks.\(i).conv1.weight")?.shape == [cout, cin, 3, 3], "blocks.\(i)")
            #expect(net.store.entry("blocks.\(i).conv2.weight")?.shape == [cout, cout, 3, 3], "blocks.\(i)")
            #expect((net.store.entry("blocks.\(i).skip.weight") != nil) == (cin != cout), "blocks.\(i)")
        }
        #expect(net.store.entry("blocks.7.conv1.weight") == nil)
        #expect(net.blockLevels == [0, 1, 2, 2, 2, 1, 0])
        // A workspace of one 16-image slice: the levels' geometries and the
        // quarter-size concat (RB₄'s output and s₃, 4C channels of 7 × 7 × 16).
        let ws = UNetWorkspace(net, batch: 16)
        #expect(ws.levels.map(\.height) == [28, 14, 7] && ws.levels.map(\.width) == [28, 14, 7])
        // The blocks' buffers (their convolutions run at these sizes): 28, 14, 7, 7, 7, 14, 28.
        #expect(ws.blocks.map(\.a.count) == zip(three, [784, 196, 49, 49, 49, 196, 784]).map { $0.0.1 * $0.1 * 16 })
        #expect(ws.cat.map(\.count) == [3 * C * 784 * 16, 4 * C * 196 * 16, 4 * C * 49 * 16])
        #expect(ws.down.map(\.count) == [C * 784 * 16, C * 196 * 16, 2 * C * 49 * 16])
    }

    /// `problem` names what is wrong: levels other than 2 and 3, and for three levels a
    /// side not divisible by 4; a size too large to multiply is refused, not a trap.
    @Test func configurationErrors() {
        func problem(_ h: Int, _ w: Int, levels: Int) -> String? {
            UNet.Configuration(height: h, width: w, levels: levels).problem
        }
        #expect(problem(14, 14, levels: 2) == nil)
        #expect(problem(16, 16, levels: 3) == nil && problem(28, 12, levels: 3) == nil)
        for bad in [4, 1, 0, -3] { #expect(problem(16, 16, levels: bad) == "levels = \(bad) must be 2 or 3") }
        #expect(
            problem(14, 14, levels: 3)
                == "image size 14×14 must be divisible by 4 on both sides (three resolution levels)")
        #expect(problem(28, 14, levels: 3)?.contains("divisible by 4") == true)
        #expect(problem(15, 16, levels: 3)?.contains("must be even on both sides") == true)
        #expect(problem(14, 14, levels: 4) == "levels = 4 must be 2 or 3")
        #expect(problem(1 << 40, 1 << 40, levels: 2)?.contains("must be even on both sides") == true)
    }

    static func tempPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("unet-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// A three-level checkpoint loads back as three levels with the same predictions, bit
    /// for bit; a file whose architecture says levels 4 is refused.
    @Test func threeLevelCheckpointRoundTrips() throws {
        let net = Self.tinyNet(levels: 3), path = Self.tempPath("three.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try net.save(to: path)
        var contents = try SafeTensors.read(path)
        let arch = try #require(contents.metadata["architecture"])
        #expect(arch.contains(#""levels":3"#))
        let (loaded, _) = try UNet.load(from: path)
        #expect(loaded.configuration == net.configuration && loaded.configuration.levels == 3)
        #expect(loaded.store.entries.map(\.name) == net.store.entries.map(\.name))
        let x = RNG(seed: 8).normalTensor(shape: [3, net.inputDims])
        #expect(Self.differing(loaded.predict(x: x, cNoise: [-1, 0, 1]), net.predict(x: x, cNoise: [-1, 0, 1])) == 0)
        contents.metadata["architecture"] = arch.replacingOccurrences(of: #""levels":3"#, with: #""levels":4"#)
        try SafeTensors.write(contents, to: path)
        let e = #expect(throws: SafeTensorsError.self) { _ = try UNet.load(from: path) }
        #expect("\(e.map { "\($0)" } ?? "")".contains("levels = 4 must be 2 or 3"))
    }

    /// A configuration written before there were levels (no `levels` key, as the
    /// checkpoints of the two-level U-Net were) decodes as two levels, and such a
    /// checkpoint loads with its weights.
    @Test func configurationWithoutLevelsDecodesAsTwo() throws {
        let old =
            #"{"baseWidth":8,"channels":2,"embedDims":16,"fourierFeatures":4,"height":4,"maxFrequency":128,"#
            + #""minFrequency":1,"seed":1,"width":6}"#
        let c = try JSONDecoder().decode(UNet.Configuration.self, from: Data(old.utf8))
        #expect(c.levels == 2)
        #expect(
            c
                == UNet.Configuration(
                    channels: 2, height: 4, width: 6, baseWidth: 8, embedDims: 16, fourierFeatures: 4, seed: 1))
        let net = Self.tinyNet(), path = Self.tempPath("old.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try net.save(to: path)
        var contents = try SafeTensors.read(path)
        #expect(contents.metadata["architecture"]?.contains(#""levels":2"#) == true)
        contents.metadata["architecture"] = old
        try SafeTensors.write(contents, to: path)
        let (loaded, _) = try UNet.load(from: path)
        #expect(loaded.configuration.levels == 2 && loaded.configuration == net.configuration)
        let x = RNG(seed: 9).normalTensor(shape: [2, net.inputDims])
        #expect(Self.differing(loaded.predict(x: x, cNoise: [0, 1]), net.predict(x: x, cNoise: [0, 1])) == 0)
    }
}
