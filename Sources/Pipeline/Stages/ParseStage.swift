import CDPDK

/// Parse: locate the carrier, the governance header and the inner addresses of every
/// packet; run the checks that need no table; handle ungoverned packets by the ingress
/// port's action (drop, pass, or push at a gateway).
///
/// While a governed packet's bytes are in cache, the stage also gathers what the verify
/// stage needs of it: its (authority, epoch) in the burst's distinct keys, its MAC input,
/// and its capability id's revocation-filter hash, prefetching the word it selects. The
/// verify stage then runs over `macIndex[0..<macCandidates]` only.
extension GovernPipeline {
    @inline(__always)
    func parseStage(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, ingress: UInt16, now: UInt32) {
        let b = state
        let port = tables.ports.entries[Int(ingress)]
        let filter = tables.revocations.filter
        let parser = self.parser
        let mac = macBurst.view
        var keys = authorityKeys
        keys.reset()
        var single = BurstState.noEgress
        b.drops = 0
        // The receive burst has just written the mbuf headers; start loading every packet's
        // first cache line before the loop reads the first one.
        prefetchData(burst, count)
        b.mbufs.update(from: burst, count: count)
        b.verdicts.update(repeating: 0, count: count)
        b.flags.update(repeating: [], count: count)
        b.policyPosition.update(repeating: -1, count: count)
        var candidates = 0
        for i in 0..<count {
            let m = burst[i].unsafelyUnwrapped
            let frame = mbufData(m)
            b.frames[i] = frame
            parser.parse(frame, length: mbufDataLength(m), into: &b.parsed[i])
            guard let reason = b.parsed[i].drop else {
                // The header's fields from the packet itself, not read back from the result
                // just stored (a narrow load from a wide store is not forwarded here).
                let wire = (UnsafeRawPointer(frame) + Int(b.parsed[i].govOffset)).loadUnaligned(as: SIMD4<UInt64>.self)
                let header = GovHeader(wire: wire)
                b.authoritySlot[i] = UInt8(truncatingIfNeeded: keys.slot(for: AuthorityTable.key(
                    authority: header.authority.rawValue, epoch: header.epoch.rawValue)))
                mac.blockCounts[candidates] = MACInput.write(
                    headerWire: wire, addresses: UnsafeRawPointer(frame) + Int(b.parsed[i].innerSourceOffset),
                    innerVersion: b.parsed[i].innerVersion, into: mac.slot(candidates))
                let hash = filter.hash(header.capability.rawValue)
                b.filterHash[i] = hash
                b.prefetchScratch[candidates] = filter.wordAddress(hash: hash)
                b.macIndex[candidates] = UInt8(truncatingIfNeeded: i)
                candidates &+= 1
                continue
            }
            if reason != .notGoverned {
                b.drop(i, reason)
                continue
            }
            switch port.ungoverned {
            case .drop:
                b.drop(i, .notGoverned)
            case .pass:
                b.flags[i] = .passed
                b.send(i, to: port.passEgress, single: &single)
            case .push:
                pushGovernanceHeader(i, ingress: ingress, now: now)
            }
        }
        authorityKeys = keys
        b.singleEgress = single
        b.macCandidates = candidates
        // The verify stage tests each capability id against the revocation filter after
        // the MACs: have the filter words in cache by then.
        prefetch(b.prefetchScratch, candidates)
    }
}
