import Foundation

/// The kinds of file the batch commands write.
enum OutputKind: String {
    case npy, safetensors

    /// Whether `bytes` (a file's first bytes) look like this kind.
    func matches(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .npy: return bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
        case .safetensors: return bytes.count > 8 && bytes[8] == UInt8(ascii: "{")
        }
    }
}

/// Checks a batch command's output path before any work: the name must end in the
/// kind's extension, its folder must exist, and an existing file there that is not of
/// that kind (a student where samples would go, a notebook…) is kept unless `force`.
@discardableResult
func checkOutput(_ path: String, _ kind: OutputKind, force: Bool) throws -> URL {
    let url = URL(fileURLWithPath: path)
    guard url.pathExtension.lowercased() == kind.rawValue else {
        throw CLIError("\(path): this writes a .\(kind.rawValue) file; give the output a .\(kind.rawValue) name")
    }
    try checkWritable(path)
    if !force, let h = FileHandle(forReadingAtPath: path) {
        let head = [UInt8]((try? h.read(upToCount: 16)) ?? Data())
        try? h.close()
        guard kind.matches(head) else {
            throw CLIError(
                "\(path) exists and is not a .\(kind.rawValue) file; refusing to overwrite it (--force to replace it)")
        }
    }
    return url
}
