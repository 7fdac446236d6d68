/// `--forward-mode io`: every received burst goes out of the topology's peer port untouched.
/// The pass-through baseline, like testpmd's io engine.
public struct IOEngine: ForwardEngine {
    public init() {}

    @inline(__always)
    public mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                                 txQueue: UInt16, counters: LcoreCounters) {
        let sent = txBurst(port: stream.txPort, queue: txQueue, burst, count)
        let unsent = count &- sent
        counters.ports[Int(stream.rxPort)].rxPackets &+= UInt64(count)
        counters.ports[Int(stream.rxPort)].forwarded &+= UInt64(sent)
        counters.ports[Int(stream.txPort)].txPackets &+= UInt64(sent)
        if unsent > 0 {
            freeBulk(burst + sent, unsent)
            counters.ports[Int(stream.rxPort)].dropped &+= UInt64(unsent)
            counters.ports[Int(stream.txPort)].txFull &+= UInt64(unsent)
            counters.reasons[Int(DropReason.txFull.rawValue)] &+= UInt64(unsent)
        }
    }
}
