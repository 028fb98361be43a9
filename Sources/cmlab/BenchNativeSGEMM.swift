import Foundation
import Nets

/// `cmlab bench`'s sgemm with the kernels OpenBLAS would choose if it knew this CPU.
///
/// Where OpenBLAS fell back to its generic kernels by itself (``BLASCore/fallbackAdvice``)
/// the sgemm figure of the run measures those kernels, and a fraction of it flatters
/// whatever is compared with it. OpenBLAS picks its kernels when the library loads, so
/// one process cannot switch: a child `cmlab bench --only sgemm --json` runs with
/// `OPENBLAS_CORETYPE` set to the CPU's family, and the run reports its sgemm 1024³
/// beside its own (and the U-Net's products as a fraction of both).
enum NativeSGEMM {
    /// The family to measure: the CPU's, when OpenBLAS fell back by itself; else nil.
    static var family: String? { BLASCore.fallbackAdvice() == nil ? nil : BLASCore.matchingCPU }

    /// sgemm 1024³ in GFLOP/s from a child run with `OPENBLAS_CORETYPE=family`, spending
    /// about `seconds` on each size. Nil when the child fails or OpenBLAS did not take
    /// the family (its `blas_core` differs).
    static func rate(family: String, seconds: Double) -> Double? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["bench", "--only", "sgemm", "--json", "--seconds", String(seconds)]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = family
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            report["blas_core"] as? String == family,
            let results = report["results"] as? [[String: Any]],
            let row = results.first(where: { ($0["name"] as? String)?.hasPrefix("sgemm 1024×") == true }),
            let value = row["value"] as? Double, value.isFinite, value > 0
        else { return nil }
        return value
    }
}
