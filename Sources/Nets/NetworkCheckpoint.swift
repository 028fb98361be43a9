import Foundation
import Tensors

// What every network checkpoint shares (MLP, U-Net, classifier): the weights under their
// store names as `.safetensors`, and in `__metadata__` a `"format"` tag and the
// `"architecture"` (the network's configuration) as JSON, plus any caller entries.

/// A network that saves itself as a checkpoint and is rebuilt from one: its configuration
/// is the architecture, its store the weights.
public protocol CheckpointedNetwork: Module {
    associatedtype Configuration: Codable
    /// The `"format"` tag of its checkpoints, e.g. `"cmlab.mlp/1"`.
    static var checkpointFormat: String { get }
    /// What error messages call it: "an MLP", "a U-Net", "a classifier".
    static var checkpointKind: String { get }
    /// What is wrong with a configuration read from a file (sizes bounded, so that a bad
    /// file cannot ask for gigabytes), or nil.
    static func checkpointProblem(_ configuration: Configuration) -> String?
    /// Checks the file's tensors against the architecture before the network is built, where
    /// building it could allocate more than the file holds (the default checks nothing more).
    static func checkTensors(_ configuration: Configuration, _ contents: SafeTensors.Contents, path: String) throws
    var configuration: Configuration { get }
    init(_ configuration: Configuration, initialize: Bool)
}

extension CheckpointedNetwork {
    public static func checkTensors(
        _ configuration: Configuration, _ contents: SafeTensors.Contents,
        path: String
    ) throws {}

    /// Saves the weights and architecture atomically to `path`; `metadata` entries are
    /// added to the header (keys `format` and `architecture` are reserved).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try store.save(to: path, format: Self.checkpointFormat, architecture: configuration, metadata: metadata)
    }

    /// Builds the network a checkpoint describes and loads its weights; returns it with
    /// the file's metadata.
    public static func load(from path: String) throws -> (network: Self, metadata: [String: String]) {
        try load(SafeTensors.read(path), path: path)
    }

    /// The same from contents already read (e.g. after looking at the metadata).
    public static func load(
        _ contents: SafeTensors.Contents, path: String
    ) throws
        -> (network: Self, metadata: [String: String])
    {
        let format = contents.metadata["format"]
        guard format == checkpointFormat, let arch = contents.metadata["architecture"] else {
            throw SafeTensorsError(.missing, path, "not \(checkpointKind) checkpoint (format \(format ?? "none"))")
        }
        let configuration: Configuration
        do { configuration = try JSONDecoder().decode(Configuration.self, from: Data(arch.utf8)) } catch {
            throw SafeTensorsError(
                .json, path, "architecture metadata is not a valid configuration of \(checkpointKind): \(arch)")
        }
        if let p = checkpointProblem(configuration) {
            throw SafeTensorsError(.json, path, "architecture metadata out of range: \(p)")
        }
        try checkTensors(configuration, contents, path: path)
        let net = Self(configuration, initialize: false)
        try net.store.load(contents, path: path)
        return (net, contents.metadata)
    }

    /// Loads weights from a checkpoint of the same architecture into this network.
    public func loadWeights(from path: String) throws {
        try store.load(try SafeTensors.read(path), path: path)
    }
}

extension ParameterStore {
    /// Writes every parameter under its name, with `format` and `architecture` (reserved
    /// keys) added to `metadata`; atomically.
    func save<C: Encodable>(to path: String, format: String, architecture: C, metadata: [String: String]) throws {
        var meta = metadata
        meta["format"] = format
        meta["architecture"] = String(decoding: try JSONEncoder.sorted.encode(architecture), as: UTF8.self)
        let tensors = entries.map { ($0.name, value($0.name)!) }
        try SafeTensors.write(SafeTensors.Contents(tensors: tensors, metadata: meta), to: path)
    }

    /// Loads every parameter from `contents`, after checking that each is there with this
    /// store's shape (nothing is changed when one is missing or misshapen).
    func load(_ contents: SafeTensors.Contents, path: String) throws {
        for e in entries {
            guard let t = contents[e.name] else { throw SafeTensorsError(.missing, path, "no tensor \(e.name)") }
            guard t.shape == e.shape else {
                throw SafeTensorsError(
                    .shape, path, "tensor \(e.name) has shape \(t.shape), the network needs \(e.shape)")
            }
        }
        for e in entries { setValue(e.name, contents[e.name]!) }
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so the same configuration gives the same bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
