import CDPDK

/// Parse: locate the carrier, the governance header and the inner addresses of every
/// packet; run the checks that need no table; handle ungoverned packets by the ingress
/// port's action (drop, pass, or push at a gateway).
extension GovernPipeline {
    /// How many packets ahead the parse stage prefetches packet data.
    static let prefetchAhead = 4

    @inline(__always)
    func parseStage(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, ingress: UInt16, now: UInt32) {
        let port = tables.ports.entries[Int(ingress)]
        // Prefetch every mbuf header, then keep the packet data a few packets ahead
        // (l3fwd's PREFETCH_OFFSET): the loads of a packet's headers must not wait on memory.
        for i in 0..<count { cdpdk_mbuf_prefetch_header(burst[i].unsafelyUnwrapped) }
        for i in 0..<min(count, Self.prefetchAhead) { cdpdk_mbuf_prefetch_data(burst[i].unsafelyUnwrapped) }
        for i in 0..<count {
            let m = burst[i].unsafelyUnwrapped
            mbufs[i] = m
            if i &+ Self.prefetchAhead < count { cdpdk_mbuf_prefetch_data(burst[i &+ Self.prefetchAhead].unsafelyUnwrapped) }
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
