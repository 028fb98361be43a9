import Foundation

/// Reads a Jupyter notebook (`.ipynb`, nbformat 4) written with the CMLab kernel,
/// in JupyterLab, VS Code or by `cmlab run`, so `cmlab run` runs it headless.
///
/// Code cells become code cells, markdown and raw cells prose; `metadata.tags`
/// (a `parameters` cell for `-p`) and `metadata.title` carry over. Outputs
/// stored in the file are ignored: the run makes its own.
public enum IpynbReader {
    /// - Throws: ``NotebookError`` when the data is not an nbformat 4 notebook, or
    ///   when its metadata names another kernel's language (a Python notebook, say).
    public static func parse(_ data: Data, fileName: String) throws -> NotebookFile {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw NotebookError("\(fileName) is not a Jupyter notebook: not a JSON object")
        }
        guard let format = root["nbformat"] as? Int, format == 4 else {
            throw NotebookError(
                "\(fileName): only nbformat 4 notebooks can be run (this one has nbformat "
                    + "\(root["nbformat"].map { "\($0)" } ?? "missing"))")
        }
        let metadata = root["metadata"] as? [String: Any] ?? [:]
        if let language = declaredLanguage(metadata), language != JupyterIdentity.language {
            throw NotebookError(
                "\(fileName) is a \(language) notebook; cmlab runs notebooks written with the "
                    + "CMLab kernel")
        }
        guard let cells = root["cells"] as? [Any] else { throw NotebookError("\(fileName): no list of cells") }
        return NotebookFile(
            cells: try cells.enumerated().map { i, c in
                guard let cell = c as? [String: Any], let type = cell["cell_type"] as? String else {
                    throw NotebookError("\(fileName): cell \(i + 1) has no cell_type")
                }
                let meta = cell["metadata"] as? [String: Any] ?? [:]
                let tags = (meta["tags"] as? [Any] ?? []).compactMap { $0 as? String }
                // Not a text file: no line of the file holds a cell (firstLine 0), so errors
                // name the cell and the line within it.
                return Cell(
                    type == "code" ? .code : .markdown, source(cell["source"]), tags: tags,
                    title: meta["title"] as? String ?? "", firstLine: 0)
            })
    }

    /// The notebook's language: `kernelspec.language`, else `language_info.name`,
    /// else the kernelspec's name; nil when none is given.
    static func declaredLanguage(_ metadata: [String: Any]) -> String? {
        let spec = metadata["kernelspec"] as? [String: Any]
        let info = metadata["language_info"] as? [String: Any]
        if let spec, spec["name"] as? String == JupyterIdentity.kernelName { return JupyterIdentity.language }
        return (spec?["language"] as? String) ?? (info?["name"] as? String) ?? (spec?["name"] as? String)
    }

    /// nbformat's multi-line string: one string, or a list of lines each keeping its "\n".
    static func source(_ value: Any?) -> String {
        let text: String
        if let s = value as? String {
            text = s
        } else {
            text = (value as? [Any] ?? []).compactMap { $0 as? String }.joined()
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
