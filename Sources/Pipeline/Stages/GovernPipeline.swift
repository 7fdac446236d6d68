import CDPDK

/// The governed pipeline of one worker lcore: parse -> verify -> classify -> act over a
/// burst, every packet decided and edited before the engine sends any (l3fwd's
/// `l3fwd_em_send_packets`).
///
/// Every per-burst array is allocated here once, before packets flow. Each stage is an
/// extension in its own file (ParseStage.swift, VerifyStage.swift, ClassifyStage.swift,
/// ActStage.swift); a packet's verdict is set once, by the first check that fails, and
/// later stages skip it.
public final class GovernPipeline: @unchecked Sendable {
    public let tables: GovernTables
    let parser: GovParser
    let skew: UInt32
    let wireGuardPort: UInt16
    let meters: MeterSet

    /// Per-packet state of the current burst and the burst's scratch (BurstState.swift).
    public let state: BurstState
    /// 64 bytes for the MAC input of a header this gateway pushes.
    let pushScratch: UnsafeMutableRawPointer

    var authorityKeys: DistinctKeys
    var revocationKeys: DistinctKeys
    /// The (authority, epoch) the verify stage last looked up, so that the parse stage can
    /// resolve the packets that carry it (ParseStage.swift).
    var knownAuthority = KnownAuthority()
    let macBurst: MACBurst

    public let capacity: Int
    /// Per scope policy, by its position in the policy table (`PolicyTable.positions` maps
    /// configuration order to positions): packets forwarded (slot 2 * position) and dropped
    /// after their policy was found (2 * position + 1). Written by the worker that runs this
    /// pipeline; read by the main lcore for statistics.
    public let policyCounters: UnsafeMutablePointer<UInt64>
    /// Classify's decisions by governance tuple (Decisions.swift).
    let decisions = DecisionCache()

    public init(tables: GovernTables, workers: Int = 1, capacity: Int = maxBurst) throws {
        precondition(capacity >= 1 && capacity <= BurstState.capacity, "burst capacity must be 1...\(BurstState.capacity)")
        self.tables = tables
        self.capacity = capacity
        let settings = tables.config.settings
        parser = GovParser(udpPort: settings.udpPort)
        skew = settings.clockSkewSeconds
        wireGuardPort = settings.wireGuardPort
        meters = try MeterSet(tables.policies.meters, workers: workers)
        state = BurstState()
        pushScratch = .allocate(byteCount: MACInput.stride, alignment: 64)
        authorityKeys = DistinctKeys(capacity: capacity)
        revocationKeys = DistinctKeys(capacity: capacity)
        macBurst = MACBurst(capacity: capacity)
        let policySlots = tables.policies.slots * 2
        policyCounters = UnsafeMutableRawPointer.allocate(byteCount: policySlots * 8, alignment: 64)
            .bindMemory(to: UInt64.self, capacity: policySlots)
        policyCounters.initialize(repeating: 0, count: policySlots)
    }

    deinit {
        state.deallocate()
        pushScratch.deallocate()
        authorityKeys.deallocate(); revocationKeys.deallocate(); decisions.deallocate()
        UnsafeMutableRawPointer(policyCounters).deallocate()
    }

    // The per-packet arrays, for the engine and the tools that read a decided burst.
    @inlinable public var mbufs: UnsafeMutablePointer<Mbuf?> { state.mbufs }
    @inlinable public var frames: UnsafeMutablePointer<UnsafeMutableRawPointer> { state.frames }
    @inlinable public var parsed: UnsafeMutablePointer<ParsedPacket> { state.parsed }
    @inlinable public var verdicts: UnsafeMutablePointer<UInt8> { state.verdicts }
    @inlinable public var egress: UnsafeMutablePointer<UInt16> { state.egress }
    @inlinable public var flags: UnsafeMutablePointer<PacketFlags> { state.flags }
    @inlinable public var auditEgress: UnsafeMutablePointer<UInt16> { state.auditEgress }
    @inlinable public var authorityPosition: UnsafeMutablePointer<Int32> { state.authorityPosition }
    @inlinable public var policyPosition: UnsafeMutablePointer<Int32> { state.policyPosition }

    /// Decides every packet of a burst received on `ingress` and applies the packet edits
    /// (hop budget, strip, push). `now` is Unix time in seconds; `tsc` the time-stamp counter
    /// for the meters. Afterwards `verdicts[i]` is 0 for a packet to send out of `egress[i]`
    /// (with an audit copy when `flags[i]` has `.audit`), else its drop reason.
    ///
    /// With `stageCycles` each stage walks the burst on its own between two TSC reads;
    /// without, the verify, classify and act stages share one walk
    /// (``verifyClassifyAndActStage``). The outcome is the same either way: both classify the
    /// packets in burst order (DecisionCacheTests runs both).
    @inline(__always)
    public func decide(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, ingress: UInt16, now: UInt32, tsc: UInt64,
                       stageCycles: StageCycles?) {
        if let stageCycles {
            var t0 = readTSC()
            parseStage(burst, count: count, ingress: ingress, now: now)
            var t1 = readTSC(); stageCycles.add(.parse, t1 &- t0); t0 = t1
            _ = verifyStage(count: count, now: now) { _ in }
            t1 = readTSC(); stageCycles.add(.verify, t1 &- t0); t0 = t1
            classifyStage(count: count, ingress: ingress, tsc: tsc)
            t1 = readTSC(); stageCycles.add(.classify, t1 &- t0); t0 = t1
            actStage(count: count)
            t1 = readTSC(); stageCycles.add(.act, t1 &- t0)
        } else {
            parseStage(burst, count: count, ingress: ingress, now: now)
            verifyClassifyAndActStage(count: count, ingress: ingress, now: now, tsc: tsc)
        }
    }

}

/// What the stages noted about a packet besides its verdict.
public struct PacketFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Ungoverned, passed unchanged by the ingress port's `pass` action.
    public static let passed = PacketFlags(rawValue: 1 << 0)
    /// Ungoverned, given a governance header by this gateway (already sealed: skip verify).
    public static let pushed = PacketFlags(rawValue: 1 << 1)
    /// Send an AUDIT copy to `auditPort`.
    public static let audit = PacketFlags(rawValue: 1 << 2)
    /// Carrier and governance header removed (egress through a legacy or gateway port).
    public static let stripped = PacketFlags(rawValue: 1 << 3)
    /// The egress port faces hosts without GOV: the act stage strips the carrier and header.
    public static let strip = PacketFlags(rawValue: 1 << 4)
}

/// Per-worker srTCM meters, one per configured (policy, rate class). Each worker meters its
/// own share: the configured rate divided by the number of workers.
final class MeterSet {
    let meters: OpaquePointer?
    let packets: [Bool]

    init(_ specs: [MeterSpec], workers: Int) throws {
        packets = specs.map(\.packets)
        guard !specs.isEmpty else { meters = nil; return }
        guard let m = cdpdk_meters_create(UInt32(specs.count)) else { throw TableError("cannot allocate \(specs.count) meters") }
        meters = m
        let share = UInt64(max(workers, 1))
        for (i, s) in specs.enumerated() {
            // srTCM counts bytes: a packet meter counts each packet as one "byte".
            let rate = max(s.rate / share, 1)
            let burst = max(s.burst, 1)
            // No excess bucket: a packet is green within the committed burst, else red.
            let rc = cdpdk_meter_config(m, UInt32(i), rate, burst, 0)
            guard rc == 0 else { throw TableError("meter \(i): rte_meter configuration refused: \(dpdkError(-rc))") }
        }
    }

    deinit { if let meters { cdpdk_meters_free(meters) } }

    /// True when meter `i` marks a packet of `length` bytes red at TSC time `tsc`.
    @inline(__always)
    func exceeded(_ i: Int, length: Int, tsc: UInt64) -> Bool {
        let len = packets[i] ? 1 : UInt32(truncatingIfNeeded: length)
        return cdpdk_meter_check(meters, UInt32(i), tsc, len) == 2
    }
}
