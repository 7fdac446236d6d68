/// The local policy of a (scope, route class), at its position in ``PolicyTable``.
public struct PolicyEntry {
    public static let noPort = UInt16.max
    /// The egress port id, or `noPort` when the policy drops.
    public var egress: UInt16
    public var minTrust: UInt8
    public var scope: UInt32
    /// This policy's meters: `meterCount` entries of ``PolicyTable/meters`` from `meterStart`.
    public var meterStart: Int32
    public var meterCount: Int32
}

/// One rate meter of a policy: srTCM per (scope, rate class).
public struct MeterSpec: Sendable {
    public var rateClass: UInt8
    /// Packets or bytes per second, and the burst in the same unit.
    public var packets: Bool
    public var rate: UInt64
    public var burst: UInt64
}

/// (scope, route class) -> policy.
public final class PolicyTable: @unchecked Sendable {
    /// ``key(scope:routeClass:)`` to the position of its entry.
    public let hash: HashTable
    public let entries: UnsafeMutablePointer<PolicyEntry>
    public let meters: [MeterSpec]
    public let policies: [ScopePolicy]
    /// Positions run below this; per-position arrays (counters) have this many entries.
    public let slots: Int
    /// The position of each policy, by its index in the configuration.
    public let positions: [Int]

    @inline(__always) public static func key(scope: UInt32, routeClass: UInt8) -> UInt64 {
        UInt64(scope) << 8 | UInt64(routeClass)
    }

    /// `portID` maps a configured port name to its DPDK port id.
    public init(_ policies: [ScopePolicy], portID: (String) -> UInt16?) throws {
        self.policies = policies
        let capacity = max(policies.count, 1) * 2
        hash = try HashTable(name: "gov_policy", capacity: capacity)
        let slots = capacity * 2 + 64
        self.slots = slots
        entries = .allocate(capacity: slots)
        var meters: [MeterSpec] = []
        var positions: [Int] = []
        for p in policies {
            let egress: UInt16
            switch p.action {
            case .drop: egress = PolicyEntry.noPort
            case .forward(let name):
                guard let id = portID(name) else { throw TableError("policy \(p.name): egress port \(name) has no DPDK port") }
                egress = id
            }
            let start = meters.count
            for m in p.meters {
                meters.append(MeterSpec(rateClass: m.rateClass, packets: m.unit == .packets, rate: m.committedRate, burst: m.burst))
            }
            let pos = try hash.add(Self.key(scope: p.scopeID, routeClass: p.routeClass))
            precondition(pos < slots, "rte_hash position beyond the value array")
            positions.append(pos)
            entries[pos] = PolicyEntry(egress: egress, minTrust: p.minTrustLevel, scope: p.scopeID,
                                       meterStart: Int32(start), meterCount: Int32(meters.count - start))
        }
        self.meters = meters
        self.positions = positions
    }

    deinit { entries.deallocate() }
}
