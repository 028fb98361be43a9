import Foundation
import Tensors

/// What a training run reports as it goes.
public struct TrainingProgress: Sendable {
    public let iteration: Int // iterations done, 1-based
    public let iterations: Int // iterations asked for
    public let loss: Double // loss of the last iteration
    public let iterationsPerSecond: Double
    public var secondsLeft: Double { Double(iterations - iteration) / max(iterationsPerSecond, 1e-9) }
}

/// How a training run ended.
public enum TrainingOutcome: Sendable, Equatable {
    case completed
    /// Stopped by the cancellation token after `iteration` iterations; weights are kept.
    case cancelled(iteration: Int)
    /// A non-finite loss or gradient at `iteration`; the weights are those of the last
    /// iteration whose loss was finite.
    case diverged(iteration: Int, reason: String)

    public var message: String {
        switch self {
        case .completed: "completed"
        case let .cancelled(i): "interrupted after \(i) iterations (weights kept)"
        case let .diverged(i, reason):
            "training diverged at iteration \(i): \(reason); kept the weights of iteration \(i - 1)"
        }
    }

    /// Reads back a ``message`` (files that stored only the sentence); nil for any other text.
    public init?(message: String) {
        if message == "completed" { self = .completed; return }
        let interrupted = "interrupted after ", kept = " iterations (weights kept)"
        if message.hasPrefix(interrupted), message.hasSuffix(kept),
            let i = Int(message.dropFirst(interrupted.count).dropLast(kept.count)), i >= 0
        {
            self = .cancelled(iteration: i)
            return
        }
        let diverged = "training diverged at iteration "
        guard message.hasPrefix(diverged) else { return nil }
        let rest = message.dropFirst(diverged.count)
        guard let colon = rest.firstIndex(of: ":"), let i = Int(rest[..<colon]), i >= 1 else { return nil }
        let tail = rest[rest.index(after: colon)...], last = "; kept the weights of iteration \(i - 1)"
        guard tail.hasPrefix(" "), tail.hasSuffix(last), tail.count >= 1 + last.count else { return nil }
        self = .diverged(iteration: i, reason: String(tail.dropFirst().dropLast(last.count)))
    }
}

/// The shared training loop of teachers and students: iterations, progress, cancellation,
/// and the divergence guard.
///
/// Each iteration calls `lossAndGradients(t)` (the loss of the current weights, with
/// gradients accumulated into `store.grads`), checks that the loss and the gradient norm
/// are finite, snapshots the weights, then calls `update()` (optimizer, EMA). A
/// non-finite value stops the run and restores the snapshot: the last weights whose
/// loss was finite.
public func runTraining(
    iterations: Int, store: ParameterStore,
    cancel: CancellationToken? = nil,
    progressEvery: Int = 50,
    progress: ((TrainingProgress) -> Void)? = nil,
    lossAndGradients: (Int) -> Double,
    update: (Int) -> Void
) -> (outcome: TrainingOutcome, losses: [Double]) {
    let run = TrainingRun(iterations: iterations, store: store, progressEvery: progressEvery, progress: progress)
    while run.outcome == nil {
        if cancel?.isCancelled == true { run.cancel(); break }
        run.advance(lossAndGradients: lossAndGradients, update: update)
    }
    return (run.outcome ?? .completed, run.losses)
}

/// One training run advanced an iteration at a time, so that several runs can go in
/// lock-step (students sharing one stream of teacher targets). ``runTraining`` is the
/// plain loop over one run; both give the same weights.
public final class TrainingRun {
    public let iterations: Int
    let store: ParameterStore
    let progressEvery: Int
    let progress: ((TrainingProgress) -> Void)?
    /// The loss of every completed iteration.
    public private(set) var losses: [Double] = []
    /// Nil while the run goes on.
    public private(set) var outcome: TrainingOutcome? = nil
    /// Iterations done (the next iteration's index).
    public var iteration: Int { losses.count }
    private var snapshot: [Float]
    private var haveSnapshot = false
    private let start = DispatchTime.now().uptimeNanoseconds

    public init(
        iterations: Int, store: ParameterStore, progressEvery: Int = 50, progress: ((TrainingProgress) -> Void)? = nil
    ) {
        self.iterations = iterations
        self.store = store
        self.progressEvery = progressEvery
        self.progress = progress
        snapshot = [Float](repeating: 0, count: store.count)
        losses.reserveCapacity(min(iterations, 1 << 16))
        if iterations <= 0 { outcome = .completed }
    }

    /// Stops the run here, keeping its weights.
    public func cancel() {
        if outcome == nil { outcome = .cancelled(iteration: iteration) }
    }

    /// One iteration `t = iteration`: gradients, the divergence guard, the update.
    public func advance(lossAndGradients: (Int) -> Double, update: (Int) -> Void) {
        guard outcome == nil else { return }
        let t = iteration
        store.zeroGrad()
        let loss = lossAndGradients(t)
        let gradNorm = store.gradientNorm()
        if !loss.isFinite || !gradNorm.isFinite {
            if haveSnapshot {
                snapshot.withUnsafeBufferPointer {
                    copyFloats(from: $0.baseAddress!, to: store.values, count: store.count)
                }
            }
            let what = !loss.isFinite ? "loss is \(loss)" : "gradient norm is \(gradNorm)"
            outcome = .diverged(iteration: t + 1, reason: what)
            return
        }
        snapshot.withUnsafeMutableBufferPointer {
            copyFloats(from: store.values, to: $0.baseAddress!, count: store.count)
        }
        haveSnapshot = true
        update(t)
        losses.append(loss)
        if let progress, (t + 1) % max(1, progressEvery) == 0 || t + 1 == iterations {
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress(
                TrainingProgress(
                    iteration: t + 1, iterations: iterations, loss: loss,
                    iterationsPerSecond: Double(t + 1) / max(seconds, 1e-9)))
        }
        if t + 1 == iterations { outcome = .completed }
    }
}
