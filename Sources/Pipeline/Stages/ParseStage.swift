import CDPDK

/// Parse: locate the carrier, the governance header and the inner addresses of every
/// packet; run the checks that need no table; handle ungoverned packets by the ingress
/// port's action (drop, pass, or push at a gateway).
extension GovernPipeline {
    @inline(__always)
    func parseStage(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, ingress: UInt16, now: UInt32) {
        let port = tables.ports.entries[Int(ingress)]
        for i in 0..<count {
            let m = burst[i].unsafelyUnwrapped
            mbufs[i] = m
            if i &+ 1 < count { cdpdk_mbuf_prefetch_data(burst[i &+ 1].unsafelyUnwrapped) }
            let frame = mbufData(m)
            frames[i] = frame
            verdicts[i] = 0
            flags[i] = []
            policyPosition[i] = -1
            parser.parse(frame, length: mbufDataLength(m), into: &parsed[i])
            guard let reason = parsed[i].drop else { continue }
            if reason != .notGoverned {
                drop(i, reason)
                continue
            }
            switch port.ungoverned {
            case .drop:
                drop(i, .notGoverned)
            case .pass:
                flags[i] = .passed
                egress[i] = port.passEgress
            case .push:
                pushGovernanceHeader(i, ingress: ingress, now: now)
            }
        }
    }
}
