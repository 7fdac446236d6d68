/// One receive queue a worker polls, and where a fixed topology sends what it receives.
public struct RxStream: Sendable {
    public var rxPort: UInt16
    public var rxQueue: UInt16
    /// The peer port of the topology (paired, chained, loop); engines that decide the
    /// egress per packet ignore it.
    public var txPort: UInt16

    public init(rxPort: UInt16, rxQueue: UInt16, txPort: UInt16) {
        self.rxPort = rxPort
        self.rxQueue = rxQueue
        self.txPort = txPort
    }
}

/// A forwarding mode: what a worker does with each received burst (testpmd's `fwd_engine`).
///
/// `forward` owns the burst: every mbuf in it must be transmitted or freed before it
/// returns, and every packet must be counted at its ingress port as forwarded or dropped.
/// Workers are generic over the engine, so each mode is specialised at compile time.
public protocol ForwardEngine {
    mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                          txQueue: UInt16, counters: LcoreCounters)

    /// Called once per turn of the loop, after every stream was polled (txonly generates here).
    mutating func afterPoll(txQueue: UInt16, counters: LcoreCounters)

    /// Called once after the loop stops: send or free anything still buffered.
    mutating func drain(txQueue: UInt16, counters: LcoreCounters)
}

extension ForwardEngine {
    @inline(__always) public mutating func afterPoll(txQueue: UInt16, counters: LcoreCounters) {}
    public mutating func drain(txQueue: UInt16, counters: LcoreCounters) {}
}
