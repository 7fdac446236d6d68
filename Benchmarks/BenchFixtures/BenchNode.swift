// What GovBench and the package-benchmark suite (Benchmarks/GovFwdBenchmarks) measure on:
// bursts of governed frames, and a node like tools/bench's over real mbufs from a DPDK
// mempool, with two null ports to transmit to. No hugepages and no NIC needed.

import CDPDK
import Glibc
import Pipeline

/// Packets per burst in every benchmark, as the engine receives them.
public let benchBurst = 32

/// `count` governed frames of `size` bytes, one flow and one capability id each, sealed
/// with `key`, laid out in one buffer at `stride` bytes like mbuf data rooms. Scope 100,
/// route class 1, authority 7, epoch 1: the node below forwards them. With `forged` every
/// frame's MAC is wrong, with `forgedAt` that of frame i where it returns true.
public func packGovernedFrames(count: Int = benchBurst, size: Int, outerV6: Bool = false, innerV6: Bool = false,
                               key: CMACKey, expiry: UInt32, forged: Bool = false, forgedAt: ((Int) -> Bool)? = nil,
                               stride: Int = benchFrameStride) -> UnsafeMutableRawPointer {
    let memory = UnsafeMutableRawPointer.allocate(byteCount: count * stride, alignment: 64)
    for i in 0..<count {
        var spec = FrameSpec()
        spec.frameSize = size
        if outerV6 {
            spec.outerSource = IPAddress("2001:db8::1")!
            spec.outerDestination = IPAddress("2001:db8::2")!
        }
        spec.innerSource = (innerV6 ? IPAddress("fd00::1")! : IPAddress(10, 0, 0, 1)).adding(UInt32(i))
        spec.innerDestination = innerV6 ? IPAddress("fd00::ffff")! : IPAddress(10, 1, 0, 1)
        let fields = GovFields(scope: ScopeID(100), trust: TrustLevel(50), routeClass: RouteClass(1), epoch: KeyEpoch(1),
                               authority: AuthorityID(7), expiry: expiry, capability: CapabilityID(UInt64(0x5000 + i)))
        var frame = try! FrameBuilder.governed(spec, fields: fields, key: key)
        // One bit flipped in a byte the MAC covers (in a 118-byte frame: the header's scope).
        if forged || forgedAt?(i) == true { frame[frame.count - 70] ^= 1 }
        frame.withUnsafeBytes { (memory + i * stride).copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
    }
    return memory
}

/// Bytes between two frames made by ``packGovernedFrames``.
public let benchFrameStride = 2048

/// The EAL on one lcore without hugepages, a mempool, two null ports ("in" 0, "out" 1) and a
/// node like tools/bench's: one authority limited to two scopes, two policies, 100 000
/// revoked capability ids (none of them in the traffic), and its pipeline and engine.
public final class BenchNode {
    /// The node's clock: every frame expires 600 s after it.
    public let now: UInt32 = 1_800_000_000
    public let caKey = CMACKey(bytes: Array(0..<16))!
    public let pool: OpaquePointer
    public let tables: GovernTables
    public let pipeline: GovernPipeline
    public var engine: GovernEngine
    public let counters = LcoreCounters()
    public let stream = RxStream(rxPort: 0, rxQueue: 0, txPort: 1)
    /// 32 valid (and 32 forged) smallest governed IPv4 frames, 118 bytes.
    public let valid: UnsafeMutableRawPointer
    public let forged: UnsafeMutableRawPointer
    /// `mixedBursts` bursts of those frames, valid and forged at random, half each: a
    /// pattern too long for the branch predictor to learn (see ``forwardMixed()``).
    public let mixed: UnsafeMutableRawPointer
    public let mixedBursts = 16
    private var nextMixed = 0
    public let frameLength = 118
    /// 32 valid smallest governed IPv6 frames (outer and inner IPv6), 158 bytes.
    public let valid6: UnsafeMutableRawPointer
    public let frameLength6 = 158
    /// The burst ``receive(_:)`` fills.
    public let mbufs: UnsafeMutablePointer<Mbuf?>

    /// Starts the EAL (`name` names its files, with the process id); nil if it does not start.
    public init?(name: String) {
        let arguments = [name, "-l", "0", "--no-pci", "--no-huge", "-m", "512", "--no-telemetry",
                         "--file-prefix", "\(name)-\(getpid())", "--log-level", "*:error",
                         "--vdev", "net_null0", "--vdev", "net_null1"]
        guard initializeEAL(arguments) != nil,
              let pool = cdpdk_pktmbuf_pool_create("\(name)_pool", 8191, 256, cdpdk_socket_id()) else { return nil }
        var step: UnsafePointer<CChar>? = nil
        for port in UInt16(0)..<2 {
            guard cdpdk_port_setup(port, 1, 1, 512, 512, pool, &step) == 0 else { return nil }
        }
        self.pool = pool
        let config = NodeConfig(
            ports: [PortConfig(name: "in", device: .index(0), boundary: .internal),
                    PortConfig(name: "out", device: .index(1), boundary: .internal)],
            authorities: [AuthorityConfig(name: "ca", authorityID: 7, keys: [1: KeyMaterial(bytes: Array(0..<16))!],
                                          scopes: .only([100, 101]), maxTrustLevel: 200, routeClasses: .only([1, 2]),
                                          maxLifetimeSeconds: 3600)],
            policies: [ScopePolicy(name: "a", scopeID: 100, routeClass: 1, action: .forward(egressPort: "out")),
                       ScopePolicy(name: "b", scopeID: 101, routeClass: 1, action: .forward(egressPort: "out"))],
            revoked: (0..<100_000).map { UInt64(0x1_0000_0000) + UInt64($0) * 7919 })
        tables = try! GovernTables(config: config, portID: { ["in": 0, "out": 1][$0] })
        pipeline = try! GovernPipeline(tables: tables)
        engine = GovernEngine(pipeline: pipeline, clock: UnixClock(fixed: now))
        valid = packGovernedFrames(size: frameLength, key: caKey, expiry: now + 600)
        forged = packGovernedFrames(size: frameLength, key: caKey, expiry: now + 600, forged: true)
        valid6 = packGovernedFrames(size: frameLength6, outerV6: true, innerV6: true, key: caKey, expiry: now + 600)
        var random: UInt64 = 0x6d69_7865_6421
        let pattern = (0..<(benchBurst * mixedBursts)).map { _ in
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return random >> 63 == 1
        }
        mixed = packGovernedFrames(count: pattern.count, size: frameLength, key: caKey, expiry: now + 600,
                                   forgedAt: { pattern[$0] })
        mbufs = .allocate(capacity: benchBurst)
        mbufs.initialize(repeating: nil, count: benchBurst)
    }

    /// Fresh mbufs holding the 32 frames of `length` bytes (118 unless given) at `frames`, as
    /// a PMD's receive hands them over.
    @inline(__always)
    public func receive(_ frames: UnsafeMutableRawPointer, length: Int? = nil) {
        let length = length ?? frameLength
        precondition(cdpdk_mbuf_alloc_bulk(pool, mbufs, UInt32(benchBurst)) == 0, "mempool exhausted")
        for i in 0..<benchBurst {
            let room = cdpdk_mbuf_append(mbufs[i]!, UInt16(length))!
            room.copyMemory(from: frames + i &* benchFrameStride, byteCount: length)
        }
    }

    /// Returns the burst's mbufs to the pool.
    @inline(__always)
    public func freeBurst() {
        cdpdk_mbuf_free_bulk(mbufs, UInt32(benchBurst))
    }

    /// Receive, decide and free one burst of `frames` (of `length` bytes, 118 unless given).
    @inline(__always)
    public func decide(_ frames: UnsafeMutableRawPointer, length: Int? = nil, stageCycles: StageCycles? = nil) {
        receive(frames, length: length)
        pipeline.decide(mbufs, count: benchBurst, ingress: 0, now: now, tsc: cdpdk_rdtsc(), stageCycles: stageCycles)
        freeBurst()
    }

    /// Receive one burst of valid frames, decide it and transmit it to net_null (the engine's path).
    @inline(__always)
    public func forwardValid() {
        receive(valid)
        engine.forward(mbufs, count: benchBurst, stream: stream, txQueue: 0, counters: counters)
    }

    /// The same with the next of the mixed bursts (valid and forged at random), in turn.
    @inline(__always)
    public func forwardMixed() {
        receive(mixed + nextMixed &* benchBurst &* benchFrameStride)
        nextMixed = nextMixed &+ 1 == mixedBursts ? 0 : nextMixed &+ 1
        engine.forward(mbufs, count: benchBurst, stream: stream, txQueue: 0, counters: counters)
    }
}
