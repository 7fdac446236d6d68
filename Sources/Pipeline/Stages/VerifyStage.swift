import CDPDK

/// Verify: authority-key lookup (bulk, once per distinct key), expiry and lifetime, the
/// MACs of the burst computed interleaved, then revocation (bulk behind a filter). The
/// entitlement checks come next, in the classify stage's decision per tuple. Runs over
/// the packets the parse stage gathered (`macIndex[0..<macCandidates]`, their MAC inputs
/// and tag addresses in place). The parse stage has already resolved the packets that carry
/// the (authority, epoch) looked up last (``KnownAuthority``); the lookup and the walk before
/// the MACs are for the others, and a burst without any skips them.
extension GovernPipeline {
    /// Verifies the gathered packets and hands each one that passes to `pass` at once, in the
    /// order of the burst: the walk that drops the bad MACs goes straight on to the classify
    /// and act stages (``verifyClassifyAndActStage``), the packet's state still in registers.
    /// The order is kept whole, because a meter sees the packets of a policy in the order it
    /// is given them: the handing over stops at the first packet whose capability id the
    /// revocation filter cannot rule out (it waits for the bulk lookup), and does not start in
    /// a burst that holds packets this gateway pushed (the verify stage does not see them).
    /// Returns where the rest begins: every packet still going from that burst position on is
    /// left to the caller, to take in burst order; `count` when none is left. A caller that
    /// times the stages apart ignores what is handed over and takes every packet afterwards.
    @inline(__always)
    func verifyStage(count: Int, now: UInt32, pass: (Int) -> Void) -> Int {
        let b = state
        let handOver = b.pushed == 0
        var rest = handOver ? count : 0
        let candidates = b.macCandidates
        if candidates == 0 { return rest }
        let mac = macBurst.view
        var macs = candidates
        if authorityKeys.count > 0 {
            macs = resolveAuthorities(candidates: candidates, now: now)
        }

        // The MACs, interleaved across the burst, each compared with its packet's tag in
        // constant time. The revocation filter rules out almost every capability id of a packet
        // whose MAC verifies; the few it cannot rule out are looked up in one bulk call.
        macBurst.computeAndCompare(count: macs)
        // The filter's words, not the table: a reference to the table held across `pass`,
        // which may call out of line, would be retained and released every burst.
        let filter = tables.revocations.filter
        var n = 0
        if handOver {
            while n < macs {
                let i = Int(b.macIndex[n])
                if mac.equal[n] == 0 {
                    b.drop(i, .badMAC)
                } else if filter.mayContain(hash: b.filterHash[i]) {
                    rest = i
                    break
                } else {
                    pass(i)
                }
                n &+= 1
            }
        }
        // From the first packet left to the caller on: the verify stage's checks only.
        var revoked = revocationKeys
        revoked.reset()
        var deferred = 0
        while n < macs {
            let i = Int(b.macIndex[n])
            if mac.equal[n] == 0 {
                b.drop(i, .badMAC)
            } else if filter.mayContain(hash: b.filterHash[i]) {
                b.authoritySlot[i] = UInt8(truncatingIfNeeded: revoked.slot(for: b.parsed[i].header.capability.rawValue))
                b.macIndex[deferred] = UInt8(truncatingIfNeeded: i)
                deferred &+= 1
            }
            n &+= 1
        }
        if deferred > 0 {
            revoked.lookup(in: tables.revocations.hash)
            for k in 0..<deferred {
                let i = Int(b.macIndex[k])
                if revoked.positions[Int(b.authoritySlot[i])] >= 0 { b.drop(i, .revoked) }
            }
        }
        revocationKeys = revoked
        return rest
    }

    /// The (authority, epoch) lookup of the packets the parse stage could not resolve, one
    /// bulk call for the burst's distinct keys, then their known-key, expiry and lifetime
    /// checks. A packet dropped here leaves a gap in the MAC inputs, closed by moving the
    /// later ones down (only drops make a gap). Returns the number of MACs to compute.
    @inline(never)
    func resolveAuthorities(candidates: Int, now: UInt32) -> Int {
        let b = state
        let authorities = tables.authorities
        let entries = authorities.entries
        let mac = macBurst.view
        var keys = authorityKeys
        keys.lookup(in: authorities.byEpoch)
        authorityKeys = keys
        // The parse stage resolves the first key of this burst from the next burst on.
        let first = keys.positions[0]
        if first >= 0 {
            knownAuthority = KnownAuthority(wireKey: AuthorityTable.wireKey(key: keys.keys[0]), position: first,
                                            maxLifetime: entries[Int(first)].maxLifetime,
                                            expandedKey: UnsafePointer(authorities.keys + Int(first)))
        }
        var macs = 0
        for n in 0..<candidates {
            let i = Int(b.macIndex[n])
            let slot = b.authoritySlot[i]
            if slot != BurstState.resolved {
                let position = keys.positions[Int(slot)]
                guard position >= 0 else {
                    b.drop(i, authorities.knowsAuthority(b.parsed[i].header.authority.rawValue) ? .unknownEpoch : .unknownAuthority)
                    continue
                }
                b.authorityPosition[i] = position
                let maxLifetime = entries[Int(position)].maxLifetime
                if let reason = b.parsed[i].header.checkExpiry(now: UInt64(now), skew: skew, maxLifetime: maxLifetime) {
                    b.drop(i, reason)
                    continue
                }
                mac.keys[n] = UnsafePointer(authorities.keys + Int(position))
            }
            if macs != n { mac.move(n, to: macs) }
            b.macIndex[macs] = UInt8(truncatingIfNeeded: i)
            macs &+= 1
        }
        return macs
    }
}
