import Diffusion
import Foundation
import Nets
import Tensors

/// Students on disk: the network's `.safetensors` (weights, and the architecture in
/// `__metadata__`) plus a `"student"` metadata entry: a JSON object with the
/// distillation config, the grid's σ values, the teacher's name and the loss curve.
/// The file opens with the Python `safetensors` library; the JSON with any reader.
extension ConsistencyStudent {
    struct Record: Codable {
        var format = "cmlab.student/1"
        var config: DistillationConfig
        var sigmas: [Double]
        var teacher: String
        var lossCurve: [Double]
        var outcome: String
        /// The user's name for the student (absent in files written before names existed).
        var label: String?
    }

    /// Writes atomically (temporary file, then rename): an interrupted save leaves any
    /// previous file intact.
    public func save(to path: String) throws {
        let record = Record(config: config, sigmas: grid.sigmas, teacher: teacherName, lossCurve: lossCurve, outcome: outcome.message,
                            label: label)
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = String(decoding: try enc.encode(record), as: UTF8.self)
        try network.save(to: path, metadata: ["student": json])
    }

    /// Reads a student written by ``save(to:)``; a file that is not one gets a clear error.
    public static func load(from path: String) throws -> ConsistencyStudent {
        let (net, meta) = try loadConditionalNetwork(from: path)
        guard let json = meta["student"] else {
            throw DistillationError("\(path): not a student checkpoint (no \"student\" entry in __metadata__)")
        }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let record: Record
        do { record = try dec.decode(Record.self, from: Data(json.utf8)) } catch {
            throw DistillationError("\(path): the student metadata does not parse: \(error)")
        }
        let grid: SigmaGrid
        do { grid = try SigmaGrid(sigmas: record.sigmas) } catch {
            throw DistillationError("\(path): bad grid in metadata: \(error)")
        }
        guard net.inputDims >= 1 else { throw DistillationError("\(path): network has no inputs") }
        // Validated as the teacher loader does: NaN, 0 or a negative σ_data samples NaN or zeros.
        let sd = record.config.sigmaData
        guard sd.isFinite && sd > 0 else { throw DistillationError("\(path): bad sigma_data \(sd) in metadata") }
        let s = ConsistencyStudent(network: net, grid: grid, config: record.config)
        s.lossCurve = record.lossCurve
        s.teacherName = record.teacher
        s.label = record.label
        return s
    }
}
