import CBLAS
import CKernels
import Foundation

/// Which OpenBLAS kernel family runs the products, for benchmark reports.
///
/// OpenBLAS picks its kernels when the library loads, from the CPU or from the
/// environment variable `OPENBLAS_CORETYPE`. On some machines the environment sets it
/// (with `OPENBLAS_L2_SIZE`) because older OpenBLAS builds compute wrong results or
/// crash with their own choice there; Nets leaves that setting alone and only reports it.
///
/// An OpenBLAS older than the CPU does not know its model and falls back to its generic
/// x86-64 kernels, "Prescott" (SSE3): Debian's 0.3.21 does so on Intel's family 6
/// model 207, where its AVX-512 kernels ("SkylakeX") ran sgemm 1024³ 6.4× faster in one
/// run (docs/speed.md). Nets does not override OpenBLAS's choice (a wrong kernel would
/// give wrong numbers, not slow ones); ``fallbackAdvice`` says what the user can set.
public enum BLASCore {
    /// The kernel family OpenBLAS is using (e.g. "Haswell").
    public static var current: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's kernel family for this CPU's vector level (CPUID): "SkylakeX" with
    /// AVX-512, "Haswell" with AVX2 + FMA, nil below that.
    public static var matchingCPU: String? {
        switch ck_cpu_vector_level() {
        case 2: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    /// When OpenBLAS chose its generic kernels by itself (no `OPENBLAS_CORETYPE`) on a CPU
    /// with AVX2 or AVX-512, one sentence saying so and naming the setting that selects
    /// the CPU's kernels; nil otherwise.
    public static func fallbackAdvice(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, current.lowercased() == "prescott",
            let better = matchingCPU
        else { return nil }
        let level = better == "SkylakeX" ? "AVX-512" : "AVX2"
        return "OpenBLAS did not recognise this CPU and runs its generic SSE3 kernels (Prescott); "
            + "the CPU has \(level): OPENBLAS_CORETYPE=\(better) in the environment selects OpenBLAS's "
            + "\(level) kernels (docs/speed.md, \"OpenBLAS on a CPU newer than itself\")"
    }
}
