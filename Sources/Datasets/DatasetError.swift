import Diffusion

/// The Datasets layer's error: an invalid parameter of a data set (naming the value that
/// was wrong), or a data file that cannot be read as one (naming the file).
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    /// The file at fault, or "" for a parameter.
    public let path: String
    public let message: String
    public init(_ message: String) { self.path = ""; self.message = message }
    public init(_ path: String, _ message: String) { self.path = path; self.message = message }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Runs a constructor of the layer below (a mixture's checks live in Diffusion) and reports
/// its failure as this layer's error.
func datasetError<T>(_ body: () throws(DiffusionError) -> T) throws(DatasetError) -> T {
    do { return try body() } catch { throw DatasetError(error.message) }
}
