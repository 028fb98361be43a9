import Foundation

/// The run as a Jupyter notebook (nbformat 4.5), outputs included, so Jupyter,
/// VS Code and GitHub show it as it ran.
///
/// Prints become `stream` outputs, a cell's value an `execute_result`, figures
/// `display_data` with `image/png` (base64) or `image/svg+xml`, failures `error`.
/// Cell ids are `cell-<n>`; the metadata names the CMLab kernel (``JupyterIdentity``),
/// so the notebook opens and reruns in JupyterLab.
public enum IpynbExporter {
    public static func render(_ run: NotebookRun) throws -> Data {
        let object = document(run)
        do {
            return try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw NotebookError("cannot encode the .ipynb: \(error)")
        }
    }

    /// The notebook as JSON objects (dictionaries, arrays, strings, numbers, NSNull).
    public static func document(_ run: NotebookRun) -> [String: Any] {
        var cells: [[String: Any]] = []
        for (i, c) in run.cells.enumerated() {
            var metadata: [String: Any] = [:]
            if !c.cell.tags.isEmpty { metadata["tags"] = c.cell.tags }
            if !c.cell.title.isEmpty { metadata["title"] = c.cell.title }
            var cell: [String: Any] = ["id": "cell-\(i + 1)", "metadata": metadata, "source": lines(c.cell.source)]
            if c.status == .prose {
                cell["cell_type"] = "markdown"
            } else {
                cell["cell_type"] = "code"
                cell["execution_count"] = c.executionCount.map { $0 as Any } ?? NSNull()
                cell["outputs"] = c.outputs.map { output($0, count: c.executionCount) }
                if c.status != .skipped {
                    // nbformat reserves `execution` for timestamp strings; the run time goes under our own key.
                    metadata["cmlab"] = ["seconds": (c.seconds * 1000).rounded() / 1000]
                    cell["metadata"] = metadata
                }
            }
            cells.append(cell)
        }
        var metadata: [String: Any] = [
            "kernelspec": JupyterIdentity.kernelspec, "language_info": JupyterIdentity.languageInfo,
        ]
        // A stopped run says so (the cells after it have no outputs).
        if let i = run.interruption { metadata["cmlab"] = ["interrupted": i.description] }
        return [
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": metadata,
            "cells": cells,
        ]
    }

    static func output(_ o: CellOutput, count: Int?) -> [String: Any] {
        switch o {
        case .stream(let s):
            return ["output_type": "stream", "name": "stdout", "text": lines(s + "\n")]
        case .result(let s):
            return [
                "output_type": "execute_result", "execution_count": count.map { $0 as Any } ?? NSNull(),
                "data": ["text/plain": lines(s)], "metadata": [String: Any](),
            ]
        case .figure(let f):
            var data: [String: Any] = ["text/plain": ["<figure \(f.relativePath)>"]]
            if f.isPNG, let d = f.data { data["image/png"] = d.base64EncodedString() }
            if f.isSVG, let d = f.data, let s = String(data: d, encoding: .utf8) { data["image/svg+xml"] = lines(s) }
            return ["output_type": "display_data", "data": data, "metadata": [String: Any]()]
        case .error(let e):
            let first = e.split(separator: "\n").first.map(String.init) ?? e
            return [
                "output_type": "error", "ename": "ScriptError",
                "evalue": first.hasPrefix("error: ") ? String(first.dropFirst(7)) : first,
                "traceback": e.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
            ]
        }
    }

    /// Jupyter's multi-line string: a list of lines, each but the last keeping its "\n".
    static func lines(_ s: String) -> [String] {
        guard !s.isEmpty else { return [] }
        var out: [String] = []
        var current = ""
        for c in s {
            current.append(c)
            if c == "\n" { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
