import CDPDK

// Swift names for the DPDK entry points GovFwd uses. Swift code reaches DPDK through this
// file; the C side, with one comment per accessor naming what it wraps, is
// Sources/CDPDK/include/cdpdk.h.

/// `struct rte_mbuf *`: Swift cannot import the struct, so mbufs are opaque here.
public typealias Mbuf = OpaquePointer
/// `struct rte_mempool *`.
public typealias Mempool = OpaquePointer

/// The most packets one rx or tx burst handles (DPDK's customary MAX_PKT_BURST).
public let maxBurst = 32

@inline(__always) public func rxBurst(port: UInt16, queue: UInt16, _ pkts: UnsafeMutablePointer<Mbuf?>, _ n: Int) -> Int {
    Int(cdpdk_rx_burst(port, queue, pkts, UInt16(truncatingIfNeeded: n)))
}

@inline(__always) public func txBurst(port: UInt16, queue: UInt16, _ pkts: UnsafeMutablePointer<Mbuf?>, _ n: Int) -> Int {
    Int(cdpdk_tx_burst(port, queue, pkts, UInt16(truncatingIfNeeded: n)))
}

@inline(__always) public func freeBulk(_ pkts: UnsafeMutablePointer<Mbuf?>, _ n: Int) {
    if n > 0 { cdpdk_mbuf_free_bulk(pkts, UInt32(truncatingIfNeeded: n)) }
}

/// The mbuf's first-segment data as bytes.
@inline(__always) public func mbufData(_ m: Mbuf) -> UnsafeMutableRawPointer {
    cdpdk_mbuf_data(m)
}

@inline(__always) public func mbufDataLength(_ m: Mbuf) -> Int { Int(cdpdk_mbuf_data_len(m)) }
@inline(__always) public func mbufPacketLength(_ m: Mbuf) -> Int { Int(cdpdk_mbuf_pkt_len(m)) }
@inline(__always) public func readTSC() -> UInt64 { cdpdk_rdtsc() }
@inline(__always) public func tscHz() -> UInt64 { cdpdk_tsc_hz() }
@inline(__always) public func stopRequested() -> Bool { cdpdk_should_stop() }
public func requestStop() { cdpdk_request_stop() }
