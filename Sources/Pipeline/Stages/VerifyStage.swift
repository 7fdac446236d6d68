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

        // The MACs, interleaved across the burst; constant-time comparison.
        macBurst.compute(count: macs)
        for n in 0..<macs {
            let i = Int(macIndex[n])
            if !macBurst.verify(n, against: UnsafeRawPointer(frames[i]) + parsed[i].macOffset) {
                drop(i, .badMAC)
            }
        }

        // Revocation: the filter rules out almost every id; one bulk lookup for the rest.
        let revocations = tables.revocations
        revocationKeys.reset()
        for i in 0..<count where verdicts[i] == 0 && flags[i].isEmpty {
            let id = parsed[i].header.capability.rawValue
            if revocations.mayContain(id) {
                authoritySlot[i] = UInt8(truncatingIfNeeded: revocationKeys.slot(for: id))
            } else {
                authoritySlot[i] = UInt8.max
            }
        }
        if revocationKeys.count > 0 {
            revocationKeys.lookup(in: revocations.hash)
        }

        // Revoked, then what the authority may grant. Packets of a burst mostly share
        // authority and scope: the last scope entitlement looked up is remembered.
        var lastEntitled: UInt64 = UInt64.max
        var lastEntitledResult = false
        for i in 0..<count where verdicts[i] == 0 && flags[i].isEmpty {
            let slot = authoritySlot[i]
            if slot != UInt8.max && revocationKeys.positions[Int(slot)] >= 0 {
                drop(i, .revoked)
                continue
            }
            let h = parsed[i].header
            let entry = authorities.entries[Int(authorityPosition[i])]
            var entitled = entry.allScopes
            if !entitled {
                let key = AuthorityTable.scopeKey(authority: h.authority.rawValue, scope: h.scope.rawValue)
                if key != lastEntitled {
                    lastEntitled = key
                    lastEntitledResult = authorities.scopes.lookup(key) >= 0
                }
                entitled = lastEntitledResult
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
}
