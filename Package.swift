// swift-tools-version: 6.1
//
// GovFwd: a governed forwarding engine over DPDK.
//
// Debian's libdpdk.pc cannot be parsed by SwiftPM (its Description spans lines), so the
// DPDK include and link flags are spelled out here once and shared by every target.

import PackageDescription

let dpdkInclude = ["/usr/include/dpdk", "/usr/include/x86_64-linux-gnu/dpdk"]

/// Flags for clang when compiling the C shim. Its header (include/cdpdk.h) includes no DPDK
/// header, so Swift modules importing it need none of these.
let dpdkCFlags = dpdkInclude.flatMap { ["-I", $0] } + ["-include", "rte_config.h", "-march=corei7", "-maes", "-mpclmul"]

/// The CPU the Swift code is compiled for, from `GOVFWD_TARGET_CPU`:
/// - `x86-64-v3`, the default: AVX2, BMI1/2, MOVBE, FMA (Intel Core and Xeon from Haswell, AMD
///   Zen and later). The per-packet path needs about 5% fewer instructions than for baseline
///   x86-64 (BMI2 shifts, MOVBE loads of big-endian fields, 32-byte moves). It is LLVM's
///   `haswell` (the Swift compiler takes no `x86-64-v3`), which also allows PCLMUL, RDRAND and
///   FSGSBASE; the compiler emits those only for intrinsics, which the Swift code does not use.
///   A constructor in the shim (cpugate.c) checks the v3 features before main and refuses with
///   a message rather than stopping on an illegal instruction.
/// - `x86-64`: any x86-64 CPU with AES-NI (the MAC needs it), no start-up check.
let targetCPU = Context.environment["GOVFWD_TARGET_CPU"] ?? "x86-64-v3"
guard targetCPU == "x86-64-v3" || targetCPU == "x86-64" else {
    fatalError("GOVFWD_TARGET_CPU=\(targetCPU): must be x86-64-v3 (the default) or x86-64")
}
let baselineCPU = targetCPU == "x86-64"
let cpuFlags = baselineCPU ? [] : ["-target-cpu", "haswell"]
/// The engine's modules: the CPU, and no run-time exclusivity checks on the per-packet path.
let swiftFlags = ["-enforce-exclusivity=unchecked"] + cpuFlags

/// DPDK libraries the engine links. Poll-mode drivers are not linked: the EAL loads them
/// from its plugin directory (RTE_EAL_PMD_PATH) at start-up.
let dpdkLibraries = ["rte_ethdev", "rte_mbuf", "rte_mempool", "rte_ring", "rte_hash", "rte_meter",
                     "rte_member", "rte_net", "rte_eal", "rte_kvargs", "rte_telemetry", "numa"]

let package = Package(
    name: "GovFwd",
    products: [
        .executable(name: "govfwd", targets: ["GovFwd"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        // package-benchmark, for Benchmarks/GovFwdBenchmarks; its malloc counts need the trait.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "CDPDK",
            cSettings: [.unsafeFlags(dpdkCFlags + ["-O3", "-Wall", "-Wno-unused-function"]
                                     + (baselineCPU ? [] : ["-DGOV_TARGET_X86_64_V3=1"]))],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-as-needed"])] + dpdkLibraries.map { .linkedLibrary($0) }
        ),
        .target(
            name: "Pipeline",
            dependencies: ["CDPDK"],
            swiftSettings: [.unsafeFlags(swiftFlags)]
        ),
        // Command line, configuration loading, EAL and port bring-up, statistics, tools.
        .target(
            name: "GovFwdCore",
            dependencies: [
                "Pipeline", "CDPDK",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: [.unsafeFlags(cpuFlags)]
        ),
        .executableTarget(
            name: "GovFwd",
            dependencies: ["GovFwdCore"],
            swiftSettings: [.unsafeFlags(cpuFlags)]
        ),
        .target(
            name: "CMallocCounter",
            path: "Benchmarks/CMallocCounter",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "BenchFixtures",
            dependencies: ["Pipeline", "CDPDK"],
            path: "Benchmarks/BenchFixtures",
            swiftSettings: [.unsafeFlags(swiftFlags)]
        ),
        .executableTarget(
            name: "GovBench",
            dependencies: ["Pipeline", "CDPDK", "CMallocCounter", "BenchFixtures"],
            path: "Benchmarks/GovBench",
            swiftSettings: [.unsafeFlags(swiftFlags)]
        ),
        // `swift package benchmark --target GovFwdBenchmarks`; `make benchmark-check` checks
        // its malloc counts against Benchmarks/Thresholds.
        .executableTarget(
            name: "GovFwdBenchmarks",
            dependencies: ["Pipeline", "CDPDK", "BenchFixtures", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/GovFwdBenchmarks",
            swiftSettings: [.unsafeFlags(swiftFlags)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "CDPDK",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            resources: [.copy("Vectors")],
            swiftSettings: [.unsafeFlags(cpuFlags)]
        ),
        .testTarget(
            name: "GovFwdTests",
            dependencies: ["GovFwd", "GovFwdCore", "Pipeline"],
            exclude: ["Fixtures"],
            swiftSettings: [.unsafeFlags(cpuFlags)]
        ),
    ],
    swiftLanguageModes: [.v5]
)

// libFuzzer targets (`make fuzz`), declared only when GOVFWD_FUZZ=1: each defines
// LLVMFuzzerTestOneInput and no main, so it links only with `-sanitize=fuzzer`, which
// `make fuzz` passes to the whole build (coverage for every module) in its own build folder.
if Context.environment["GOVFWD_FUZZ"] == "1" {
    // package-benchmark's plugin tool has a main of its own, which libFuzzer's clashes with:
    // the fuzz build leaves the benchmarks out.
    package.targets.removeAll { $0.name == "GovFwdBenchmarks" }
    package.dependencies.removeAll { dependency in
        if case .sourceControl(_, let location, _) = dependency.kind { return location.contains("ordo-one/benchmark") }
        return false
    }
    let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"] + cpuFlags)]
    package.targets += [
        .executableTarget(name: "FuzzPacketPath", dependencies: ["GovFwdCore", "Pipeline", "CDPDK"],
                          path: "Fuzz/FuzzPacketPath", swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzConfig", dependencies: ["GovFwdCore", "Pipeline"], path: "Fuzz/FuzzConfig",
                          swiftSettings: fuzzFlags),
        .target(name: "CLibpcapFuzz", path: "Fuzz/CLibpcap", linkerSettings: [.linkedLibrary("pcap")]),
        .executableTarget(name: "FuzzPcap", dependencies: ["GovFwdCore", "CLibpcapFuzz"], path: "Fuzz/FuzzPcap",
                          swiftSettings: fuzzFlags),
    ]
}

