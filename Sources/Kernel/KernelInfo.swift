// What `kernel_info_reply` says about the kernel and its language.
import Foundation
import Notebook

/// The content of `kernel_info_reply`.
enum KernelInfo {
    static let banner = """
        CMLab — a workbench for consistency models: teachers, solvers, CM and Direct CM students.
        help() lists the builtins; ?name or help(x) explains one; Tab completes names and members.
        """

    static var content: JSONObject {
        [
            "status": "ok",
            "protocol_version": Message.protocolVersion,
            "implementation": "cmlab",
            "implementation_version": JupyterIdentity.version,
            "language_info": JupyterIdentity.languageInfo,
            "banner": banner,
            "help_links": [JSONObject](),
        ]
    }
}
