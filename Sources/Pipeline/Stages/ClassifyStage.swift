/// Classify: the entitlements, the policy of (scope, route class), its trust minimum and the
/// constraints against the chosen egress port. All but two depend only on the packet's
/// governance tuple, so they are decided once per tuple (``Decision``, kept in the worker's
/// ``DecisionCache``); per packet remain ENCRYPTED_ONLY and the rate meter.
extension GovernPipeline {
    /// IP protocol of IPsec ESP (RFC 4303).
    static let ipProtocolESP: UInt8 = 50
    static let ipProtocolUDP: UInt8 = 17

    /// The classify stage timed on its own: every packet still going, in burst order.
    @inline(__always)
    func classifyStage(count: Int, ingress: UInt16, tsc: UInt64) {
        let b = state
        var run = ClassifyRun(single: b.singleEgress)
        for i in 0..<count where b.verdicts[i] == 0 {
            _ = classify(i, b, flags: b.flags[i], ingress: ingress, tsc: tsc, run: &run)
        }
        run.count(into: policyCounters)
        b.singleEgress = run.single
    }

    /// The verify, classify and act stages in one walk of the burst: each packet the verify
    /// stage passes is classified, and edited if it goes on, at once. A packet that arrived
    /// governed has no flags yet, so its tuple's tag is the burst's and its flags need not be
    /// read. The packets the verify stage leaves (from the first one the revocation filter
    /// could not rule out, or all in a burst with packets this gateway pushed) follow in burst
    /// order, so that every packet is classified in the order of the burst either way. (Passed
    /// packets need nothing here: the parse stage sent them.)
    /// ``decide`` takes this path unless it times the stages apart. A function of its own: the
    /// walk through the MACs' results does not fit in ``decide``'s registers besides the rest.
    @inline(never)
    func verifyClassifyAndActStage(count: Int, ingress: UInt16, now: UInt32, tsc: UInt64) {
        let b = state
        var run = ClassifyRun(single: b.singleEgress)
        let rest = verifyStage(count: count, now: now) { i in
            assert(b.flags[i].isEmpty, "a packet that arrived governed has no flags before the classify stage")
            if let f = classify(i, b, flags: [], ingress: ingress, tsc: tsc, run: &run) {
                act(i, b, f)
            }
        }
        if rest < count {
            classifyAndAct(from: rest, count: count, ingress: ingress, tsc: tsc, run: &run)
        }
        run.count(into: policyCounters)
        b.singleEgress = run.single
    }

    /// Classifies and edits the packets still going from burst position `start` on, in burst
    /// order: those the verify stage left. Out of line: most bursts leave none.
    @inline(never)
    func classifyAndAct(from start: Int, count: Int, ingress: UInt16, tsc: UInt64, run: inout ClassifyRun) {
        let b = state
        for i in start..<count where b.verdicts[i] == 0 {
            if let f = classify(i, b, flags: b.flags[i], ingress: ingress, tsc: tsc, run: &run) {
                act(i, b, f)
            }
        }
    }

    /// Classifies packet `i` (verdict 0 so far, flags `f`); returns its flags if it goes on,
    /// nil if it was dropped.
    @inline(__always)
    func classify(_ i: Int, _ b: BurstState, flags f: PacketFlags, ingress: UInt16, tsc: UInt64,
                  run: inout ClassifyRun) -> PacketFlags? {
        if f.contains(.passed) { return f }
        let (k0, k1) = DecisionCache.tuple(b.parsed[i].headerWire)
        let tag = DecisionCache.tag(ingress: ingress, pushed: f.contains(.pushed))
        // Most packets: the tuple of the packet before, decided plain. The burst's single
        // egress already counts this egress: the first packet of the tuple in this burst
        // went through classifyOther, which sent it there.
        if tag == run.plainTag && k0 == run.k0 && k1 == run.k1 {
            b.policyPosition[i] = run.decision.policy
            b.egress[i] = run.decision.egress
            run.forwarded &+= 1
            return f
        }
        return classifyOther(i, b, k0, k1, tag, flags: f, ingress: ingress, tsc: tsc, run: &run)
    }

    /// The rest of the classify stage for packet `i`: a new tuple (its decision, from the
    /// cache or decided), or a decision that is not plain. Out of line, so that the loop
    /// above keeps its few values in registers. Returns the packet's flags, or nil when it
    /// was dropped.
    @inline(never)
    func classifyOther(_ i: Int, _ b: BurstState, _ k0: UInt64, _ k1: UInt64, _ tag: UInt32, flags f: PacketFlags,
                       ingress: UInt16, tsc: UInt64, run: inout ClassifyRun) -> PacketFlags? {
        if k0 != run.k0 || k1 != run.k1 || tag != run.tag {
            let d = decision(i, b, k0, k1, tag, ingress: ingress)
            (run.k0, run.k1, run.tag) = (k0, k1, tag)
            if d.policy != run.decision.policy {
                run.count(into: policyCounters)
            }
            run.decision = d
            run.plainTag = d.plain ? tag : 0
        }
        let d = run.decision
        b.policyPosition[i] = d.policy
        if d.plain {
            b.send(i, to: d.egress, single: &run.single)
            run.forwarded &+= 1
            return f
        }
        var reason = d.reason
        if reason == nil && d.encryptedOnly && !isEncrypted(b.parsed[i], b.frames[i]) {
            reason = .encryptedOnly
        }
        if reason == nil && d.meter >= 0
            && meters.exceeded(Int(d.meter), length: mbufPacketLength(b.mbufs[i].unsafelyUnwrapped), tsc: tsc) {
            reason = .rateExceeded
        }
        if let reason {
            b.drop(i, reason)
            run.dropped &+= 1
            return nil
        }
        var flags = f
        if d.audit != PortEntry.none {
            flags.insert(.audit)
            b.auditEgress[i] = d.audit
        }
        if d.strip { flags.insert(.strip) }
        b.flags[i] = flags
        b.send(i, to: d.egress, audit: d.audit != PortEntry.none, single: &run.single)
        run.forwarded &+= 1
        return flags
    }

    /// ENCRYPTED_ONLY holds: the inner packet is IPsec ESP or WireGuard (UDP to its port).
    @inline(__always)
    func isEncrypted(_ p: ParsedPacket, _ frame: UnsafeMutableRawPointer) -> Bool {
        let innerProtocol = p.innerProtocol(in: frame)
        return innerProtocol == Self.ipProtocolESP
            || (innerProtocol == Self.ipProtocolUDP && p.innerDestinationPort(in: frame) == wireGuardPort)
    }
}

/// The classify stage's running state through a burst: the last tuple and its decision, the
/// packets of the current policy forwarded and dropped (added to the per-policy counters when
/// the policy changes, and at the end), and the burst's single egress.
struct ClassifyRun {
    var k0: UInt64 = 0
    var k1: UInt64 = 0
    /// 0 matches no tuple (a tuple's tag has bit 17 set).
    var tag: UInt32 = 0
    var decision = Decision()
    /// `tag` when `decision` is plain, else 0: the one compare that sends a packet of the
    /// last tuple down the fast path also tests that its decision allows it.
    var plainTag: UInt32 = 0
    var forwarded: UInt64 = 0
    var dropped: UInt64 = 0
    var single: Int32

    init(single: Int32) { self.single = single }

    /// Adds the counts to the current decision's policy, if it has one, and starts again.
    @inline(__always)
    mutating func count(into counters: UnsafeMutablePointer<UInt64>) {
        let policy = Int(decision.policy)
        if policy >= 0 {
            counters[policy &* 2] &+= forwarded
            counters[policy &* 2 &+ 1] &+= dropped
        }
        forwarded = 0
        dropped = 0
    }
}
