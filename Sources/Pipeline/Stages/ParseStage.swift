import CDPDK

/// Parse: locate the carrier, the governance header and the inner addresses of every
/// packet; run the checks that need no table; handle ungoverned packets by the ingress
/// port's action (drop, pass, or push at a gateway).
///
/// While a governed packet's bytes are in cache, the stage also gathers what the verify
/// stage needs of it: its key and expiry checks when it carries the (authority, epoch) the
/// verify stage last looked up (``KnownAuthority``), otherwise its (authority, epoch) in the
/// burst's distinct keys; its MAC input; and its capability id's revocation-filter hash,
/// prefetching the word it selects. The verify stage then runs over
/// `macIndex[0..<macCandidates]` only.
extension GovernPipeline {
    @inline(__always)
    func parseStage(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, ingress: UInt16, now: UInt32) {
        let b = state
        let filter = tables.revocations.filter
        let parser = self.parser
        let mac = macBurst.view
        var run = ParseRun(keys: authorityKeys, known: knownAuthority, now: now, skew: skew)
        b.drops = 0
        // The receive burst has just written the mbuf headers; start loading every packet's
        // first cache line before the loop reads the first one.
        prefetchData(burst, count)
        b.clearVerdicts()
        for i in 0..<count {
            let m = burst[i].unsafelyUnwrapped
            b.mbufs[i] = m
            let frame = mbufData(m)
            b.frames[i] = frame
            // The fast paths inline (`@_transparent`): the layouts at fixed offsets, then the
            // common layouts; anything else out of line. A 16-bit data length is within the
            // parser's maximum: no clamping needed.
            let length = mbufDataLength(m)
            if parser.parseFixedIPv4(frame, length: length, into: &b.parsed[i]) {
                gather(i, frame, b, filter, mac, &run, at: HeaderPlace(FixedIPv4.self))
            } else if parser.parseFixedIPv6(frame, length: length, into: &b.parsed[i]) {
                gather(i, frame, b, filter, mac, &run, at: HeaderPlace(FixedIPv6.self))
            } else if parser.parseCommon(frame, length: length, into: &b.parsed[i]) {
                gather(i, frame, b, filter, mac, &run, at: HeaderPlace(b.parsed[i]))
            } else {
                parseOtherPacket(i, frame, readable: length, length: mbufPacketLength(m), ingress: ingress, now: now,
                                 run: &run)
            }
        }
        authorityKeys = run.keys
        b.singleEgress = run.single
        b.macCandidates = run.candidates
        b.pushed = run.pushed
        // Every packet is gathered for the MAC, dropped, passed or pushed: the later stages
        // (verifyStage's handing over among them) count on it.
        assert(run.candidates + b.drops + run.passed + run.pushed == count, "a packet the parse stage left unaccounted")
    }

    /// What the verify stage needs of governed packet `i`, gathered while its bytes are in
    /// cache: its key (after the expiry checks) or its (authority, epoch) in the burst's
    /// distinct keys, where its tag lies, its MAC input, and its capability id's
    /// revocation-filter hash, prefetching the word it selects.
    @inline(__always)
    func gather(_ i: Int, _ frame: UnsafeMutableRawPointer, _ b: BurstState, _ filter: RevocationTable.Filter,
                _ mac: MACBurst.View, _ run: inout ParseRun, at place: HeaderPlace) {
        // The header's fields from the packet itself, not read back from the result just
        // stored (a narrow load from a wide store is not forwarded here).
        let wire = (UnsafeRawPointer(frame) + place.gov).loadUnaligned(as: SIMD4<UInt64>.self)
        let header = GovHeader(wire: wire)
        let n = run.candidates
        if AuthorityTable.wireKey(wire) == run.known.wireKey {
            // Resolved here: the verify stage only computes its MAC. One compare passes an
            // expiry within the authority's window; outside it, checkExpiry decides (and
            // names the reason), so the window can only cost time, never a wrong verdict.
            if !run.expiries.contains(header.expiry),
               let reason = header.checkExpiry(now: UInt64(run.now), skew: run.skew, maxLifetime: run.known.maxLifetime) {
                b.drop(i, reason)
                return
            }
            b.authorityPosition[i] = run.known.position
            b.authoritySlot[i] = BurstState.resolved
            mac.keys[n] = run.known.expandedKey
        } else {
            let key = AuthorityTable.key(authority: header.authority.rawValue, epoch: header.epoch.rawValue)
            b.authoritySlot[i] = UInt8(truncatingIfNeeded: run.keys.slot(for: key))
        }
        let tag = UnsafeRawPointer(frame) + (place.gov &+ GovWire.Offset.mac)
        mac.packetTags[n] = tag.assumingMemoryBound(to: UInt8.self)
        mac.blockCounts[n] = MACInput.write(
            headerWire: wire, addresses: UnsafeRawPointer(frame) + place.innerSource,
            innerVersion: place.innerVersion, into: mac.slot(n))
        let hash = filter.hash(header.capability.rawValue)
        b.filterHash[i] = hash
        prefetch(filter.wordAddress(hash: hash))
        b.macIndex[n] = UInt8(truncatingIfNeeded: i)
        run.candidates = n &+ 1
    }

    /// Packet `i` in any other layout, or in several segments (`readable` bytes in the first,
    /// `length` in all): the general parser, then the gathering of a governed packet, the drop
    /// of a malformed one, or the ingress port's action for an ungoverned one (drop, pass, or
    /// push at a gateway).
    @inline(never)
    func parseOtherPacket(_ i: Int, _ frame: UnsafeMutableRawPointer, readable: Int, length: Int, ingress: UInt16,
                          now: UInt32, run: inout ParseRun) {
        let b = state
        parser.parseOther(frame, readable: readable, length: min(length, GovParser.maximumFrameLength),
                          into: &b.parsed[i])
        guard let reason = b.parsed[i].drop else {
            gather(i, frame, b, tables.revocations.filter, macBurst.view, &run, at: HeaderPlace(b.parsed[i]))
            return
        }
        if reason != .notGoverned {
            b.drop(i, reason)
            return
        }
        let port = tables.ports.entries[Int(ingress)]
        switch port.ungoverned {
        case .drop:
            b.drop(i, .notGoverned)
        case .pass:
            b.flags[i] = .passed
            b.send(i, to: port.passEgress, single: &run.single)
            run.passed &+= 1
        case .push:
            pushGovernanceHeader(i, ingress: ingress, now: now)
            if b.verdicts[i] == 0 { run.pushed &+= 1 }
        }
    }
}

/// Where a parsed packet's governance header and inner addresses lie, for the gathering: the
/// parser's offsets, or the constants of a layout at fixed offsets (so that the gathering of its
/// packets reads no offset back from the parse result and chooses no inner version).
struct HeaderPlace {
    let gov: Int
    let innerSource: Int
    let innerVersion: UInt8

    @inline(__always)
    init(_ parsed: ParsedPacket) {
        gov = Int(parsed.govOffset)
        innerSource = Int(parsed.innerSourceOffset)
        innerVersion = parsed.innerVersion
    }

    /// The constants of a layout at fixed offsets.
    @inline(__always)
    init<L: FixedOffsets>(_: L.Type) {
        gov = L.gov
        innerSource = L.innerSource
        innerVersion = L.innerVersion
    }
}

/// The parse stage's running state through a burst: the distinct (authority, epoch) keys
/// left for the verify stage to look up, the packets gathered for the MAC so far, the
/// packets this gateway pushed and those passed, and the single egress of passed packets.
struct ParseRun {
    var keys: DistinctKeys
    let known: KnownAuthority
    let now: UInt32
    let skew: UInt32
    /// The expiries the known authority's packets may carry at `now`.
    let expiries: ExpiryWindow
    var candidates = 0
    var pushed = 0
    var passed = 0
    var single = BurstState.noEgress

    init(keys: DistinctKeys, known: KnownAuthority, now: UInt32, skew: UInt32) {
        self.keys = keys
        self.keys.reset()
        self.known = known
        self.now = now
        self.skew = skew
        expiries = ExpiryWindow(now: now, skew: skew, maxLifetime: known.maxLifetime)
    }
}

/// An (authority, epoch) the verify stage has looked up, and what a packet that carries it
/// needs: its entry's position and maximum lifetime, and its expanded key. The parse stage
/// resolves such a packet itself (expiry and lifetime checked, key chosen), so the verify
/// stage's lookup and walk before the MACs are left for the others, and skipped in a burst
/// that has none: the common case of traffic under one authority. The tables of a pipeline
/// never change (a new configuration comes with new pipelines), so the position stays right.
struct KnownAuthority {
    /// The (authority, epoch) as ``AuthorityTable/wireKey(_:)`` reads it from a header; the
    /// default matches no packet's (a wire key is below 2^48).
    var wireKey = UInt64.max
    var position: Int32 = -1
    var maxLifetime: UInt32 = 0
    var expandedKey: UnsafePointer<gov_cmac_key>? = nil
}
