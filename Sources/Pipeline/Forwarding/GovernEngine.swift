import Glibc
import CDPDK

/// `--forward-mode govern`, the default: the governed pipeline decides each burst, then
/// the engine groups the packets by egress port, transmits, and frees every drop and every
/// unsent packet with one bulk free.
public struct GovernEngine: ForwardEngine {
    var pipeline: GovernPipeline
    /// Where the main lcore offers a pipeline built from a reloaded configuration.
    let handoff: PipelineHandoff?
    let clock: UnixClock
    let stageCycles: StageCycles?
    /// Per egress port: the packets to send, then the audit copies to send.
    let txLists: UnsafeMutablePointer<Mbuf?>
    let txCounts: UnsafeMutablePointer<Int>
    let auditLists: UnsafeMutablePointer<Mbuf?>
    let auditCounts: UnsafeMutablePointer<Int>
    let dropList: UnsafeMutablePointer<Mbuf?>
    /// Ports with something queued in this burst.
    let touched: UnsafeMutablePointer<UInt16>

    public init(pipeline: GovernPipeline, clock: UnixClock = UnixClock(), stageCycles: StageCycles? = nil,
                handoff: PipelineHandoff? = nil) {
        self.pipeline = pipeline
        self.handoff = handoff
        self.clock = clock
        self.stageCycles = stageCycles
        let slots = maxPortSlots * maxBurst
        txLists = .allocate(capacity: slots)
        auditLists = .allocate(capacity: slots)
        txCounts = .allocate(capacity: maxPortSlots)
        txCounts.initialize(repeating: 0, count: maxPortSlots)
        auditCounts = .allocate(capacity: maxPortSlots)
        auditCounts.initialize(repeating: 0, count: maxPortSlots)
        dropList = .allocate(capacity: maxBurst)
        touched = .allocate(capacity: maxPortSlots)
    }

    @inline(__always)
    public mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                                 txQueue: UInt16, counters: LcoreCounters) {
        let tsc = readTSC()
        pipeline.decide(burst, count: count, ingress: stream.rxPort, now: clock.now(tsc: tsc), tsc: tsc,
                        stageCycles: stageCycles)
        let t0 = stageCycles != nil ? readTSC() : 0

        let reasons = counters.reasons
        var drops = 0
        var forwarded = 0
        var txFull = 0
        let b = pipeline.state
        let single = b.singleEgress
        if single >= 0 {
            // Every packet sent goes out of one port, without audit copies (the common
            // case): no grouping. Without drops the burst goes out as it is; otherwise the
            // packets to send are gathered in order.
            var list = b.mbufs
            var n = count
            if b.drops > 0 {
                let txList = txLists, dropList = self.dropList
                n = 0
                for i in 0..<count {
                    let m = b.mbufs[i]
                    let verdict = b.verdicts[i]
                    if verdict == 0 {
                        txList[n] = m
                        n &+= 1
                    } else {
                        reasons[Int(verdict)] &+= 1
                        dropList[drops] = m
                        drops &+= 1
                    }
                }
                freeBulk(dropList, drops)
                list = txList
            }
            if n > 0 {
                let port = Int(single)
                let sent = txBurst(port: UInt16(truncatingIfNeeded: port), queue: txQueue, list, n)
                counters.ports[port].txPackets &+= UInt64(sent)
                forwarded = sent
                if sent < n {
                    freeBulk(list + sent, n &- sent)
                    txFull = n &- sent
                    counters.ports[port].txFull &+= UInt64(txFull)
                }
            }
        } else {
            (drops, forwarded, txFull) = sendGrouped(count: count, txQueue: txQueue, counters: counters)
        }
        reasons[Int(DropReason.txFull.rawValue)] &+= UInt64(txFull)
        let ingress = Int(stream.rxPort)
        counters.ports[ingress].rxPackets &+= UInt64(count)
        counters.ports[ingress].forwarded &+= UInt64(forwarded)
        counters.ports[ingress].dropped &+= UInt64(drops &+ txFull)
        // (The worker that received the burst counts its packets.)
        stageCycles?.add(.tx, readTSC() &- t0)
    }
}

extension GovernEngine {
    /// Groups the decided burst by egress port (packets, then audit copies, which share the
    /// packet's mbuf by reference count), transmits, and frees the drops and the unsent.
    /// Returns the packets dropped, sent, and refused by a full transmit queue.
    @inline(__always)
    func sendGrouped(count: Int, txQueue: UInt16, counters: LcoreCounters) -> (Int, Int, Int) {
        let reasons = counters.reasons
        let b = pipeline.state
        var drops = 0
        var nTouched = 0
        for i in 0..<count {
            let m = b.mbufs[i]
            let verdict = b.verdicts[i]
            if verdict != 0 {
                reasons[Int(verdict)] &+= 1
                dropList[drops] = m
                drops &+= 1
                continue
            }
            let out = Int(b.egress[i])
            if txCounts[out] == 0 && auditCounts[out] == 0 {
                touched[nTouched] = UInt16(truncatingIfNeeded: out)
                nTouched &+= 1
            }
            txLists[out &* maxBurst &+ txCounts[out]] = m
            txCounts[out] &+= 1
            if b.flags[i].contains(.audit) {
                let audit = Int(b.auditEgress[i])
                // Every segment's count: each transmit frees one reference of each.
                cdpdk_pktmbuf_refcnt_update(m.unsafelyUnwrapped, 1)
                if txCounts[audit] == 0 && auditCounts[audit] == 0 {
                    touched[nTouched] = UInt16(truncatingIfNeeded: audit)
                    nTouched &+= 1
                }
                auditLists[audit &* maxBurst &+ auditCounts[audit]] = m
                auditCounts[audit] &+= 1
            }
        }
        freeBulk(dropList, drops)

        var forwarded = 0
        var txFull = 0
        for t in 0..<nTouched {
            let port = Int(touched[t])
            let n = txCounts[port]
            if n > 0 {
                let list = txLists + port &* maxBurst
                let sent = txBurst(port: UInt16(truncatingIfNeeded: port), queue: txQueue, list, n)
                counters.ports[port].txPackets &+= UInt64(sent)
                forwarded &+= sent
                if sent < n {
                    freeBulk(list + sent, n &- sent)
                    txFull &+= n &- sent
                    counters.ports[port].txFull &+= UInt64(n &- sent)
                }
                txCounts[port] = 0
            }
            let a = auditCounts[port]
            if a > 0 {
                let list = auditLists + port &* maxBurst
                let sent = txBurst(port: UInt16(truncatingIfNeeded: port), queue: txQueue, list, a)
                counters.ports[port].auditCopies &+= UInt64(sent)
                if sent < a {
                    freeBulk(list + sent, a &- sent)
                    counters.ports[port].txFull &+= UInt64(a &- sent)
                }
                auditCounts[port] = 0
            }
        }
        return (drops, forwarded, txFull)
    }

    /// Between bursts: switch to a pipeline the main lcore offers (a reloaded configuration)
    /// and hand the old one back to it. One atomic load per turn of the loop when none is offered.
    @inline(__always)
    public mutating func afterPoll(txQueue: UInt16, counters: LcoreCounters) {
        guard let handoff, let next = handoff.take() else { return }
        handoff.retire(pipeline)
        pipeline = next
    }
}

/// Unix time in seconds from the TSC, read once per burst: a base taken at start-up plus
/// elapsed TSC ticks. `fixed` pins the clock (explain --now, tests).
public struct UnixClock: Sendable {
    let baseSeconds: UInt64
    let baseTSC: UInt64
    let hz: UInt64
    let fixed: UInt32?

    public init(fixed: UInt32? = nil) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        baseSeconds = UInt64(ts.tv_sec)
        baseTSC = readTSC()
        hz = max(tscHz(), 1)
        self.fixed = fixed
    }

    @inline(__always)
    public func now(tsc: UInt64) -> UInt32 {
        if let fixed { return fixed }
        return UInt32(truncatingIfNeeded: baseSeconds &+ (tsc &- baseTSC) / hz)
    }
}
