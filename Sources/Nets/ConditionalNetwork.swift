import Tensors

/// A network `F_θ(x, c_noise)` on flattened inputs `[B, inputDims]`, conditioned on one
/// `c_noise` per row: what a denoiser or a consistency student wraps. The ``MLP`` (2-D
/// toys) and the ``UNet`` (images, `inputDims = C·H·W`) conform, so teachers, students,
/// Adam, the EMA, clipping and checkpoints work on either.
public protocol ConditionalNetwork: Module {
    /// Values per row of `x` and of the output.
    var inputDims: Int { get }
    /// Rows per ``predict(x:cNoise:)`` call that keep its Float32 workspace bounded, for
    /// callers that evaluate large batches in chunks.
    var predictionChunk: Int { get }
    /// Training forward: keeps what ``backward(gradOutput:)`` needs.
    func forward(x: Tensor, cNoise: [Float]) -> Tensor
    /// Adds parameter gradients for `dL/dF` `[B, inputDims]` of the last forward; returns `dL/dx`.
    func backward(gradOutput: Tensor) -> Tensor
    /// Like ``backward(gradOutput:)`` without computing `dL/dx` (all a loss on F needs).
    func backwardParameters(gradOutput: Tensor)
    /// Forward without caching (inference, target networks); does not disturb a pending backward.
    func predict(x: Tensor, cNoise: [Float]) -> Tensor
    /// Same architecture and weights, independent gradients and buffers.
    func copy() -> Self
    /// Saves weights and architecture as `.safetensors` with extra metadata entries.
    func save(to path: String, metadata: [String: String]) throws
}

extension ConditionalNetwork {
    public func backwardParameters(gradOutput: Tensor) { _ = backward(gradOutput: gradOutput) }
}

extension MLP: ConditionalNetwork {
    public var predictionChunk: Int { 4096 }
}
extension UNet: ConditionalNetwork {
    public var predictionChunk: Int { 512 }
}

/// Loads an ``MLP`` or ``UNet`` checkpoint, whichever the file holds (by its `format`).
public func loadConditionalNetwork(
    from path: String
) throws -> (network: any ConditionalNetwork, metadata: [String: String]) {
    let contents = try SafeTensors.read(path)
    switch contents.metadata["format"] {
    case UNet.checkpointFormat: let (n, m) = try UNet.load(from: path); return (n, m)
    case MLP.checkpointFormat: let (n, m) = try MLP.load(from: path); return (n, m)
    case let f: throw SafeTensorsError(.missing, path, "unknown network format \(f.map { "\"\($0)\"" } ?? "(none)")")
    }
}
