import Foundation

/// How Jupyter knows CMLab: the kernelspec's name, the display name, and the
/// language that `.ipynb` files written by `cmlab run` and by the kernel declare.
public enum JupyterIdentity {
    /// The kernelspec's folder name: `jupyter console --kernel cmlab`.
    public static let kernelName = "cmlab"
    public static let displayName = "CMLab"
    public static let language = "cmlab"
    public static let version = "0.1.0"

    /// `metadata.kernelspec` of a notebook for this kernel.
    public static var kernelspec: [String: Any] {
        ["name": kernelName, "display_name": displayName, "language": language]
    }

    /// `language_info`: `.cml` files and a Pygments lexer for highlighting. The
    /// language has no lexer of its own; Python's fits it best (`#` comments,
    /// double-quoted strings, `for … in`, `and`/`or`/`not`, keyword arguments), so
    /// nbconvert and JupyterLab highlight with it.
    public static var languageInfo: [String: Any] {
        [
            "name": language,
            "version": version,
            "mimetype": "text/x-cmlab",
            "file_extension": ".cml",
            "pygments_lexer": "python",
            "codemirror_mode": "python",
            "nbconvert_exporter": "script",
        ]
    }
}
