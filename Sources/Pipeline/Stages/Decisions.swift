/// What the checks after revocation decide for every packet that shares a governance
/// tuple: header bytes 4..19 (scope, trust, route class, epoch, authority, constraints),
/// the ingress port, and whether this node pushed the header. Those checks (entitlements,
/// the policy of (scope, route class), its trust minimum, NO_EXPORT and the label ceiling
/// against the egress port, the audit port, stripping) read nothing else, so they run once
/// per tuple, not once per packet. Two checks stay per packet: ENCRYPTED_ONLY (the inner
/// protocol) and the rate meter (time and length); the decision says whether they apply.
struct Decision {
    /// The first check that fails, or nil to forward.
    var reason: DropReason? = nil
    /// ENCRYPTED_ONLY is set: the inner packet must be ESP or WireGuard.
    var encryptedOnly = false
    /// The egress port faces hosts without GOV (legacy or gateway): strip the header.
    var strip = false
    /// The egress port of a forwarded packet.
    var egress: UInt16 = PortEntry.none
    /// Port of the AUDIT copy, or `PortEntry.none`.
    var audit: UInt16 = PortEntry.none
    /// Position of the policy in its table, -1 when the packet was dropped before one was found.
    var policy: Int32 = -1
    /// Index of the rate meter that applies (``MeterSet``), or -1.
    var meter: Int32 = -1
    /// Forward to `egress` with nothing else to check or do (most traffic).
    var plain = false
}

/// A worker's decisions by tuple: direct-mapped, 64 entries, kept across bursts (the
/// tables never change under a pipeline; a reload builds new pipelines). Only packets
/// whose MAC verified, or whose header this node sealed, reach it, so its keys are
/// authentic: nobody without an authority's key can make it miss. A miss costs up to two
/// single-key `rte_hash` lookups (the scope entitlement, the policy).
struct DecisionCache {
    struct Entry {
        var k0: UInt64
        var k1: UInt64
        /// `ingress | pushed << 16 | 1 << 17` (the last bit: the entry is filled).
        var tag: UInt32
        var decision: Decision
    }

    static let bits: UInt64 = 6
    let entries: UnsafeMutablePointer<Entry>

    init() {
        entries = .allocate(capacity: 1 << Int(Self.bits))
        entries.initialize(repeating: Entry(k0: 0, k1: 0, tag: 0, decision: Decision()), count: 1 << Int(Self.bits))
    }

    func deallocate() { entries.deallocate() }

    /// The tuple of a header from its wire words (``ParsedPacket/headerWire``): bytes 4..7
    /// and 16..19 in one word, bytes 8..15 in the other (each word in little-endian order
    /// first, as ``GovHeader/init(wire:)`` reads them).
    @inline(__always)
    static func tuple(_ wire: SIMD4<UInt64>) -> (UInt64, UInt64) {
        (UInt64(littleEndian: wire[0]) >> 32 | UInt64(littleEndian: wire[2]) << 32, UInt64(littleEndian: wire[1]))
    }

    @inline(__always)
    static func tag(ingress: UInt16, pushed: Bool) -> UInt32 {
        UInt32(ingress) | (pushed ? 1 << 16 : 0) | 1 << 17
    }

    @inline(__always)
    static func index(_ k0: UInt64, _ k1: UInt64, _ tag: UInt32) -> Int {
        let h = (k0 ^ (k1 &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(tag)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> (64 &- Self.bits))
    }

    /// The entry the key maps to, and whether it holds this key's decision.
    @inline(__always)
    func entry(_ k0: UInt64, _ k1: UInt64, _ tag: UInt32) -> (UnsafeMutablePointer<Entry>, hit: Bool) {
        let e = entries + Self.index(k0, k1, tag)
        return (e, e.pointee.k0 == k0 && e.pointee.k1 == k1 && e.pointee.tag == tag)
    }
}

extension GovernPipeline {
    /// The decision for packet `i`'s tuple, from the cache or, on a miss, computed and stored.
    @inline(__always)
    func decision(_ i: Int, _ b: BurstState, _ k0: UInt64, _ k1: UInt64, _ tag: UInt32, ingress: UInt16) -> Decision {
        let (e, hit) = decisions.entry(k0, k1, tag)
        if hit { return e.pointee.decision }
        let d = decide(i, b, ingress: ingress, pushed: tag & 1 << 16 != 0)
        e.pointee = DecisionCache.Entry(k0: k0, k1: k1, tag: tag, decision: d)
        return d
    }

    /// Runs the tuple's checks for packet `i`, in the order of DESIGN section 1.6. A header
    /// this node pushed was sealed with its own authority's key: its entitlements are not checked.
    @inline(never)
    func decide(_ i: Int, _ b: BurstState, ingress: UInt16, pushed: Bool) -> Decision {
        let header = b.parsed[i].header
        var d = Decision()
        if !pushed {
            let authorities = tables.authorities
            let entry = authorities.entries[Int(b.authorityPosition[i])]
            if !entry.allScopes && !authorities.entitles(authority: header.authority.rawValue, scope: header.scope.rawValue) {
                d.reason = .scopeNotEntitled
                return d
            }
            if header.trust.rawValue > entry.maxTrust {
                d.reason = .trustNotEntitled
                return d
            }
            if !entry.allowsRouteClass(header.routeClass.rawValue) {
                d.reason = .routeClassNotEntitled
                return d
            }
        }
        let policies = tables.policies
        let position = policies.hash.lookup(PolicyTable.key(scope: header.scope.rawValue, routeClass: header.routeClass.rawValue))
        guard position >= 0 else {
            d.reason = .noPolicy
            return d
        }
        d.policy = position
        let policy = policies.entries[Int(position)]
        if policy.egress == PolicyEntry.noPort {
            d.reason = .policyDrop
            return d
        }
        if header.trust.rawValue < policy.minTrust {
            d.reason = .trustBelowMinimum
            return d
        }
        let ports = tables.ports.entries
        let out = ports[Int(policy.egress)]
        let c = header.constraints
        if c.noExport && out.boundary == .external {
            d.reason = .noExport
            return d
        }
        if c.label > out.labelCeiling {
            d.reason = .labelCeiling
            return d
        }
        d.encryptedOnly = c.encryptedOnly
        if c.rateClass != 0 {
            let start = Int(policy.meterStart)
            for m in start..<start &+ Int(policy.meterCount) where policies.meters[m].rateClass == c.rateClass {
                d.meter = Int32(m)
                break
            }
        }
        if c.audit {
            d.audit = out.auditPort != PortEntry.none ? out.auditPort : ports[Int(ingress)].auditPort
        }
        d.egress = policy.egress
        d.strip = out.boundary == .legacy || out.boundary == .gateway
        d.plain = !d.encryptedOnly && !d.strip && d.audit == PortEntry.none && d.meter < 0
        return d
    }
}
