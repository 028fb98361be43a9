import Foundation
import Tensors

// What every network checkpoint shares (MLP, U-Net, classifier): the weights under their
// store names as `.safetensors`, and in `__metadata__` a `"format"` tag and the
// `"architecture"` (the network's configuration) as JSON, plus any caller entries.

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
                throw SafeTensorsError(.shape, path, "tensor \(e.name) has shape \(t.shape), the network needs \(e.shape)")
            }
        }
        for e in entries { setValue(e.name, contents[e.name]!) }
    }
}

/// The configuration a checkpoint of format `format` records, checked by `problem` (sizes
/// bounded, so that a bad file cannot ask for gigabytes); `kind` names the network in errors.
func checkpointArchitecture<C: Decodable>(_ contents: SafeTensors.Contents, path: String, format: String, kind: String,
                                          problem: (C) -> String?) throws -> C {
    guard contents.metadata["format"] == format, let arch = contents.metadata["architecture"] else {
        throw SafeTensorsError(.missing, path, "not a \(kind) checkpoint (format \(contents.metadata["format"] ?? "none"))")
    }
    let configuration: C
    do { configuration = try JSONDecoder().decode(C.self, from: Data(arch.utf8)) } catch {
        throw SafeTensorsError(.json, path, "architecture metadata is not a valid \(kind) configuration: \(arch)")
    }
    if let p = problem(configuration) { throw SafeTensorsError(.json, path, "architecture metadata out of range: \(p)") }
    return configuration
}
