import Foundation
import Testing

@testable import Nets

/// What BLASCore reports about OpenBLAS's kernels, against the CPU's own flags in
/// /proc/cpuinfo (an independent reading of CPUID, through the kernel).
@Suite struct BLASCoreTests {
    /// The CPU's flags as Linux lists them, or nil off Linux.
    static func cpuFlags() -> Set<String>? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let list = line.split(separator: ":", maxSplits: 1).last
        else { return nil }
        return Set(list.split(separator: " ").map(String.init))
    }

    @Test func matchingFamilyFollowsTheCPUFlags() throws {
        let flags = try #require(Self.cpuFlags())
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        let expected: String? = avx512 ? "SkylakeX" : avx2 ? "Haswell" : nil
        #expect(BLASCore.matchingCPU == expected)
    }

    @Test func adviceOnlyWhenOpenBLASFellBackByItself() {
        let fellBack = BLASCore.current.lowercased() == "prescott" && BLASCore.matchingCPU != nil
        let advice = BLASCore.fallbackAdvice(environment: [:])
        #expect((advice != nil) == fellBack)
        if let advice, let family = BLASCore.matchingCPU {
            #expect(advice.contains("OPENBLAS_CORETYPE=\(family)"))
        }
        // A core type the environment chose is left alone, whatever it is.
        #expect(BLASCore.fallbackAdvice(environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
    }
}
