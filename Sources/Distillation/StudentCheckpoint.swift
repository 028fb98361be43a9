import Diffusion
import Foundation
import Nets
import Tensors

/// Students on disk: the network's `.safetensors` (weights, and the architecture in
/// `__metadata__`) plus a `"student"` metadata entry: a JSON object with the
/// distillation config, the grid's σ values, the teacher's name, the loss curve and how
/// training ended. The file opens with the Python `safetensors` library; the JSON with
/// any reader.
extension ConsistencyStudent {
    struct Record: Codable {
        var format = "cmlab.student/1"
        var config: DistillationConfig
        var sigmas: [Double]
        var teacher: String
        var lossCurve: [Double]
        /// How training ended, as a sentence (``TrainingOutcome/message``), for readers.
        var outcome: String
        /// The user's name for the student (absent in files written before names existed).
        var label: String?
        /// How training ended, as fields, for loading it back. Files written before it
        /// existed lack it; their `outcome` sentence is read instead
        /// (``TrainingOutcome/init(message:)``).
        var ending: Ending?
    }

    /// A ``TrainingOutcome`` as JSON: `{"kind": "completed" | "cancelled" | "diverged",
    /// "iteration": …, "reason": …}`.
    struct Ending: Codable, Equatable {
        var kind: String
        var iteration: Int?
        var reason: String?

        init(_ outcome: TrainingOutcome) {
            switch outcome {
            case .completed: kind = "completed"
            case let .cancelled(i): kind = "cancelled"; iteration = i
            case let .diverged(i, r): kind = "diverged"; iteration = i; reason = r
            }
        }

        /// The outcome, or nil when the fields do not describe one.
        var outcome: TrainingOutcome? {
            switch (kind, iteration, reason) {
            case ("completed", nil, nil): return .completed
            case let ("cancelled", i?, nil) where i >= 0: return .cancelled(iteration: i)
            case let ("diverged", i?, r?) where i >= 1: return .diverged(iteration: i, reason: r)
            default: return nil
            }
        }
    }

    /// Writes atomically (temporary file, then rename): an interrupted save leaves any
    /// previous file intact.
    public func save(to path: String) throws {
        let record = Record(
            config: config, sigmas: grid.sigmas, teacher: teacherName, lossCurve: lossCurve,
            outcome: outcome.message, label: label, ending: Ending(outcome))
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        enc.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
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
        dec.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
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
        let outcome: TrainingOutcome
        if let ending = record.ending {
            guard let o = ending.outcome else {
                throw DistillationError(
                    "\(path): bad training outcome in metadata: kind \"\(ending.kind)\", iteration "
                        + "\(ending.iteration.map(String.init) ?? "none"), reason \(ending.reason ?? "none")")
            }
            outcome = o
        } else {
            guard let o = TrainingOutcome(message: record.outcome) else {
                throw DistillationError("\(path): unknown training outcome \"\(record.outcome)\" in metadata")
            }
            outcome = o
        }
        let s = ConsistencyStudent(network: net, grid: grid, config: record.config)
        s.lossCurve = record.lossCurve
        s.teacherName = record.teacher
        s.label = record.label
        s.outcome = outcome
        return s
    }
}
