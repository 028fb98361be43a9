/// A sweep problem found before or while running: a bad grid, a folder holding another
/// sweep, a manifest that cannot be read, an executor that cannot start.
public struct SweepError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
