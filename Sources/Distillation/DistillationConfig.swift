import Foundation

/// Everything that defines a distillation run; saved beside the weights.
public struct DistillationConfig: Sendable, Codable, Equatable {
    public var objective: Objective = .cm
    public var iterations: Int = 4000
    public var batchSize: Int = 512
    public var learningRate: Double = 1e-3
    /// Target-network EMA rate μ: 0 is the online weights under stop-gradient (the
    /// paper's code), 0.95 the original CM paper.
    public var emaRate: Double = 0
    public var distance: DistanceKind = .l2
    /// Pseudo-Huber `c` (nil: 0.00054·√dims).
    public var huberC: Double? = nil
    public var seed: UInt64 = 0
    public var width: Int = 256
    public var depth: Int = 4
    public var fourierFeatures: Int = 16
    public var residual: Bool = false
    public var sigmaData: Double = 0.5
    /// Gradient-norm clip (nil: none).
    public var clipNorm: Double? = nil
    /// Iterations after which a copy of the student is kept (to track metrics at several
    /// training budgets in one run).
    public var snapshots: [Int] = []

    public init() {}

    /// Checks every field, naming the first bad one.
    public func validate() throws(DistillationError) {
        func bad(_ m: String) -> DistillationError { DistillationError(m) }
        guard iterations >= 1 && iterations <= 10_000_000 else {
            throw bad("iters = \(iterations) must be between 1 and 10,000,000")
        }
        guard batchSize >= 1 && batchSize <= 1 << 20 else {
            throw bad("batch = \(batchSize) must be between 1 and 1,048,576")
        }
        guard learningRate.isFinite && learningRate > 0 && learningRate < 10 else {
            throw bad("lr = \(learningRate) must be a positive number below 10")
        }
        guard emaRate.isFinite && emaRate >= 0 && emaRate < 1 else { throw bad("ema = \(emaRate) must lie in [0, 1)") }
        guard width >= 1 && width <= 8192 else { throw bad("width = \(width) must be between 1 and 8192") }
        guard depth >= 1 && depth <= 64 else { throw bad("depth = \(depth) must be between 1 and 64") }
        guard fourierFeatures >= 1 && fourierFeatures <= 1024 else {
            throw bad("fourier features = \(fourierFeatures) must be between 1 and 1024")
        }
        guard sigmaData.isFinite && sigmaData > 0 else { throw bad("sigma_data = \(sigmaData) must be positive") }
        if let c = clipNorm { guard c.isFinite && c > 0 else { throw bad("clip = \(c) must be positive") } }
        if let s = snapshots.first(where: { $0 < 1 || $0 > iterations }) {
            throw bad("snapshot at iteration \(s) lies outside 1 … \(iterations)")
        }
    }
}
