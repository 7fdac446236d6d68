/// Classify: the policy of (scope, route class) (bulk lookup, once per distinct key), the
/// trust minimum, then the packet's constraints against the chosen egress port.
extension GovernPipeline {
    /// IP protocol of IPsec ESP (RFC 4303).
    static let ipProtocolESP: UInt8 = 50
    static let ipProtocolUDP: UInt8 = 17

    @inline(__always)
    func classifyStage(count: Int, ingress: UInt16, tsc: UInt64) {
        let b = state
        var keys = policyKeys
        keys.reset()
        for i in 0..<count where b.verdicts[i] == 0 && !b.flags[i].contains(.passed) {
            b.policySlot[i] = UInt8(truncatingIfNeeded: keys.slot(
                for: PolicyTable.key(scope: b.parsed[i].header.scope.rawValue, routeClass: b.parsed[i].header.routeClass.rawValue)))
        }
        if keys.count > 0 { keys.lookup(in: tables.policies.hash) }
        policyKeys = keys
        if keys.count == 0 { return }

        // Per-policy counts are kept in registers over a run of packets of one policy (most
        // bursts are one run) and added to the counters when the policy changes.
        let counters = policyCounters
        let policies = tables.policies.entries
        let ports = tables.ports.entries
        var run = -1
        var forwarded: UInt64 = 0
        var dropped: UInt64 = 0
        var single = b.singleEgress
        for i in 0..<count where b.verdicts[i] == 0 {
            if b.flags[i].contains(.passed) { continue }
            let position = keys.positions[Int(b.policySlot[i])]
            b.policyPosition[i] = position
            guard position >= 0 else {
                b.drop(i, .noPolicy)
                continue
            }
            if Int(position) != run {
                if run >= 0 {
                    counters[run &* 2] &+= forwarded
                    counters[run &* 2 &+ 1] &+= dropped
                }
                run = Int(position)
                forwarded = 0
                dropped = 0
            }
            if let reason = applyPolicy(i, b, policies[Int(position)], ports, ingress: ingress, tsc: tsc, single: &single) {
                b.drop(i, reason)
                dropped &+= 1
            } else {
                forwarded &+= 1
            }
        }
        if run >= 0 {
            counters[run &* 2] &+= forwarded
            counters[run &* 2 &+ 1] &+= dropped
        }
        b.singleEgress = single
    }

    /// `policy` for packet `i`: its drop reason, or nil after choosing the egress (and the
    /// audit copy's port). `ports` are the port entries; `single` see ``BurstState/send``.
    @inline(__always)
    func applyPolicy(_ i: Int, _ b: BurstState, _ policy: PolicyEntry, _ ports: UnsafeMutablePointer<PortEntry>,
                     ingress: UInt16, tsc: UInt64, single: inout Int32) -> DropReason? {
        if policy.egress == PolicyEntry.noPort { return .policyDrop }
        if b.parsed[i].header.trust.rawValue < policy.minTrust { return .trustBelowMinimum }
        let out = ports[Int(policy.egress)]
        let c = b.parsed[i].header.constraints
        if c.noExport && out.boundary == .external { return .noExport }
        if c.label > out.labelCeiling { return .labelCeiling }
        if c.encryptedOnly {
            let proto = b.parsed[i].innerProtocol
            let esp = proto == Self.ipProtocolESP
            let wireGuard = proto == Self.ipProtocolUDP && b.parsed[i].innerDestinationPort == wireGuardPort
            if !(esp || wireGuard) { return .encryptedOnly }
        }
        let rateClass = c.rateClass
        if rateClass != 0 && policy.meterCount > 0 {
            var m = Int(policy.meterStart)
            let end = m &+ Int(policy.meterCount)
            let meterSpecs = tables.policies.meters
            while m < end {
                if meterSpecs[m].rateClass == rateClass { break }
                m &+= 1
            }
            if m < end && meters.exceeded(m, length: mbufPacketLength(b.mbufs[i].unsafelyUnwrapped), tsc: tsc) {
                return .rateExceeded
            }
        }
        var audit = PortEntry.none
        if c.audit {
            audit = out.auditPort != PortEntry.none ? out.auditPort : ports[Int(ingress)].auditPort
            if audit != PortEntry.none {
                b.flags[i].insert(.audit)
                b.auditEgress[i] = audit
            }
        }
        b.send(i, to: policy.egress, audit: audit != PortEntry.none, single: &single)
        return nil
    }
}
