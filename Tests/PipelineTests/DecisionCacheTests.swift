import CDPDK
import XCTest
@testable import Pipeline

/// A pipeline carries state from burst to burst: the parse stage resolves the (authority,
/// epoch) the verify stage looked up last, and the classify stage decides once per
/// governance tuple and keeps the decision in a 64-entry cache. Its verdicts must be those
/// of a pipeline that has never seen another packet: 1 200 packets over 100 tuples (scopes,
/// trust levels, route classes, two authorities, constraints, and one in eight failing a
/// verify check; from two ingress ports with different audit ports) go through one
/// pipeline in bursts of 32, and each again alone through a new pipeline. Verdict, egress, flags, audit port, policy position, bytes out and the
/// per-policy counters must agree, and the run must reach every decision the tuple makes.
/// The bursts go through `decide` untimed (verify, classify and act in one walk), the single
/// packets with stage timing (every stage a walk of its own), so the two paths are
/// compared too.
final class DecisionCacheTests: XCTestCase {
    let keyA: [UInt8] = Array(0..<16)
    let keyB: [UInt8] = Array(16..<32)
    let now: UInt32 = 1_800_000_000
    /// Packets of the bursts run so far whose key the parse stage resolved.
    var resolvedByParse = 0

    func testCachedDecisionsEqualFreshOnes() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let pool = try XCTUnwrap(cdpdk_pktmbuf_pool_create("decision_pool", 1023, 0, cdpdk_socket_id()))
        defer { cdpdk_mempool_free(pool) }
        let portIDs: [String: UInt16] = ["in": 0, "out": 1, "ext": 2, "legacy": 3, "audit": 4]
        let config = NodeConfig(
            ports: [PortConfig(name: "in", device: .index(0), boundary: .internal, auditPort: "audit"),
                    PortConfig(name: "out", device: .index(1), boundary: .internal),
                    PortConfig(name: "ext", device: .index(2), boundary: .external, labelCeiling: 3, auditPort: "out"),
                    PortConfig(name: "legacy", device: .index(3), boundary: .legacy),
                    PortConfig(name: "audit", device: .index(4), boundary: .internal)],
            authorities: [
                AuthorityConfig(name: "a", authorityID: 7, keys: [1: KeyMaterial(bytes: keyA)!], scopes: .only([100, 101, 102, 103]),
                                maxTrustLevel: 150, routeClasses: .only([1, 2, 3]), maxLifetimeSeconds: 86_400),
                AuthorityConfig(name: "b", authorityID: 8, keys: [2: KeyMaterial(bytes: keyB)!], scopes: .all,
                                maxTrustLevel: 255, routeClasses: .all, maxLifetimeSeconds: 86_400)],
            policies: [ScopePolicy(name: "p100-1", scopeID: 100, routeClass: 1, action: .forward(egressPort: "out")),
                       ScopePolicy(name: "p100-2", scopeID: 100, routeClass: 2, action: .forward(egressPort: "ext"), minTrustLevel: 40),
                       ScopePolicy(name: "p101-1", scopeID: 101, routeClass: 1, action: .forward(egressPort: "legacy")),
                       ScopePolicy(name: "p101-2", scopeID: 101, routeClass: 2, action: .drop),
                       ScopePolicy(name: "p102-3", scopeID: 102, routeClass: 3, action: .forward(egressPort: "ext")),
                       ScopePolicy(name: "p104-1", scopeID: 104, routeClass: 1, action: .forward(egressPort: "out"), minTrustLevel: 100),
                       ScopePolicy(name: "p104-4", scopeID: 104, routeClass: 4, action: .forward(egressPort: "legacy"))])
        let tables = try GovernTables(config: config, portID: { portIDs[$0] })

        var random = SeededRandom(seed: 0x6465_6369)
        var frames: [[UInt8]] = []
        var ingress: [UInt16] = []
        // 100 tuples, more than the cache holds, each seen from both ingress ports.
        var tuples: [GovFields] = []
        for _ in 0..<100 {
            let b = Bool.random(using: &random)
            var fields = GovFields()
            fields.scope = ScopeID(UInt32.random(in: 100...104, using: &random))
            fields.trust = TrustLevel([10, 50, 120, 200].randomElement(using: &random)!)
            fields.routeClass = RouteClass(UInt8.random(in: 1...4, using: &random))
            fields.epoch = KeyEpoch(b ? 2 : 1)
            fields.authority = AuthorityID(b ? 8 : 7)
            fields.constraints = Constraints(noExport: random.next() % 4 == 0, audit: random.next() % 2 == 0,
                                             encryptedOnly: random.next() % 5 == 0, label: UInt8.random(in: 0...5, using: &random))
            tuples.append(fields)
        }
        for n in 0..<1200 {
            var fields = tuples.randomElement(using: &random)!
            var b = fields.authority == AuthorityID(8)
            fields.expiry = now + 60
            fields.capability = CapabilityID(UInt64(n))
            // One in eight fails a verify check (each check 30 times), most of them in bursts
            // whose (authority, epoch) the parse stage resolves itself.
            switch n % 40 {
            case 3: fields.expiry = now - 3600                                    // expired
            case 5: fields.expiry = now + 2 * 86_400                              // lifetime_too_long
            case 7: b.toggle()                                                    // bad_mac: the other authority's key
            case 11: fields.epoch = KeyEpoch(fields.epoch.rawValue + 1)           // unknown_epoch
            case 13: fields.authority = AuthorityID(9)                            // unknown_authority
            default: break
            }
            var spec = FrameSpec()
            spec.innerSource = IPAddress(10, 0, UInt8(n >> 8), UInt8(n & 0xFF))
            spec.innerPayload = .udp(sourcePort: 40000, destinationPort: random.next() % 2 == 0 ? 51820 : 443)
            frames.append(try FrameBuilder.governed(spec, fields: fields, key: CMACKey(bytes: b ? keyB : keyA)!))
            ingress.append(n / 32 % 2 == 0 ? 0 : 2)
        }

        // One pipeline, bursts of 32 (each burst from one ingress port).
        let cached = try GovernPipeline(tables: tables)
        var results: [Outcome] = []
        for start in stride(from: 0, to: frames.count, by: 32) {
            let range = start..<min(start + 32, frames.count)
            results += try run(cached, Array(frames[range]), ingress: ingress[start], pool: pool)
        }
        // From its second burst on, the parse stage resolves the keys of the packets of the
        // authority looked up last (more than a quarter of this mix of two authorities and
        // failures); a new pipeline, knowing no key yet, resolves none.
        XCTAssertGreaterThan(resolvedByParse, frames.count / 4, "packets resolved by the parse stage")
        resolvedByParse = 0
        // Each packet alone through a pipeline of its own (an empty cache), its stages timed.
        let stageCycles = StageCycles()
        var fresh: [Outcome] = []
        var freshCounters = [UInt64](repeating: 0, count: tables.policies.slots * 2)
        for (n, frame) in frames.enumerated() {
            let p = try GovernPipeline(tables: tables)
            fresh += try run(p, [frame], ingress: ingress[n], pool: pool, stageCycles: stageCycles)
            for s in 0..<freshCounters.count { freshCounters[s] += p.policyCounters[s] }
        }

        XCTAssertEqual(resolvedByParse, 0, "a new pipeline knows no key")
        for n in 0..<frames.count { XCTAssertEqual(results[n], fresh[n], "packet \(n)") }
        XCTAssertEqual(Array(UnsafeBufferPointer(start: cached.policyCounters, count: freshCounters.count)), freshCounters)

        // Every outcome the tuple decides occurs, so none is missed by the comparison.
        var reasons: [String: Int] = [:]
        for r in results { reasons[r.verdict == 0 ? "forward \(r.egress)" : DropReason(rawValue: r.verdict)!.name, default: 0] += 1 }
        for expected in ["forward 1", "forward 2", "forward 3", "scope_not_entitled", "trust_not_entitled",
                         "route_class_not_entitled", "no_policy", "policy_drop", "trust_below_minimum", "no_export",
                         "label_ceiling", "encrypted_only", "expired", "lifetime_too_long", "bad_mac", "unknown_epoch",
                         "unknown_authority"] {
            XCTAssertGreaterThan(reasons[expected] ?? 0, 0, "\(expected) in \(reasons)")
        }
        // AUDIT copies by the egress port's audit port and, where it has none, the ingress port's.
        XCTAssertEqual(Set(results.filter { $0.flags & PacketFlags.audit.rawValue != 0 }.map(\.audit)), [1, 4])
        XCTAssertGreaterThan(results.filter { $0.flags & PacketFlags.stripped.rawValue != 0 }.count, 0)
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }

    /// Every packet is classified in the order of its burst, whatever the path: a meter sees
    /// the packets of a policy in the order they came. The untimed walk hands the packets the
    /// verify stage passes straight on, up to the first one the revocation filter cannot rule
    /// out, and leaves the rest, or a whole burst holding packets this gateway pushed, to be
    /// taken in burst order. Bursts mixing valid packets of two authorities (one of them looked
    /// up by the verify stage), expired, forged, revoked, passed and pushed packets and packets
    /// whose capability id the filter cannot rule out (not revoked) go through three pipelines
    /// on the same clock: untimed, timed, and untimed one packet at a time (where the order
    /// cannot change). A meter shared by governed and pushed packets is given about half of
    /// what they bring in each burst after the first few, so it turns red part-way through
    /// bursts, at the same packet only if the order is the same. Verdicts, egress, flags, bytes
    /// out and per-policy counters must agree.
    func testEveryPathClassifiesInBurstOrder() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let pool = try XCTUnwrap(cdpdk_pktmbuf_pool_create("order_pool", 1023, 0, cdpdk_socket_id()))
        defer { cdpdk_mempool_free(pool) }
        let portIDs: [String: UInt16] = ["in": 0, "out": 1, "gw": 2, "legacy": 3]
        let rateClass1: UInt32 = 1 << 8
        // Enough revoked ids that the filter cannot rule out some others (0.5% or so).
        let revoked = (0..<100_000).map { UInt64(1_000_000 + $0 * 7) }
        let config = NodeConfig(
            settings: NodeSettings(localAuthority: LocalAuthority(authorityName: "gw", authorityID: 9, keyEpoch: 1,
                                                                  key: KeyMaterial(bytes: keyB)!)),
            ports: [PortConfig(name: "in", device: .index(0), boundary: .internal, ungoverned: .pass(egressPort: "legacy")),
                    PortConfig(name: "out", device: .index(1), boundary: .internal),
                    PortConfig(name: "gw", device: .index(2), boundary: .gateway, ungoverned: .push),
                    PortConfig(name: "legacy", device: .index(3), boundary: .legacy)],
            authorities: [AuthorityConfig(name: "a", authorityID: 7, keys: [1: KeyMaterial(bytes: keyA)!], scopes: .all,
                                          maxTrustLevel: 255, routeClasses: .all, maxLifetimeSeconds: 86_400),
                          AuthorityConfig(name: "b", authorityID: 8, keys: [2: KeyMaterial(bytes: keyB)!], scopes: .all,
                                          maxTrustLevel: 255, routeClasses: .all, maxLifetimeSeconds: 86_400)],
            policies: [ScopePolicy(name: "metered", scopeID: 100, routeClass: 1, action: .forward(egressPort: "out"),
                                   meters: [RateMeter(rateClass: 1, unit: .packets, committedRate: 10, burst: 40)]),
                       ScopePolicy(name: "plain", scopeID: 101, routeClass: 1, action: .forward(egressPort: "out"))],
            revoked: revoked,
            gatewaySelectors: [GatewaySelector(name: "all", push: PushedCapability(
                scopeID: 100, routeClass: 1, trustLevel: 50, constraints: rateClass1, lifetimeSeconds: 600, capabilityID: 77))])
        let tables = try GovernTables(config: config, portID: { portIDs[$0] })
        // Ids the filter cannot rule out that are not revoked: deferred to the bulk lookup, then going on.
        var unruled: [UInt64] = []
        for id in UInt64(1)..<2_000_000 where unruled.count < 16 {
            if tables.revocations.mayContain(id) && !tables.revocations.contains(id) { unruled.append(id) }
        }
        XCTAssertEqual(unruled.count, 16, "ids the revocation filter cannot rule out")

        /// What a packet of the bursts is.
        enum Kind: CaseIterable {
            case ungoverned      // passed on "in", pushed on "gw"
            case metered         // scope 100, rate class 1, under authority a
            case meteredB        // the same under authority b: its key is looked up in the verify stage when b is not the key known from the burst before
            case meteredUnruled  // the same with an id the filter cannot rule out: waits for the bulk lookup, then goes on
            case expired         // dropped before the MAC, between packets that go on
            case unmetered       // scope 101
            case forged          // bad_mac
            case revoked
        }
        var random = SeededRandom(seed: 0x6f72_6465)
        var bursts: [(frames: [[UInt8]], ingress: UInt16)] = []
        var kinds: [[Kind]] = []
        for n in 0..<24 {
            // From each port in turn; half the bursts of each without ungoverned packets, so
            // that the verify stage hands packets straight on.
            let ingress: UInt16 = n % 2 == 0 ? 0 : 2
            let choices: [Kind] = (n / 2 % 2 == 0 ? [.ungoverned] : []) + [.metered, .metered, .metered, .meteredB,
                                                                            .meteredUnruled, .expired, .unmetered, .forged, .revoked]
            var frames: [[UInt8]] = []
            var burstKinds: [Kind] = []
            for k in 0..<32 {
                var spec = FrameSpec()
                spec.innerSource = IPAddress(10, 1, UInt8(n), UInt8(k))
                let kind = choices[Int(random.next() % UInt64(choices.count))]
                burstKinds.append(kind)
                if kind == .ungoverned {
                    frames.append(try FrameBuilder.plain(spec))
                    continue
                }
                var fields = GovFields()
                fields.scope = ScopeID(kind == .unmetered ? 101 : 100)
                fields.routeClass = RouteClass(1)
                fields.trust = TrustLevel(50)
                fields.epoch = KeyEpoch(kind == .meteredB ? 2 : 1)
                fields.authority = AuthorityID(kind == .meteredB ? 8 : 7)
                fields.expiry = kind == .expired ? now - 3600 : now + 60
                fields.capability = CapabilityID(kind == .meteredUnruled ? unruled[Int(random.next() % 16)]
                    : kind == .revoked ? revoked[Int(random.next() % 100_000)] : UInt64(n * 32 + k))
                fields.constraints = Constraints(rawValue: kind == .unmetered ? 0 : rateClass1)
                let key = kind == .meteredB || kind == .forged ? keyB : keyA
                frames.append(try FrameBuilder.governed(spec, fields: fields, key: CMACKey(bytes: key)!))
            }
            bursts.append((frames, ingress))
            kinds.append(burstKinds)
        }

        let untimed = try GovernPipeline(tables: tables)
        let timed = try GovernPipeline(tables: tables)
        let oneByOne = try GovernPipeline(tables: tables)
        let stageCycles = StageCycles()
        var outcomes: [[Outcome]] = []
        // One second per burst: 10 packets' worth of the meter, about half of what it is given.
        let start = cdpdk_rdtsc()
        for (n, (frames, ingress)) in bursts.enumerated() {
            let tsc = start + UInt64(n) * cdpdk_tsc_hz()
            let a = try run(untimed, frames, ingress: ingress, pool: pool, tsc: tsc)
            let b = try run(timed, frames, ingress: ingress, pool: pool, stageCycles: stageCycles, tsc: tsc)
            var c: [Outcome] = []
            for frame in frames { c += try run(oneByOne, [frame], ingress: ingress, pool: pool, tsc: tsc) }
            for k in 0..<frames.count {
                XCTAssertEqual(a[k], b[k], "burst \(n) (from port \(ingress)), packet \(k): timed")
                XCTAssertEqual(a[k], c[k], "burst \(n) (from port \(ingress)), packet \(k): one at a time")
            }
            outcomes.append(a)
        }
        let slots = tables.policies.slots * 2
        let counters = Array(UnsafeBufferPointer(start: untimed.policyCounters, count: slots))
        XCTAssertEqual(counters, Array(UnsafeBufferPointer(start: timed.policyCounters, count: slots)))
        XCTAssertEqual(counters, Array(UnsafeBufferPointer(start: oneByOne.policyCounters, count: slots)))

        // Every kind of packet occurs; deferred packets went on; the meter turned red part-way
        // through a burst that also held pushed packets.
        let all = outcomes.flatMap { $0 }
        func count(_ f: (Outcome) -> Bool) -> Int { all.filter(f).count }
        XCTAssertGreaterThan(count { $0.verdict == 0 && $0.flags & PacketFlags.passed.rawValue != 0 }, 0, "passed")
        XCTAssertGreaterThan(count { $0.verdict == 0 && $0.flags & PacketFlags.pushed.rawValue != 0 && $0.egress == 1 }, 0,
                             "pushed, to out")
        for reason in [DropReason.badMAC, .revoked, .rateExceeded] {
            XCTAssertGreaterThan(count { $0.verdict == reason.rawValue }, 0, reason.name)
        }
        let kindOf = kinds.flatMap { $0 }
        func forwarded(_ kind: Kind) -> Int { zip(all, kindOf).filter { $0.0.verdict == 0 && $0.1 == kind }.count }
        XCTAssertGreaterThan(forwarded(.meteredUnruled), 0, "packets the filter could not rule out, forwarded after the lookup")
        XCTAssertGreaterThan(forwarded(.meteredB), 0, "packets of the authority looked up in the verify stage")
        XCTAssertGreaterThan(count { $0.verdict == DropReason.expired.rawValue }, 0, "expired")
        let metered = Int32(tables.policies.positions[0])
        let split = zip(bursts, outcomes).contains { burst, out in
            burst.ingress == 2 && out.contains { $0.flags & PacketFlags.pushed.rawValue != 0 }
                && out.contains { $0.verdict == 0 && $0.policy == metered }
                && out.contains { $0.verdict == DropReason.rateExceeded.rawValue }
        }
        XCTAssertTrue(split, "a burst from the gateway port with pushed packets, green and red")
        let splitGoverned = outcomes.enumerated().contains { n, out in
            n / 2 % 2 == 1 && out.contains { $0.verdict == 0 && $0.policy == metered }
                && out.contains { $0.verdict == DropReason.rateExceeded.rawValue }
        }
        XCTAssertTrue(splitGoverned, "a burst of governed packets only, green and red")
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }

    /// The tuple is exactly header bytes 4..19: changing any of them changes it, changing
    /// any other byte does not.
    func testTupleIsHeaderBytesFourToNineteen() {
        var random = SeededRandom(seed: 0x7475_706c)
        let header = random.bytes(32)
        let base = header.withUnsafeBytes { DecisionCache.tuple($0.loadUnaligned(as: SIMD4<UInt64>.self)) }
        for byte in 0..<32 {
            var changed = header
            changed[byte] ^= 0x5A
            let tuple = changed.withUnsafeBytes { DecisionCache.tuple($0.loadUnaligned(as: SIMD4<UInt64>.self)) }
            XCTAssertEqual(tuple != base, (4..<20).contains(byte), "byte \(byte)")
        }
    }

    /// Keys that share an entry but differ only in the tuple's second word, only in the
    /// ingress port or only in the pushed bit do not hit each other's decision.
    func testKeysSharingAnEntryDoNotHitEachOther() {
        let cache = DecisionCache()
        defer { cache.deallocate() }
        let k0: UInt64 = 0x0000_0064_0203_0405, k1: UInt64 = 0x0700_0000_0100_3201
        let tag = DecisionCache.tag(ingress: 0, pushed: false)
        let (first, hit) = cache.entry(k0, k1, tag)
        XCTAssertFalse(hit, "an empty cache holds nothing")
        var d = Decision()
        d.egress = 3
        first.pointee = DecisionCache.Entry(k0: k0, k1: k1, tag: tag, decision: d)
        XCTAssertTrue(cache.entry(k0, k1, tag).hit)
        XCTAssertEqual(cache.entry(k0, k1, tag).0.pointee.decision.egress, 3)

        // Another key with the same index, for each way of differing.
        let slot = DecisionCache.index(k0, k1, tag)
        func colliding(_ make: (UInt64) -> (UInt64, UInt64, UInt32)) -> (UInt64, UInt64, UInt32) {
            var n: UInt64 = 1
            while true {
                let key = make(n)
                if DecisionCache.index(key.0, key.1, key.2) == slot { return key }
                n += 1
            }
        }
        let others = [colliding { (k0, k1 ^ $0, tag) },
                      colliding { (k0, k1, DecisionCache.tag(ingress: UInt16(truncatingIfNeeded: $0), pushed: false)) },
                      colliding { (k0 ^ $0 << 32, k1, DecisionCache.tag(ingress: 0, pushed: true)) }]
        for other in others {
            let (entry, hit) = cache.entry(other.0, other.1, other.2)
            XCTAssertEqual(entry, first, "same entry")
            XCTAssertFalse(hit, "\(other) must not hit the decision of \((k0, k1, tag))")
        }
        XCTAssertTrue(cache.entry(k0, k1, DecisionCache.tag(ingress: 0, pushed: false)).hit)
        XCTAssertFalse(cache.entry(k0, k1, DecisionCache.tag(ingress: 0, pushed: true)).hit)
    }

    struct Outcome: Equatable {
        var verdict: UInt8
        var egress: UInt16
        var flags: UInt8
        var audit: UInt16
        var policy: Int32
        var bytes: [UInt8]
    }

    /// `tsc`: the meters' clock (the time-stamp counter unless given).
    private func run(_ pipeline: GovernPipeline, _ frames: [[UInt8]], ingress: UInt16, pool: OpaquePointer,
                     stageCycles: StageCycles? = nil, tsc: UInt64? = nil) throws -> [Outcome] {
        var burst: [Mbuf?] = []
        for frame in frames {
            let m = try XCTUnwrap(cdpdk_mbuf_alloc(pool))
            let room = try XCTUnwrap(cdpdk_mbuf_append(m, UInt16(frame.count)))
            frame.withUnsafeBytes { room.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
            burst.append(m)
        }
        burst.withUnsafeMutableBufferPointer {
            pipeline.decide($0.baseAddress!, count: frames.count, ingress: ingress, now: now, tsc: tsc ?? cdpdk_rdtsc(),
                            stageCycles: stageCycles)
        }
        // The burst's single egress, which lets the engine send it without grouping: the one
        // port of every packet sent when there is one and no audit copy.
        let sent = (0..<frames.count).filter { pipeline.verdicts[$0] == 0 }
        let ports = Set(sent.map { pipeline.egress[$0] })
        let audits = sent.contains { pipeline.flags[$0].contains(.audit) }
        let single = sent.isEmpty ? BurstState.noEgress
            : ports.count == 1 && !audits ? Int32(ports.first!) : BurstState.mixedEgress
        XCTAssertEqual(pipeline.state.singleEgress, single, "single egress of the burst")
        // Packets whose key the parse stage chose (``KnownAuthority``) and that verify did
        // not look up again for revocation.
        resolvedByParse += (0..<frames.count).filter { pipeline.state.authoritySlot[$0] == BurstState.resolved }.count
        var out: [Outcome] = []
        for i in 0..<frames.count {
            let m = pipeline.mbufs[i]!
            let forwarded = pipeline.verdicts[i] == 0
            out.append(Outcome(
                verdict: pipeline.verdicts[i], egress: forwarded ? pipeline.egress[i] : 0, flags: pipeline.flags[i].rawValue,
                audit: pipeline.flags[i].contains(.audit) ? pipeline.auditEgress[i] : 0, policy: pipeline.policyPosition[i],
                bytes: [UInt8](UnsafeRawBufferPointer(start: mbufData(m), count: mbufDataLength(m)))))
            cdpdk_mbuf_free(m)
        }
        return out
    }
}
