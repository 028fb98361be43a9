import Plotting

/// Caps on the counts the domain builtins take from a script, so that no argument can ask
/// for an allocation the machine cannot make. Every array a builtin allocates from a
/// user's count also passes ``Arguments/checkShape(_:at:bytesPerElement:)`` (the element
/// limit and the machine's memory, overflow-checked).
enum Sizes {
    /// Training iterations (the loss history holds one number per iteration).
    static let maxIterations = 10_000_000
    /// Classifier epochs.
    static let maxEpochs = 100_000
    /// Bins per axis of a density heatmap (bins² cells) and of a histogram.
    static let maxDensityBins = Panel.maxDensityBins
    static let maxHistogramBins = Panel.maxHistogramBins
    /// Network width and depth (a width × width weight matrix per layer).
    static let maxWidth = 8192
    static let maxDepth = 256
    /// Random directions of the sliced Wasserstein distance.
    static let maxDirections = 100_000
}
