import CDPDK

/// Verify: authority-key lookup (bulk, once per distinct key), expiry and lifetime, the
/// MACs of the burst computed interleaved, revocation (bulk), then entitlements.
extension GovernPipeline {
    @inline(__always)
    func verifyStage(count: Int, now: UInt32) {
        let authorities = tables.authorities

        // Authority and epoch: one bulk lookup of the burst's distinct keys.
        authorityKeys.reset()
        for i in 0..<count where verdicts[i] == 0 && flags[i].isEmpty {
            let h = parsed[i].header
            authoritySlot[i] = UInt8(truncatingIfNeeded: authorityKeys.slot(
                for: AuthorityTable.key(authority: h.authority.rawValue, epoch: h.epoch.rawValue)))
        }
        if authorityKeys.count == 0 { return }
        authorityKeys.lookup(in: authorities.byEpoch)

        // Known key, expiry and lifetime; gather the MAC inputs of the packets still going.
        var macs = 0
        for i in 0..<count where verdicts[i] == 0 && flags[i].isEmpty {
            let position = authorityKeys.positions[Int(authoritySlot[i])]
            guard position >= 0 else {
                drop(i, authorities.knowsAuthority(parsed[i].header.authority.rawValue) ? .unknownEpoch : .unknownAuthority)
                continue
            }
            authorityPosition[i] = position
            let entry = authorities.entries[Int(position)]
            if let reason = parsed[i].header.checkExpiry(now: UInt64(now), skew: skew, maxLifetime: entry.maxLifetime) {
                drop(i, reason)
                continue
            }
            macBurst.load(macs, frame: UnsafeRawPointer(frames[i]), parsed: parsed[i],
                          key: UnsafePointer(authorities.keys + Int(position)))
            macIndex[macs] = UInt8(truncatingIfNeeded: i)
            macs &+= 1
        }

        // The MACs, interleaved across the burst; constant-time comparison. A packet whose
        // MAC verifies goes on in the same pass: the revocation filter rules out almost
        // every capability id, and then the entitlements are checked. The few ids the
        // filter cannot rule out wait for one bulk lookup, so that `revoked` still comes
        // before the entitlement reasons.
        macBurst.compute(count: macs)
        let revocations = tables.revocations
        revocationKeys.reset()
        var deferred = 0
        for n in 0..<macs {
            let i = Int(macIndex[n])
            if !macBurst.verify(n, against: UnsafeRawPointer(frames[i]) + parsed[i].macOffset) {
                drop(i, .badMAC)
                continue
            }
            let id = parsed[i].header.capability.rawValue
            if revocations.mayContain(id) {
                authoritySlot[i] = UInt8(truncatingIfNeeded: revocationKeys.slot(for: id))
                macIndex[deferred] = UInt8(truncatingIfNeeded: i)
                deferred &+= 1
            } else {
                checkEntitlements(i)
            }
        }
        if deferred == 0 { return }
        revocationKeys.lookup(in: revocations.hash)
        for n in 0..<deferred {
            let i = Int(macIndex[n])
            if revocationKeys.positions[Int(authoritySlot[i])] >= 0 {
                drop(i, .revoked)
            } else {
                checkEntitlements(i)
            }
        }
    }

    /// What the authority may grant: the scope, the trust level, the route class.
    @inline(__always)
    func checkEntitlements(_ i: Int) {
        let authorities = tables.authorities
        let h = parsed[i].header
        let entry = authorities.entries[Int(authorityPosition[i])]
        var entitled = entry.allScopes
        if !entitled {
            // Packets mostly share authority and scope: remember the last answer (the
            // tables never change under a pipeline).
            let key = AuthorityTable.scopeKey(authority: h.authority.rawValue, scope: h.scope.rawValue)
            if key != entitlementCacheKey {
                entitlementCacheKey = key
                entitlementCacheValue = authorities.entitles(authority: h.authority.rawValue, scope: h.scope.rawValue)
            }
            entitled = entitlementCacheValue
        }
        if !entitled {
            drop(i, .scopeNotEntitled)
        } else if h.trust.rawValue > entry.maxTrust {
            drop(i, .trustNotEntitled)
        } else if !entry.allowsRouteClass(h.routeClass.rawValue) {
            drop(i, .routeClassNotEntitled)
        }
    }
}
