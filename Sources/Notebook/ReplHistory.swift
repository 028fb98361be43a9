import Foundation

/// Where the REPL keeps its history file: `$CMLAB_HISTORY` when set and not empty, else
/// `.cmlab_history` in `$HOME`, else in the account's home from the password database
/// (which `NSHomeDirectory` may read even when `$HOME` says otherwise).
public enum ReplHistory {
    public static func path(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        accountHome: () -> String = { NSHomeDirectory() }
    ) -> String {
        if let p = environment["CMLAB_HISTORY"], !p.isEmpty { return p }
        let env = environment["HOME"] ?? ""
        let home = env.isEmpty ? accountHome() : env
        return (home as NSString).appendingPathComponent(".cmlab_history")
    }
}
