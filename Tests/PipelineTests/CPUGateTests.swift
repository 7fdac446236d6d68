import CDPDK
import XCTest

/// The CPU gate (cpugate.c): the build compiles its Swift code for x86-64-v3 unless
/// `GOVFWD_TARGET_CPU=x86-64`, and then refuses, before main, a CPU without those features
/// (and those of x86-64-v2).
final class CPUGateTests: XCTestCase {
    /// The register bits of every x86-64-v3 feature the gate checks, and the name it gives
    /// for each (register, bit, name).
    private let features: [(WritableKeyPath<gov_cpu_report, UInt32>, UInt32, String)] = [
        (\.leaf1_ecx, 0, "SSE3"), (\.leaf1_ecx, 9, "SSSE3"), (\.leaf1_ecx, 12, "FMA"), (\.leaf1_ecx, 13, "CMPXCHG16B"),
        (\.leaf1_ecx, 19, "SSE4.1"), (\.leaf1_ecx, 20, "SSE4.2"), (\.leaf1_ecx, 22, "MOVBE"), (\.leaf1_ecx, 23, "POPCNT"),
        (\.leaf1_ecx, 26, "XSAVE"), (\.leaf1_ecx, 28, "AVX"), (\.leaf1_ecx, 29, "F16C"),
        (\.leaf7_ebx, 3, "BMI1"), (\.leaf7_ebx, 5, "AVX2"), (\.leaf7_ebx, 8, "BMI2"),
        (\.ext1_ecx, 0, "LAHF-SAHF"), (\.ext1_ecx, 5, "LZCNT"),
    ]

    private func missing(_ report: gov_cpu_report) -> String? {
        gov_cpu_missing_v3(report).map { String(cString: $0) }
    }

    /// This machine runs the suite, so it passes the gate of this build; and a CPU that lacks
    /// any one feature, or whose OS does not save the AVX registers, is refused by name.
    func testTheGateNamesTheMissingFeature() throws {
        let here = gov_cpu_read()
        if gov_cpu_gate_enabled() == 1 {
            XCTAssertNil(missing(here), "this CPU runs code built for x86-64-v3")
        }
        // The checks themselves, on a report with every feature (this CPU's, when it has them).
        var full = here
        for (register, bit, _) in features { full[keyPath: register] |= 1 << bit }
        full.leaf1_ecx |= 1 << 27
        full.xcr0 |= 6
        XCTAssertNil(missing(full))
        for (register, bit, name) in features {
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
