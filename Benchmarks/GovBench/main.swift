// GovBench: TSC cycles per packet of the governance MAC, of parsing and of the governed
// pipeline over real mbufs (EAL, mempool, null ports), and the heap
// allocations made while measuring (which must be 0).
//
//   swift build -c release --product GovBench
//   .build/release/GovBench [iterations-per-run [only-names-containing]]
//
// Each figure is the median over `runs` runs of `iterations` bursts of 32 packets.
// See docs/mac.md for results and what they mean.

import CDPDK
import BenchFixtures
import CMallocCounter
import Foundation
import Glibc
import Pipeline

let burstSize = benchBurst
let runs = 31
let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2000 : 2000
/// Only the benchmarks whose name contains this text (second argument), e.g. "pipeline".
let only = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : ""
/// Whether the name filter selects the benchmark `name`.
func selected(_ name: String) -> Bool { only.isEmpty || name.contains(only) }

// MARK: - The malloc counter counts

/// A deliberate allocation must be counted, or the zero below would prove nothing.
func checkMallocCounter() -> UInt64 {
    let before = malloc_counter_allocations()
    let array = [UInt64](repeating: 7, count: 1000 + CommandLine.arguments.count)
    let raw = malloc(64)
    free(raw)
    let counted = malloc_counter_allocations() &- before
    precondition(array.count > 0)
    return counted
}

// MARK: - Measuring

struct Result {
    var name: String
    var cyclesPerPacket: Double
    var minimum: Double
    var mallocs: UInt64
}

var samples = [Double](repeating: 0, count: runs)
var results: [Result] = []
results.reserveCapacity(16)

/// Runs `body` (one burst of `packets` packets) `iterations` times per run, `runs` times,
/// after a warm-up; records the median TSC cycles per packet and the allocations made
/// during the measured runs.
/// Returns false when `only` skipped it.
@inline(never) @discardableResult
func measure(_ name: String, packets: Int = burstSize, _ body: () -> Void) -> Bool {
    if !selected(name) { return false }
    for _ in 0..<(iterations / 10 + 1) { body() }
    let mallocsBefore = malloc_counter_allocations()
    for run in 0..<runs {
        let start = cdpdk_rdtsc()
        for _ in 0..<iterations { body() }
        let end = cdpdk_rdtsc()
        samples[run] = Double(end &- start) / Double(iterations * packets)
    }
    let mallocs = malloc_counter_allocations() &- mallocsBefore
    samples.sort()
    results.append(Result(name: name, cyclesPerPacket: samples[runs / 2], minimum: samples[0], mallocs: mallocs))
    return true
}

/// TSC ticks per second, against the monotonic clock over 200 ms.
func tscHz() -> Double {
    var t0 = timespec(), t1 = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t0)
    let c0 = cdpdk_rdtsc()
    usleep(200_000)
    clock_gettime(CLOCK_MONOTONIC, &t1)
    let c1 = cdpdk_rdtsc()
    let seconds = Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) / 1e9
    return Double(c1 &- c0) / seconds
}

func cpuModel() -> String {
    guard let f = fopen("/proc/cpuinfo", "r") else { return "unknown" }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("model name") { return s.split(separator: ":", maxSplits: 1).last.map { String($0.dropFirst().dropLast()) } ?? s }
    }
    return "unknown"
}

// MARK: - Inputs

var rng = SystemRandomNumberGenerator()
func randomBytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

let keys = (0..<4).map { _ in CMACKey(bytes: randomBytes(16))! }
let burst48 = MACBurst(capacity: burstSize)
let burst64 = MACBurst(capacity: burstSize)
let burstMixedKeys = MACBurst(capacity: burstSize)
// Messages that begin alike, as one sender's do (its header's bytes 0-15), so that the burst
// starts them from the state after their shared first block (gov_cmac_first_blocks).
let burst48Shared = MACBurst(capacity: burstSize)
let burst64Shared = MACBurst(capacity: burstSize)
let sharedFirstBlock = randomBytes(16)
for i in 0..<burstSize {
    burst48Shared.slot(i).copyMemory(from: sharedFirstBlock + randomBytes(48), byteCount: 64)
    burst48Shared.blockCounts[i] = 3
    burst48Shared.keys[i] = keys[0].expanded
    burst64Shared.slot(i).copyMemory(from: sharedFirstBlock + randomBytes(48), byteCount: 64)
    burst64Shared.blockCounts[i] = 4
    burst64Shared.keys[i] = keys[0].expanded
}
for i in 0..<burstSize {
    burst48.slot(i).copyMemory(from: randomBytes(64), byteCount: 64)
    burst48.blockCounts[i] = 3
    burst48.keys[i] = keys[0].expanded
    burst64.slot(i).copyMemory(from: randomBytes(64), byteCount: 64)
    burst64.blockCounts[i] = 4
    burst64.keys[i] = keys[0].expanded
    burstMixedKeys.slot(i).copyMemory(from: randomBytes(64), byteCount: 64)
    burstMixedKeys.blockCounts[i] = 3
    burstMixedKeys.keys[i] = keys[i % keys.count].expanded
}

let frameStride = benchFrameStride
let frameSize = 128
let frames4 = packGovernedFrames(size: frameSize, key: keys[0], expiry: 2_000_000_000)
let frames6 = packGovernedFrames(size: frameSize + 40, outerV6: true, innerV6: true, key: keys[0], expiry: 2_000_000_000)
let parser = GovParser()
let verifyBurst = MACBurst(capacity: burstSize)
var parsed = [ParsedPacket](repeating: ParsedPacket(), count: burstSize)
var sink: UInt64 = 0

/// Parse, assemble the MAC inputs, and (optionally) compute and compare the MACs of the
/// 32 frames at `frames`.
@inline(__always)
func verifyFrames(_ frames: UnsafeMutableRawPointer, length: Int, mac: Bool) {
    parsed.withUnsafeMutableBufferPointer { parsed in
        var n = 0
        for i in 0..<burstSize {
            let frame = UnsafeRawPointer(frames + i &* frameStride)
            parser.parse(frame, length: length, into: &parsed[i])
            if parsed[i].drop == nil {
                verifyBurst.load(n, frame: frame, parsed: parsed[i], key: keys[0].expanded)
                verifyBurst.packetTags[n] = (frame + parsed[i].macOffset).assumingMemoryBound(to: UInt8.self)
                n &+= 1
            }
        }
        guard mac else {
            sink &+= UInt64(n)
            return
        }
        // As the verify stage does it: the MACs, then every tag compared in one call.
        verifyBurst.computeAndCompare(count: n)
        var good = 0
        for i in 0..<n where verifyBurst.equal[i] != 0 { good &+= 1 }
        precondition(good == burstSize, "every benchmark frame verifies")
        sink &+= UInt64(good)
    }
}

// MARK: - Run

let counted = checkMallocCounter()
precondition(counted >= 2, "the malloc counter does not count (\(counted) for two deliberate allocations)")

measure("CMAC 48 B (IPv4 input), burst of 32, interleaved") { burst48.compute(count: burstSize) }
// The verify stage's call: the same MACs, then each tag compared with its packet's in constant time.
let packetTags48 = UnsafeMutablePointer<UInt8>.allocate(capacity: burstSize * 16)
burst48.compute(count: burstSize)
packetTags48.update(from: burst48.tags.assumingMemoryBound(to: UInt8.self), count: burstSize * 16)
for i in 0..<burstSize { burst48.packetTags[i] = UnsafePointer(packetTags48 + i * 16) }
measure("CMAC 48 B, burst of 32, + constant-time tag compare") {
    burst48.computeAndCompare(count: burstSize)
    sink &+= UInt64(burst48.equal[burstSize - 1])
}
measure("CMAC 48 B, one at a time (gov_cmac)") {
    for i in 0..<burstSize {
        gov_cmac(keys[0].expanded, burst48.slot(i).assumingMemoryBound(to: UInt8.self), 48,
                 burst48.tags.advanced(by: i &* 16).assumingMemoryBound(to: UInt8.self))
    }
}
measure("CMAC 64 B (IPv6 input), burst of 32, interleaved") { burst64.compute(count: burstSize) }
measure("CMAC 64 B, one at a time (gov_cmac)") {
    for i in 0..<burstSize {
        gov_cmac(keys[0].expanded, burst64.slot(i).assumingMemoryBound(to: UInt8.self), 64,
                 burst64.tags.advanced(by: i &* 16).assumingMemoryBound(to: UInt8.self))
    }
}
measure("CMAC 48 B, burst of 32, 4 keys interleaved") { burstMixedKeys.compute(count: burstSize) }
measure("CMAC 48 B, burst of 32, one first block") { burst48Shared.compute(count: burstSize) }
measure("CMAC 64 B, burst of 32, one first block") { burst64Shared.compute(count: burstSize) }
// The same with a first block no entry holds for each group of sixteen in every burst: on the
// VAES path each group misses and fills an entry (without VAES, groups of eight: every other
// one hits the entry the one before it filled). The 32 stores of 16 bytes that change the
// blocks are part of the figure.
var firstBlock = SIMD2<UInt64>(0, 0)
/// Gives each run of `alike` messages of burst48Shared a first block of its own, new this burst.
@inline(__always)
func newFirstBlocks(alike: Int) {
    firstBlock &+= SIMD2(1, 0)
    for i in 0..<burstSize {
        burst48Shared.slot(i).storeBytes(of: firstBlock &+ SIMD2(0, UInt64(i / alike)), as: SIMD2<UInt64>.self)
    }
}
measure("CMAC 48 B, burst of 32, a new first block per 16") {
    newFirstBlocks(alike: 16)
    burst48Shared.compute(count: burstSize)
}
// Its baseline: the same stores, but every message's first block differs (no group fills an entry).
measure("CMAC 48 B, burst of 32, a new first block per message") {
    newFirstBlocks(alike: 1)
    burst48Shared.compute(count: burstSize)
}
measure("parse, 128 B IPv4/UDP/GOV/IPv4 frames, returned") {
    parsed.withUnsafeMutableBufferPointer { parsed in
        for i in 0..<burstSize { parsed[i] = parser.parse(frames4 + i &* frameStride, length: frameSize) }
    }
    sink &+= UInt64(parsed[31].govOffset)
}
measure("parse in place (parse(_:length:into:))") {
    parsed.withUnsafeMutableBufferPointer { parsed in
        for i in 0..<burstSize { parser.parse(frames4 + i &* frameStride, length: frameSize, into: &parsed[i]) }
    }
    sink &+= UInt64(parsed[31].govOffset)
}
measure("parse + MAC input, IPv4 frames") { verifyFrames(frames4, length: frameSize, mac: false) }
measure("parse + MAC input + burst MAC + compare, IPv4") { verifyFrames(frames4, length: frameSize, mac: true) }
measure("parse + MAC input + burst MAC + compare, IPv6") { verifyFrames(frames6, length: frameSize + 40, mac: true) }

// MARK: - The governed pipeline over real mbufs

var stageReport = ""
let stagesName = "pipeline decide, 100% valid, cycles per packet by stage"

if let node = BenchNode(name: "govbench") {
    let pipeline = node.pipeline
    var io = IOEngine()
    measure("mbufs: alloc + copy 118 B + free (the rx stand-in)") {
        node.receive(node.valid)
        node.freeBurst()
    }
    measure("io engine: alloc + copy + tx to net_null") {
        node.receive(node.valid)
        io.forward(node.mbufs, count: burstSize, stream: node.stream, txQueue: 0, counters: node.counters)
    }
    let ranValid = measure("pipeline decide, 100% valid (+ alloc, copy, free)") { node.decide(node.valid) }
    precondition(!ranValid || pipeline.verdicts[0] == 0, "valid traffic is forwarded")
    let ranForged = measure("pipeline decide, 100% forged (+ alloc, copy, free)") { node.decide(node.forged) }
    precondition(!ranForged || pipeline.verdicts[0] == DropReason.badMAC.rawValue, "forged traffic is dropped as bad_mac")
    let ranValid6 = measure("pipeline decide over IPv6, 100% valid, 158 B") {
        node.decide(node.valid6, length: node.frameLength6)
    }
    precondition(!ranValid6 || pipeline.verdicts[0] == 0, "valid IPv6 traffic is forwarded")
    measure("govern engine, 100% valid: alloc + copy + decide + tx") { node.forwardValid() }
    measure("govern engine, 50/50 valid/forged at random") { node.forwardMixed() }
    // The stages timed apart (`--stage-cycles`), one pass of `iterations` bursts; skipped like
    // a measured loop when the name filter does not select it.
    if selected(stagesName) {
        let stages = StageCycles()
        for _ in 0..<iterations {
            node.decide(node.valid, stageCycles: stages)
            stages.packets[0] &+= UInt64(burstSize)
        }
        stageReport = StageCycles.Stage.allCases.filter { $0 != .rx && $0 != .tx }.map {
            "\($0.name) " + String(format: "%.1f", Double(stages.cycles[$0.rawValue]) / Double(stages.packets[0]))
        }.joined(separator: ", ")
    }
    measure("revocation filter, 32 ids not revoked") {
        for i in 0..<burstSize { if node.tables.revocations.mayContain(UInt64(0x5000 &+ i &+ Int(sink & 1))) { sink &+= 1 } }
    }
}

print("GovBench: \(cpuModel()), TSC \(String(format: "%.2f", tscHz() / 1e9)) GHz")
print("median (min) of \(runs) runs x \(iterations) bursts of \(burstSize); malloc counter check: \(counted) counted")
print("")
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
print(pad("benchmark", 52) + lpad("cycles/pkt", 11) + lpad("(min)", 8) + lpad("mallocs", 9))
var allocated = false
for r in results {
    print(pad(r.name, 52) + lpad(String(format: "%.1f", r.cyclesPerPacket), 11)
        + lpad(String(format: "(%.1f)", r.minimum), 8) + lpad(String(r.mallocs), 9))
    if r.mallocs != 0 { allocated = true }
}
if !stageReport.isEmpty { print("\(stagesName): \(stageReport)") }
if sink == 0 { print("") }
if allocated {
    print("FAIL: a measured loop allocated")
    exit(1)
}
