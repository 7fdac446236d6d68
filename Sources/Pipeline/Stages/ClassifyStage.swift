/// Classify: the entitlements, the policy of (scope, route class), its trust minimum and the
/// constraints against the chosen egress port. All but two depend only on the packet's
/// governance tuple, so they are decided once per tuple (``Decision``, kept in the worker's
/// ``DecisionCache``); per packet remain ENCRYPTED_ONLY and the rate meter.
extension GovernPipeline {
    /// IP protocol of IPsec ESP (RFC 4303).
    static let ipProtocolESP: UInt8 = 50
    static let ipProtocolUDP: UInt8 = 17

    @inline(__always)
    func classifyStage(count: Int, ingress: UInt16, tsc: UInt64) {
        let b = state
        let counters = policyCounters
        // The last tuple and its decision stay in registers: most bursts are one tuple.
        var last: (UInt64, UInt64, UInt32) = (0, 0, 0)
        var d = Decision()
        // Per-policy counts are kept in registers over a run of packets of one policy and
        // added to the counters when the policy changes.
        var run = -1
        var forwarded: UInt64 = 0
        var dropped: UInt64 = 0
        var single = b.singleEgress
        for i in 0..<count where b.verdicts[i] == 0 {
            let f = b.flags[i]
            if f.contains(.passed) { continue }
            let (k0, k1) = DecisionCache.tuple(b.parsed[i].headerWire)
            let tag = DecisionCache.tag(ingress: ingress, pushed: f.contains(.pushed))
            if k0 != last.0 || k1 != last.1 || tag != last.2 {
                d = decision(i, b, k0, k1, tag, ingress: ingress)
                last = (k0, k1, tag)
                if Int(d.policy) != run {
                    if run >= 0 {
                        counters[run &* 2] &+= forwarded
                        counters[run &* 2 &+ 1] &+= dropped
                    }
                    run = Int(d.policy)
                    forwarded = 0
                    dropped = 0
                }
            }
            b.policyPosition[i] = d.policy
            if d.plain {
                b.send(i, to: d.egress, single: &single)
                forwarded &+= 1
                continue
            }
            var reason = d.reason
            if reason == nil && d.encryptedOnly && !isEncrypted(b.parsed[i]) {
                reason = .encryptedOnly
            }
            if reason == nil && d.meter >= 0
                && meters.exceeded(Int(d.meter), length: mbufPacketLength(b.mbufs[i].unsafelyUnwrapped), tsc: tsc) {
                reason = .rateExceeded
            }
            if let reason {
                b.drop(i, reason)
                dropped &+= 1
                continue
            }
            var flags = f
            if d.audit != PortEntry.none {
                flags.insert(.audit)
                b.auditEgress[i] = d.audit
            }
            if d.strip { flags.insert(.strip) }
            b.flags[i] = flags
            b.send(i, to: d.egress, audit: d.audit != PortEntry.none, single: &single)
            forwarded &+= 1
        }
        if run >= 0 {
            counters[run &* 2] &+= forwarded
            counters[run &* 2 &+ 1] &+= dropped
        }
        b.singleEgress = single
    }

    /// ENCRYPTED_ONLY holds: the inner packet is IPsec ESP or WireGuard (UDP to its port).
    @inline(__always)
    func isEncrypted(_ p: ParsedPacket) -> Bool {
        p.innerProtocol == Self.ipProtocolESP
            || (p.innerProtocol == Self.ipProtocolUDP && p.innerDestinationPort == wireGuardPort)
    }
}
