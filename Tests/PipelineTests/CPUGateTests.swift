import CDPDK
import XCTest

/// The CPU gate (cpugate.c): the build compiles its Swift code for x86-64-v3 unless
/// `GOVFWD_TARGET_CPU=x86-64`, and then refuses, before main, a CPU without those features
/// (and those of x86-64-v2).
final class CPUGateTests: XCTestCase {
    /// The register bits of every x86-64-v3 feature the gate checks, the name it gives for
    /// each, and the kernel's name for it in /proc/cpuinfo (register, bit, name, flag).
    private let features: [(WritableKeyPath<gov_cpu_report, UInt32>, UInt32, String, String)] = [
        (\.leaf1_ecx, 0, "SSE3", "pni"), (\.leaf1_ecx, 9, "SSSE3", "ssse3"), (\.leaf1_ecx, 12, "FMA", "fma"),
        (\.leaf1_ecx, 13, "CMPXCHG16B", "cx16"), (\.leaf1_ecx, 19, "SSE4.1", "sse4_1"),
        (\.leaf1_ecx, 20, "SSE4.2", "sse4_2"), (\.leaf1_ecx, 22, "MOVBE", "movbe"), (\.leaf1_ecx, 23, "POPCNT", "popcnt"),
        (\.leaf1_ecx, 26, "XSAVE", "xsave"), (\.leaf1_ecx, 28, "AVX", "avx"), (\.leaf1_ecx, 29, "F16C", "f16c"),
        (\.leaf7_ebx, 3, "BMI1", "bmi1"), (\.leaf7_ebx, 5, "AVX2", "avx2"), (\.leaf7_ebx, 8, "BMI2", "bmi2"),
        (\.ext1_ecx, 0, "LAHF-SAHF", "lahf_lm"), (\.ext1_ecx, 5, "LZCNT", "abm"),
    ]

    private func missing(_ report: gov_cpu_report) -> String? {
        gov_cpu_missing_v3(report).map { String(cString: $0) }
    }

    /// The gate reads the bits the kernel reads: each feature's bit in this CPU's report is set
    /// exactly when /proc/cpuinfo lists the feature (a wrong register or bit number shows here).
    func testTheGateReadsWhatTheKernelReports() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try XCTUnwrap(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }, "no flags line")
        let flags = Set(line.split(separator: ":").last!.split(separator: " ").map(String.init))
        let here = gov_cpu_read()
        for (register, bit, name, flag) in features {
            XCTAssertEqual(here[keyPath: register] & (1 << bit) != 0, flags.contains(flag), "\(name) (\(flag))")
        }
    }

    /// A CPU that lacks any one feature, or whose OS does not save the AVX registers, is
    /// refused by name.
    func testTheGateNamesTheMissingFeature() throws {
        // The checks themselves, on a report with every feature (this CPU's, when it has them).
        var full = gov_cpu_read()
        for (register, bit, _, _) in features { full[keyPath: register] |= 1 << bit }
        full.leaf1_ecx |= 1 << 27
        full.xcr0 |= 6
        XCTAssertNil(missing(full))
        for (register, bit, name, _) in features {
            var report = full
            report[keyPath: register] &= ~(1 << bit)
            XCTAssertEqual(missing(report), name)
        }
        var noOSXSAVE = full
        noOSXSAVE.leaf1_ecx &= ~(1 << 27)
        XCTAssertEqual(missing(noOSXSAVE), "AVX register state (OSXSAVE, XCR0)")
        var noAVXState = full
        noAVXState.xcr0 &= ~4
        XCTAssertEqual(missing(noAVXState), "AVX register state (OSXSAVE, XCR0)")
    }
}
