import CDPDK

/// What one lcore counted for one port. Single writer (the lcore), any reader.
///
/// Packets are accounted at their ingress port: every received packet is either
/// `forwarded` (accepted by a tx queue) or `dropped`, so `rxPackets == forwarded + dropped`
/// once the lcore has stopped (plus `generated` in txonly mode). `txPackets` counts what left through this port, audit
/// copies excluded; those are `auditCopies` on the audit port.
public struct PortCounters {
    public var rxPackets: UInt64 = 0
    public var forwarded: UInt64 = 0
    public var dropped: UInt64 = 0
    public var txPackets: UInt64 = 0
    public var auditCopies: UInt64 = 0
    public var txFull: UInt64 = 0
    /// Packets made by this node (txonly), not received: accounted as `rx + generated ==
    /// forwarded + dropped`, generated ones at the port they are sent from.
    public var generated: UInt64 = 0

    public init() {}

    public static func += (lhs: inout PortCounters, rhs: PortCounters) {
        lhs.rxPackets &+= rhs.rxPackets
        lhs.forwarded &+= rhs.forwarded
        lhs.dropped &+= rhs.dropped
        lhs.txPackets &+= rhs.txPackets
        lhs.auditCopies &+= rhs.auditCopies
        lhs.txFull &+= rhs.txFull
        lhs.generated &+= rhs.generated
    }
}

/// The counter block of one lcore, allocated before packets flow and cache-line aligned so
/// two lcores never share a line (l3fwd's `lcore_conf`, OVS's per-PMD stats).
///
/// The worker that owns it is the only writer; the main lcore reads it for statistics.
/// Aligned 8-byte loads and stores do not tear on the platforms DPDK supports, so a reader
/// sees each counter at some recent value.
public final class LcoreCounters: @unchecked Sendable {
    /// Per-port counters, indexed by DPDK port id.
    public let ports: UnsafeMutablePointer<PortCounters>
    /// Per-reason drop counters, indexed by the reason's numeric code.
    public let reasons: UnsafeMutablePointer<UInt64>
    /// Bursts that returned at least one packet, and polls that returned none.
    public let polls: UnsafeMutablePointer<UInt64>

    public static let reasonSlots = 256
    public let portSlots: Int

    public init(portSlots: Int = maxPortSlots) {
        self.portSlots = portSlots
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: portSlots * MemoryLayout<PortCounters>.stride + 64, alignment: 64)
        ports = raw.bindMemory(to: PortCounters.self, capacity: portSlots)
        ports.initialize(repeating: PortCounters(), count: portSlots)
        reasons = UnsafeMutableRawPointer.allocate(byteCount: Self.reasonSlots * 8, alignment: 64)
            .bindMemory(to: UInt64.self, capacity: Self.reasonSlots)
        reasons.initialize(repeating: 0, count: Self.reasonSlots)
        polls = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
            .bindMemory(to: UInt64.self, capacity: 2)
        polls.initialize(repeating: 0, count: 2)
    }

    deinit {
        UnsafeMutableRawPointer(ports).deallocate()
        UnsafeMutableRawPointer(reasons).deallocate()
        UnsafeMutableRawPointer(polls).deallocate()
    }
}

/// RTE_MAX_ETHPORTS: the most ports a counter block has room for.
public let maxPortSlots = Int(cdpdk_max_ethports())
