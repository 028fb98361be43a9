import Datasets
import Diffusion
import Foundation
import Nets
import Tensors
import Testing

@testable import Distillation

/// The targets file: students trained from it are bit for bit the students trained
/// without it; a later run asks the teacher only for the check of the file's first chunk; a file of
/// another teacher, seed or grid is not used; a file that is not a targets file is refused.
@Suite(.serialized) struct TargetCacheTests {
    let mix = GaussianMixture.ring8()

    func config(_ objective: Objective, ema: Double = 0, iters: Int = 10, seed: UInt64 = 3) -> DistillationConfig {
        var c = DistillationConfig()
        c.objective = objective; c.emaRate = ema
        c.iterations = iters; c.batchSize = 12
        c.width = 32; c.depth = 2; c.seed = seed
        return c
    }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cmlab-targets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func train(
        _ teacher: Denoiser, _ solver: GridSolver, _ configs: [DistillationConfig], file: URL?,
        chunk: Int = 4
    ) throws -> DistilledTogether {
        let cache = try file.map { try TargetCache(url: $0, for: configs, dims: teacher.dims) }
        return try distillTogether(
            teacher: teacher, solver: solver, data: { mix.sample(count: $0, rng: $1) },
            configs: configs, chunk: chunk, targets: cache)
    }

    /// Without the file, writing it (4 iterations per teacher batch), and reading it (3 per
    /// batch): the same weights and losses. The run that reads it asks the teacher only for
    /// the check: the file's first chunk, 4 iterations computed as one batch, as written.
    @Test func studentsFromTheFileAreTheStudentsWithout() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let heun = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        let configs = [config(.cm), config(.cm, ema: 0.95), config(.direct, iters: 7)]
        let file = dir.appendingPathComponent("t_seed3.targets")
        let plain = try train(mix, heun, configs, file: nil)
        let writing = try train(mix, heun, configs, file: file)
        let reading = try train(mix, heun, configs, file: file, chunk: 3)
        for run in [writing, reading] {
            for (a, b) in zip(plain.students, run.students) {
                #expect(a.network.store.parameters == b.network.store.parameters)
                #expect(a.lossCurve == b.lossCurve)
            }
        }
        #expect(writing.teacherEvaluations == plain.teacherEvaluations)
        #expect(writing.targetsNote?.contains("0 iterations read, 10 computed") == true)
        #expect(reading.targetsNote == "targets: 10 iterations read from t_seed3.targets")
        // The check: the first 4 iterations' steps and solves, as a stream computes them.
        let stream = TargetStream(
            teacher: mix, solver: heun, data: { mix.sample(count: $0, rng: $1) }, seed: 3,
            batchSize: 12, iterations: 4, objectives: [.cm, .direct], chunk: 4)
        _ = stream.batch(0)
        #expect(reading.teacherEvaluations == stream.teacherEvaluations)
        #expect(reading.teacherEvaluations < plain.teacherEvaluations / 2)
    }

    /// With a U-Net teacher (4 iterations per teacher batch when writing, 3 when reading; the
    /// check recomputes the written batch of 4): the check passes and the file's students
    /// equal those without it.
    @Test func aUNetTeachersFileIsReadBack() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (image, imageData) = try TargetStreamTests().imageTeacher()
        let heun = GridSolver(.heun, grid: try SigmaGrid.karras(n: 8))
        let configs = [config(.cm, iters: 6), config(.direct, iters: 6)].map { c in
            var c = c; c.batchSize = 5; return c
        }
        let file = dir.appendingPathComponent("u.targets")
        func run(_ url: URL?, chunk: Int = 4) throws -> DistilledTogether {
            try distillTogether(
                teacher: image, solver: heun, data: imageData, configs: configs,
                initialNetwork: image.network, chunk: chunk,
                targets: try url.map { try TargetCache(url: $0, for: configs, dims: image.dims) })
        }
        let plain = try run(nil)
        _ = try run(file)
        let reading = try run(file, chunk: 3)
        #expect(reading.targetsNote == "targets: 6 iterations read from u.targets")
        for (a, b) in zip(plain.students, reading.students) {
            #expect(a.network.store.parameters == b.network.store.parameters)
        }
    }

    /// A file written with another teacher fails the check of its first chunk and is replaced;
    /// a file of another seed has other keys and is recomputed; both give the students of
    /// a run without the file.
    @Test func aFileOfAnotherTeacherOrSeedIsNotUsed() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let heun = GridSolver(.heun, grid: try SigmaGrid.karras(n: 10))
        let file = dir.appendingPathComponent("t.targets")
        let configs = [config(.cm), config(.direct)]
        let wider = try GaussianMixture(weights: mix.weights, means: mix.means, stds: mix.stds.map { $0 * 2 })
        _ = try train(wider, heun, configs, file: file)
        let plain = try train(mix, heun, configs, file: nil)
        let other = try train(mix, heun, configs, file: file)
        #expect(other.targetsNote?.contains("the teacher or the solver is not the one that wrote it") == true)
        #expect(other.targetsNote?.contains("0 iterations read, 10 computed") == true)
        for (a, b) in zip(plain.students, other.students) {
            #expect(a.network.store.parameters == b.network.store.parameters)
        }

        let seed4 = configs.map { c in
            var c = c; c.seed = 4; return c
        }
        let plain4 = try train(mix, heun, seed4, file: nil)
        let from3 = try train(mix, heun, seed4, file: file)
        #expect(from3.targetsNote?.contains("other data, seed or grid") == true)
        for (a, b) in zip(plain4.students, from3.students) {
            #expect(a.network.store.parameters == b.network.store.parameters)
        }
    }

    /// A file cut short (a killed run's copy, or fewer iterations): its whole entries are
    /// read, the rest computed, and the students are those of a run without it.
    @Test func aShortFileIsReadAsFarAsItGoes() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let euler = GridSolver(.euler, grid: try SigmaGrid.karras(n: 8))
        let file = dir.appendingPathComponent("t.targets")
        _ = try train(mix, euler, [config(.direct, iters: 6)], file: file)
        // Cut the sixth entry in half: five whole entries remain (header 48 bytes, each entry 8 + 12·2·4).
        let data = try Data(contentsOf: file)
        try data.prefix(48 + 5 * (8 + 96) + 50).write(to: file)
        let longer = [config(.direct, iters: 9)]
        let plain = try train(mix, euler, longer, file: nil)
        let cut = try train(mix, euler, longer, file: file, chunk: 5)
        #expect(cut.targetsNote?.hasPrefix("targets: 5 iterations read, 4 computed") == true)
        #expect(plain.students[0].network.store.parameters == cut.students[0].network.store.parameters)
        #expect(try Data(contentsOf: file).count == 48 + 9 * (8 + 96))
    }

    /// A file that is not a targets file is refused and left as it was; a cache larger
    /// than the cap is refused before training.
    @Test func refusesOtherFilesAndOversizedCaches() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("teacher.safetensors")
        try Data("not targets".utf8).write(to: file)
        #expect(throws: DistillationError.self) { try TargetCache(url: file, for: [config(.cm)], dims: 2) }
        #expect(try Data(contentsOf: file) == Data("not targets".utf8))
        var huge = config(.direct, iters: 1 << 40)
        huge.batchSize = 1 << 20
        let error = #expect(throws: DistillationError.self) {
            try TargetCache(url: dir.appendingPathComponent("h.targets"), for: [huge], dims: 784)
        }
        #expect(error?.message.contains("more than the cache's 2.0 GB") == true)
    }
}
