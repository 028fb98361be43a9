import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Choosing OpenBLAS's kernel family.
///
/// OpenBLAS built with DYNAMIC_ARCH picks its kernels from the CPU it recognises when
/// the library loads. Version 0.3.21 (Debian 12) does not know AMD Zen 4/5 and falls
/// back to its Haswell (AVX2) kernels, although these CPUs run the SkylakeX (AVX-512)
/// kernels about 1.8× faster on the MLP's shapes (measured: 512×256×256 sgemm, 2
/// threads, ~228 → ~400 GFLOP/s). The choice can only be made through the environment
/// variable `OPENBLAS_CORETYPE` before the library loads, so a program that wants it
/// calls ``reexecWithPreferredCore()`` first thing in `main`.
public enum BLASCore {
    /// The kernel family OpenBLAS is using (e.g. "Haswell", "SkylakeX").
    public static var current: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// "SKYLAKEX" when the CPU has AVX-512 (F, BW, DQ, VL) but OpenBLAS chose an AVX2
    /// family for it and the environment does not already choose; otherwise nil.
    public static var preferredCoreType: String? {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        guard ["Haswell", "Zen"].contains(current) else { return nil }
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let set = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(set.contains) ? "SKYLAKEX" : nil
    }

    /// Re-executes the current program with `OPENBLAS_CORETYPE` set when
    /// ``preferredCoreType`` suggests one; returns (doing nothing) otherwise or if the
    /// re-exec fails. Call before any other work: the process image is replaced.
    public static func reexecWithPreferredCore() {
        #if os(Linux)
        guard let core = preferredCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let args = CommandLine.arguments
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed. Carry on with the kernels we have.
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
