// The per-packet path under package-benchmark: parsing, the MAC over a burst, the table
// lookups and the whole pipeline, on bursts of 32 governed frames in real mbufs from a DPDK
// mempool (BenchNode: EAL without hugepages, null ports). Each sample is 1000 bursts.
//
//   swift package benchmark --target GovFwdBenchmarks              # the table
//   make benchmark-check                                           # mallocs against Benchmarks/Thresholds
//
// Every benchmark but the control must allocate nothing: `mallocCountTotal` 0 at p90 of the
// samples, the percentile package-benchmark's static thresholds check. The control allocates
// one array per burst (1000 per sample), so a counter that counts nothing fails the check
// too. GovBench, which the same make target runs next, fails on any allocation at all in its
// measured loops (docs/benchmarks.md, "Heap allocations").

import Benchmark
import BenchFixtures
import CDPDK
import Pipeline

/// The node, started once per benchmark process, when the first benchmark runs.
let node: BenchNode = {
    guard let node = BenchNode(name: "govfwd-bench") else { fatalError("the EAL did not start (root needed)") }
    return node
}()

/// Parses the 32 frames at `frames` (`length` bytes each) into `parsed`.
@inline(__always)
func parseBurst(_ frames: UnsafeMutableRawPointer, length: Int, into parsed: UnsafeMutablePointer<ParsedPacket>,
                parser: GovParser) {
    for i in 0..<benchBurst {
        parser.parse(frames + i &* benchFrameStride, length: length, into: &parsed[i])
    }
}

/// A MAC burst holding the inputs of the 32 frames at `frames`, all under the node's key.
func loadedMACBurst(_ frames: UnsafeMutableRawPointer, length: Int) -> MACBurst {
    let burst = MACBurst(capacity: benchBurst)
    let parser = GovParser()
    for i in 0..<benchBurst {
        let frame = UnsafeRawPointer(frames + i &* benchFrameStride)
        let parsed = parser.parse(frame, length: length)
        precondition(parsed.drop == nil, "benchmark frame \(i) parses")
        burst.load(i, frame: frame, parsed: parsed, key: node.caKey.expanded)
    }
    return burst
}

/// Measures one bulk lookup of `keys` (at most a burst) in `table` per iteration, the way the
/// stages look up a burst's distinct keys; returns the positions found.
func measureBulkLookup(_ benchmark: Benchmark, _ table: HashTable, _ keys: [UInt64]) -> [Int32] {
    var scratch = DistinctKeys(capacity: benchBurst)
    for key in keys { _ = scratch.slot(for: key) }
    precondition(scratch.count == keys.count, "the keys are distinct")
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        table.lookupBulk(scratch.pointers, count: scratch.count, positions: scratch.positions)
        blackHole(scratch.positions[0])
    }
    benchmark.stopMeasurement()
    let positions = Array(UnsafeBufferPointer(start: scratch.positions, count: scratch.count))
    scratch.deallocate()
    return positions
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1000)

    // MARK: Parse

    // 32 frames of 118 B (outer IPv4, inner IPv4) parsed in place.
    Benchmark("Parse-IPv4") { benchmark in
        let parsed = UnsafeMutablePointer<ParsedPacket>.allocate(capacity: benchBurst)
        parsed.initialize(repeating: ParsedPacket(), count: benchBurst)
        let parser = GovParser()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            parseBurst(node.valid, length: node.frameLength, into: parsed, parser: parser)
            blackHole(parsed[benchBurst - 1].govOffset)
        }
        benchmark.stopMeasurement()
        precondition(parsed[0].drop == nil)
        parsed.deallocate()
    }

    // 32 frames of 158 B (outer IPv6, inner IPv6) parsed in place.
    Benchmark("Parse-IPv6") { benchmark in
        let parsed = UnsafeMutablePointer<ParsedPacket>.allocate(capacity: benchBurst)
        parsed.initialize(repeating: ParsedPacket(), count: benchBurst)
        let parser = GovParser()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            parseBurst(node.valid6, length: node.frameLength6, into: parsed, parser: parser)
            blackHole(parsed[benchBurst - 1].govOffset)
        }
        benchmark.stopMeasurement()
        precondition(parsed[0].drop == nil && parsed[0].innerVersion == 6)
        parsed.deallocate()
    }

    // MARK: MAC over a burst

    // The CMACs of 32 IPv4 MAC inputs (48 B) under one key, interleaved.
    Benchmark("MAC-IPv4") { benchmark in
        let burst = loadedMACBurst(node.valid, length: node.frameLength)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            burst.compute(count: benchBurst)
            blackHole(burst.tags.load(as: UInt64.self))
        }
        benchmark.stopMeasurement()
        let first = GovParser().parse(node.valid, length: node.frameLength)
        precondition(burst.verify(0, against: UnsafeRawPointer(node.valid) + first.macOffset), "the MAC of frame 0 verifies")
    }

    // The CMACs of 32 IPv6 MAC inputs (64 B) under one key, interleaved.
    Benchmark("MAC-IPv6") { benchmark in
        let burst = loadedMACBurst(node.valid6, length: node.frameLength6)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            burst.compute(count: benchBurst)
            blackHole(burst.tags.load(as: UInt64.self))
        }
        benchmark.stopMeasurement()
    }

    // MARK: Lookups

    // 32 (authority, epoch) keys, the configured one and 31 unknown ones, one bulk call.
    Benchmark("Lookup-authority") { benchmark in
        let keys = [AuthorityTable.key(authority: 7, epoch: 1)]
            + (1..<benchBurst).map { AuthorityTable.key(authority: 1000 + UInt32($0), epoch: 1) }
        let positions = measureBulkLookup(benchmark, node.tables.authorities.byEpoch, keys)
        precondition(positions[0] >= 0 && positions[1...].allSatisfy { $0 < 0 })
    }

    // 32 capability ids that are not revoked tested against the filter.
    Benchmark("Lookup-revocation-filter") { benchmark in
        let filter = node.tables.revocations.filter
        var maybe = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for i in 0..<benchBurst where filter.mayContain(UInt64(0x5000 &+ i)) { maybe &+= 1 }
        }
        benchmark.stopMeasurement()
        blackHole(maybe)
    }

    // 32 revoked capability ids looked up in the 100 000-id hash, one bulk call.
    Benchmark("Lookup-revocation-bulk") { benchmark in
        let keys = (0..<benchBurst).map { UInt64(0x1_0000_0000) + UInt64($0) * 7919 * 3001 }
        let positions = measureBulkLookup(benchmark, node.tables.revocations.hash, keys)
        precondition(positions.allSatisfy { $0 >= 0 }, "every id is revoked")
    }

    // 32 single-key lookups of (scope, route class), the decision cache's miss path.
    Benchmark("Lookup-policy") { benchmark in
        let table = node.tables.policies.hash
        var found: Int32 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for i in 0..<benchBurst { found &+= table.lookup(PolicyTable.key(scope: 100 &+ UInt32(i & 1), routeClass: 1)) }
        }
        benchmark.stopMeasurement()
        blackHole(found)
    }

    // MARK: The whole pipeline over mbufs

    // Receive stand-in (alloc, copy 118 B), decide, free: 32 valid frames.
    Benchmark("Decide-valid") { benchmark in
        for _ in benchmark.scaledIterations { node.decide(node.valid) }
        precondition(node.pipeline.verdicts[0] == 0, "valid traffic is forwarded")
    }

    // The same with 32 forged frames (every one dropped as bad_mac).
    Benchmark("Decide-forged") { benchmark in
        for _ in benchmark.scaledIterations { node.decide(node.forged) }
        precondition(node.pipeline.verdicts[0] == DropReason.badMAC.rawValue, "forged traffic is dropped as bad_mac")
    }

    // Receive stand-in, decide, and transmit to net_null through the engine.
    Benchmark("Engine-valid") { benchmark in
        for _ in benchmark.scaledIterations { node.forwardValid() }
    }

    // MARK: Control

    // One Array per burst: the counter must count 1000 per sample, or the zeros prove nothing.
    Benchmark("Control-allocating") { benchmark in
        for i in benchmark.scaledIterations { blackHole([Int](repeating: i, count: benchBurst)) }
    }
}
