/// Classify: the policy of (scope, route class) (bulk lookup, once per distinct key), the
/// trust minimum, then the packet's constraints against the chosen egress port.
extension GovernPipeline {
    /// IP protocol of IPsec ESP (RFC 4303).
    static let ipProtocolESP: UInt8 = 50
    static let ipProtocolUDP: UInt8 = 17

    @inline(__always)
    func classifyStage(count: Int, ingress: UInt16, tsc: UInt64) {
        let policies = tables.policies
        let ports = tables.ports.entries

        policyKeys.reset()
        for i in 0..<count where verdicts[i] == 0 && !flags[i].contains(.passed) {
            let h = parsed[i].header
            policySlot[i] = UInt8(truncatingIfNeeded: policyKeys.slot(
                for: PolicyTable.key(scope: h.scope.rawValue, routeClass: h.routeClass.rawValue)))
        }
        if policyKeys.count > 0 { policyKeys.lookup(in: policies.hash) }

        for i in 0..<count where verdicts[i] == 0 {
            if flags[i].contains(.passed) { continue }
            let position = policyKeys.positions[Int(policySlot[i])]
            policyPosition[i] = position
            guard position >= 0 else {
                drop(i, .noPolicy)
                continue
            }
            let policy = policies.entries[Int(position)]
            let h = parsed[i].header
            if policy.egress == PolicyEntry.noPort {
                drop(i, .policyDrop)
                continue
            }
            if h.trust.rawValue < policy.minTrust {
                drop(i, .trustBelowMinimum)
                continue
            }
            let out = ports[Int(policy.egress)]
            let c = h.constraints
            if c.noExport && out.boundary == .external {
                drop(i, .noExport)
                continue
            }
            if c.label > out.labelCeiling {
                drop(i, .labelCeiling)
                continue
            }
            if c.encryptedOnly {
                let p = parsed[i]
                let esp = p.innerProtocol == Self.ipProtocolESP
                let wireGuard = p.innerProtocol == Self.ipProtocolUDP && p.innerDestinationPort == wireGuardPort
                if !(esp || wireGuard) {
                    drop(i, .encryptedOnly)
                    continue
                }
            }
            let rateClass = c.rateClass
            if rateClass != 0 && policy.meterCount > 0 {
                var m = Int(policy.meterStart)
                let end = m &+ Int(policy.meterCount)
                while m < end {
                    if policies.meters[m].rateClass == rateClass { break }
                    m &+= 1
                }
                if m < end && meters.exceeded(m, length: mbufPacketLength(mbufs[i].unsafelyUnwrapped), tsc: tsc) {
                    drop(i, .rateExceeded)
                    continue
                }
            }
            egress[i] = policy.egress
            if c.audit {
                let audit = out.auditPort != PortEntry.none ? out.auditPort : ports[Int(ingress)].auditPort
                if audit != PortEntry.none {
                    flags[i].insert(.audit)
                    auditEgress[i] = audit
                }
            }
        }
    }
}
