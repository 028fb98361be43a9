// Where a running cell's output goes in the kernel: prints become `stream` text,
// progress a throttled line on stderr, figures `display_data` with a PNG.
import Foundation
import Plotting

/// The running request's output, published on iopub as children of that request.
/// Called on the thread that runs the cell; progress may come from any thread.
final class KernelOutput {
    /// Shortest time between two progress updates of one line.
    static let progressInterval = 0.5

    private let iopub: IOPubPublisher
    private let lock = NSLock()
    private var parent: Message?
    /// The label of the progress line drawn last without a newline, if any.
    private var openProgress: String?
    private var lastProgress = Date.distantPast

    init(iopub: IOPubPublisher) { self.iopub = iopub }

    /// Output from now on belongs to `request` (nil: output is dropped).
    func begin(_ request: Message?) {
        lock.lock(); parent = request; openProgress = nil; lastProgress = .distantPast; lock.unlock()
    }

    /// Ends the progress line, if one is open, and stops routing output.
    func end() {
        lock.lock()
        if let p = parent, openProgress != nil { iopub.stream("stderr", "\n", parent: p) }
        openProgress = nil
        parent = nil
        lock.unlock()
    }

    /// One line printed by the script.
    func print(_ line: String) { stream("stdout", line + "\n") }

    func stream(_ name: String, _ text: String) {
        lock.lock(); defer { lock.unlock() }
        guard let p = parent else { return }
        iopub.stream(name, text, parent: p)
    }

    /// `label ██████··········  42%  detail` on stderr, redrawn in place (`\r`) at
    /// most every ``progressInterval`` seconds; the last update (fraction 1) ends the line.
    func progress(_ label: String, _ fraction: Double, _ detail: String) {
        lock.lock(); defer { lock.unlock() }
        guard let p = parent else { return }
        let f = fraction.isFinite ? max(0, min(1, fraction)) : 0
        let now = Date()
        let sameLine = openProgress == label
        guard !sameLine || f >= 1 || now.timeIntervalSince(lastProgress) >= Self.progressInterval else { return }
        lastProgress = now
        var text = openProgress != nil && !sameLine ? "\n" : (sameLine ? "\r" : "")
        text += Self.progressLine(label, f, detail)
        if f >= 1 { text += "\n"; openProgress = nil } else { openProgress = label }
        iopub.stream("stderr", text, parent: p)
    }

    static func progressLine(_ label: String, _ f: Double, _ detail: String) -> String {
        let width = 24, filled = Int(Double(width) * f)
        var line =
            "\(label) " + String(repeating: "█", count: filled)
            + String(repeating: "·", count: width - filled) + String(format: " %3.0f%%", f * 100)
        if !detail.isEmpty { line += "  " + detail }
        return line
    }

    /// A figure the script wrote to `url`: shown as a PNG (the file itself when it
    /// is one, else `figure` rendered).
    func figure(_ url: URL, _ figure: Figure?) {
        var png: Data? = nil
        if url.pathExtension.lowercased() == "png" { png = try? Data(contentsOf: url) }
        if png == nil, let figure { png = try? figure.pngData() }
        guard let png else { return }
        display(png, text: "<figure \(url.lastPathComponent)>")
    }

    /// A figure value the cell ended with (not written to a file).
    func figure(_ figure: Figure) {
        guard let png = try? figure.pngData() else { return }
        display(png, text: "<figure>")
    }

    private func display(_ png: Data, text: String) {
        lock.lock(); defer { lock.unlock() }
        guard let p = parent else { return }
        iopub.publish("display_data", Self.displayContent(png: png, text: text), parent: p)
    }

    /// `display_data` content for a PNG. Figures are drawn at 144 dpi, so the front
    /// end is asked to show them at half their pixel size (their size in points).
    static func displayContent(png: Data, text: String) -> JSONObject {
        var metadata = JSONObject()
        if let (w, h) = pngSize(png) {
            let scale = 72 / Figure.defaultDPI
            metadata["image/png"] = [
                "width": Int((Double(w) * scale).rounded()),
                "height": Int((Double(h) * scale).rounded()),
            ]
        }
        return [
            "data": ["image/png": png.base64EncodedString(), "text/plain": text],
            "metadata": metadata, "transient": JSONObject(),
        ]
    }

    /// Width and height from a PNG's IHDR chunk; nil when `data` is not a PNG.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(24))
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, bytes[12..<16].elementsEqual("IHDR".utf8) else {
            return nil
        }
        func u32(_ i: Int) -> Int { bytes[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (u32(16), u32(20))
    }
}
