/// The Diffusion layer's error: an invalid parameter of a grid, a solver, a teacher (mixture,
/// empirical or learned) or its training, or a teacher file that cannot be read as one,
/// naming the value that was wrong.
public struct DiffusionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
