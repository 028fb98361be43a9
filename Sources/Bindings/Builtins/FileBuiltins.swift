import Datasets
import Diffusion
import Distillation
import Foundation
import Nets
import Plotting
import Script
import Tensors

/// `save` and `load`: `.npy` (tensors), `.csv` (tensors, tables), `.json` (values,
/// tables), `.safetensors` (students, learned teachers, classifiers), `.png/.svg/.pdf` (figures).
func registerFiles(_ r: Registry, _ ctx: BindingsContext) {
    r.register(
        name: "save",
        doc: """
            Saves a value by the path's extension: a tensor to .npy or .csv; a table to .csv or .json; a student, \
            learned teacher or classifier to .safetensors; a figure to .png, .svg or .pdf; numbers, strings, lists and \
            records to .json. Writes atomically; notebooks may only write inside their output folder.
            """, parameters: [.required("value"), .required("path")]
    ) { a in try save(a, ctx) }
    r.register(
        name: "load",
        doc: """
            Loads a file by extension: .npy → tensor; .safetensors → a student, a learned teacher or a classifier \
            (from its metadata); .csv → a table when its first row is a header (names), else a tensor of \
            numbers; .json → a table when it is a list of flat records (as tables save), else a value. A bad or \
            truncated file is a clear error. name: \
            renames a loaded student (its rows in compare, its legend entries).
            """, parameters: [.required("path"), .optional("name")]
    ) { a in try load(a, ctx) }
}

private func save(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let path = try a.string("path")
    let url = try ctx.resolveWritePath(path)
    let ext = url.pathExtension.lowercased()
    func unsupported() -> ScriptError { a.error("cannot save a \(a["value"].typeName) as .\(ext)", at: "path") }
    switch a["value"] {
    case .tensor(let t):
        switch ext {
        case "npy": try NPY.write(t, to: url)
        case "csv": try writeText(csv(t), url)
        default: throw unsupported()
        }
    case .object(let o):
        if let s = o as? StudentObject, ext == "safetensors" {
            try s.student.save(to: url.path)
        } else if let t = o as? TeacherObject, ext == "safetensors", let l = t.denoiser as? LearnedDenoiser {
            try l.save(to: url.path)
        } else if let c = o as? ClassifierObject, ext == "safetensors" {
            try c.classifier.save(to: url.path, metadata: c.testAccuracy.map { ["test_accuracy": "\($0)"] } ?? [:])
        } else if let f = o as? FigureObject, ["png", "svg", "pdf"].contains(ext) {
            try f.write(to: url)
        } else if let t = o as? DataTableObject, ["csv", "json"].contains(ext) {
            try saveTable(t.table, url, a, at: "path")
        } else if let t = o as? TableObject, ext == "csv" {
            try writeText(t.table.csv, url)
        } else if let t = o as? TableObject, ext == "json" {
            try writeText(t.table.json, url)
        } else {
            throw unsupported()
        }
    default:
        guard ext == "json" else { throw unsupported() }
        try writeText(try json(a["value"]), url)
    }
    return .string(url.path)
}

private func load(_ a: Arguments, _ ctx: BindingsContext) throws -> Value {
    let url = try ctx.resolveReadPath(try a.string("path"))
    switch url.pathExtension.lowercased() {
    case "npy": return .tensor(try NPY.read(url, maxElements: a.interpreter.limits.maxElements).tensor)
    case "safetensors":
        let contents = try SafeTensors.read(url.path)
        if contents.metadata["student"] != nil {
            let s = try ConsistencyStudent.load(from: url.path)
            if a.isGiven("name") { s.label = try a.string("name") }
            return .object(StudentObject(s, context: ctx))
        }
        if contents.metadata["teacher"] != nil {
            let l = try LearnedDenoiser.load(from: url.path)
            return .object(TeacherObject(l, data: try dataNamed(l.dataName, a), kind: "learned", context: ctx))
        }
        if contents.metadata["format"] == Classifier.checkpointFormat {
            let (c, meta) = try Classifier.load(contents, path: url.path)
            return .object(ClassifierObject(c, testAccuracy: meta["test_accuracy"].flatMap(Double.init)))
        }
        throw a.error(
            "\(url.path) holds neither a student, a teacher nor a classifier "
                + "(no \"student\" or \"teacher\" metadata, no classifier format)",
            at: "path")
    case "csv":
        do {
            if let t = try readTableCSV(url, maxElements: a.interpreter.limits.maxElements) {
                return .object(DataTableObject(t, context: ctx))
            }
            return .tensor(try readCSV(url, maxElements: a.interpreter.limits.maxElements))
        } catch let e as ScriptError {
            throw a.error(e.message, at: "path")
        }
    case "json":
        let limits = a.interpreter.limits
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else { throw a.error("cannot read \(url.path)", at: "path") }
        // Each item takes at least two bytes ("0,"): a larger file cannot fit the list limit.
        guard size <= 2 * limits.maxListItems + 2 else {
            throw a.error(
                "\(url.path) is \(size) bytes, too large to hold at most \(limits.maxListItems) items",
                at: "path")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw a.error("cannot read \(url.path)", at: "path")
        }
        if let problem = jsonShapeProblem(data, maxDepth: Interpreter.maxValueNesting, maxItems: limits.maxListItems) {
            throw a.error("\(url.path): \(problem)", at: "path")
        }
        do {
            let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            if let t = DataTable(json: object, text: data) { return .object(DataTableObject(t, context: ctx)) }
            return fromJSON(object)
        } catch {
            throw a.error("\(url.path) is not valid JSON: \(error.localizedDescription)", at: "path")
        }
    default:
        throw a.error(
            "unknown file type '.\(url.pathExtension)'; expected .npy, .safetensors, .csv or .json",
            at: "path")
    }
}

/// The data set a saved learned teacher names (toy sets are rebuilt by name).
func dataNamed(_ name: String, _ a: Arguments) throws -> DataObject {
    if let toy = try Catalog.toy(named: name) { return DataObject(.toy(toy)) }
    if let side = Catalog.fashionSide(named: name) {
        let set = try FashionMNIST.load(.train, resolution: try FashionMNIST.Resolution(side: side))
        let images = Batch(count: set.count, dims: set.dims, values: set.images.scalars.map(Double.init))
        return DataObject(.finite(images, name: name), labels: set.labels, imageSide: set.side)
    }
    throw a.error(
        "the teacher was trained on '\(name)', which cannot be rebuilt by name; distill from it with the "
            + "data set passed explicitly", at: "path")
}

func writeText(_ s: String, _ url: URL) throws {
    do { try AtomicFile.write(Data(s.utf8), to: url) } catch {
        throw ScriptError("\(error)")
    }
}

func csv(_ t: Tensor) -> String {
    let cols = t.rank <= 1 ? 1 : t.columns
    let rows = t.rank == 0 ? 1 : t.shape[0]
    var out = ""
    for i in 0..<rows {
        out += (0..<cols).map { "\(t.scalars[i * cols + $0])" }.joined(separator: ",") + "\n"
    }
    return out
}

/// A table when the CSV's first row is a header (some field is not a number), or nil for
/// plain numbers (a tensor).
func readTableCSV(_ url: URL, maxElements: Int) throws -> DataTable? {
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
    guard let size else { throw ScriptError("cannot read \(url.path)") }
    guard size <= 2 * maxElements + 2 else {
        throw ScriptError("\(url.path) is \(size) bytes, too large for at most \(maxElements) cells")
    }
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw ScriptError("cannot read \(url.path)") }
    let first = text.prefix { $0 != "\n" && $0 != "\r" }
    let fields = first.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
    }
    // A header holds names only: no field of it reads as a number.
    guard !first.isEmpty, fields.allSatisfy({ Double($0) == nil }) else { return nil }
    return try DataTable(csv: text, source: url.lastPathComponent)
}

func readCSV(_ url: URL, maxElements: Int = SizeGuard.defaultMaxElements) throws -> Tensor {
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
    guard let size else { throw ScriptError("cannot read \(url.path)") }
    // Each number takes at least two bytes ("0,"): a larger file cannot fit the limit.
    guard size <= 2 * maxElements + 2 else {
        throw ScriptError("\(url.path) is \(size) bytes, too large for at most \(maxElements) numbers")
    }
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
        throw ScriptError("cannot read \(url.path)")
    }
    var rows: [[Float]] = []
    for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let nums = cells.compactMap(Float.init)
        if nums.count != cells.count {
            // A header row holds names only; a first row mixing numbers and text is a mistake.
            if i == 0 && nums.isEmpty { continue }
            throw ScriptError("\(url.path):\(i + 1): not a number in \(line)")
        }
        if let first = rows.first, first.count != nums.count {
            throw ScriptError("\(url.path):\(i + 1): \(nums.count) columns, expected \(first.count)")
        }
        rows.append(nums)
    }
    guard let c = rows.first?.count else { return Tensor(shape: [0, 0]) }
    return Tensor(shape: [rows.count, c], scalars: rows.flatMap { $0 })
}

func json(_ v: Value) throws -> String {
    let obj = try toJSON(v)
    let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .fragmentsAllowed]
    let data = try JSONSerialization.data(withJSONObject: obj, options: options)
    return String(decoding: data, as: UTF8.self)
}

func toJSON(_ v: Value) throws -> Any {
    switch v {
    case .none: return NSNull()
    case .bool(let b): return b
    case .number(let x): return x.isFinite ? x : String(describing: x)
    case .string(let s): return s
    case .list(let l): return try l.map(toJSON)
    case .record(let r):
        return Dictionary(try r.fields.map { ($0.name, try toJSON($0.value)) }, uniquingKeysWith: { $1 })
    case .tensor(let t): return ["shape": t.shape, "data": t.scalars.map(Double.init)] as [String: Any]
    case .range(let r):
        guard r.count <= 10_000_000 else {
            throw ScriptError("cannot save a range of \(r.count) items as JSON (the list limit is 10000000)")
        }
        return (0..<r.count).map { r[$0] }
    case .function, .object: throw ScriptError("cannot save a \(v.typeName) as JSON")
    }
}

/// Why `data` is too deep or too long for the language, or nil. A scan outside strings:
/// nesting by brackets, items bounded by separators — before the parser allocates.
func jsonShapeProblem(_ data: Data, maxDepth: Int, maxItems: Int) -> String? {
    var depth = 0, commas = 0, inString = false, escaped = false
    for b in data {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            continue
        }
        switch b {
        case 0x22: inString = true
        case 0x5B, 0x7B:
            depth += 1
            if depth > maxDepth { return "nested more than \(maxDepth) deep (the language's limit)" }
        case 0x5D, 0x7D: depth -= 1
        case 0x2C:
            commas += 1
            if commas >= maxItems { return "more than \(maxItems) items (the list limit)" }
        default: break
        }
    }
    return nil
}

func fromJSON(_ x: Any) -> Value {
    switch x {
    case is NSNull: return .none
    // JSONSerialization gives every number as NSNumber, and `as Bool` matches 0 and 1
    // too: only an NSNumber whose type is char ("c", CFBoolean) is a boolean.
    case let n as NSNumber where String(cString: n.objCType) != "c": return .number(n.doubleValue)
    case let b as Bool: return .bool(b)
    case let s as String: return .string(s)
    case let a as [Any]: return .list(a.map(fromJSON))
    case let d as [String: Any]:
        return .record(Record(d.sorted { $0.key < $1.key }.map { ($0.key, fromJSON($0.value)) }))
    default: return .none
    }
}
