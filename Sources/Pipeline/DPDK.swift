import CDPDK

/// Swift names for the DPDK entry points the pipeline uses. Every call into DPDK from
/// Swift goes through this file; the C side is Sources/CDPDK/include/cdpdk.h.
public typealias Mbuf = OpaquePointer  // struct rte_mbuf *
public typealias Mempool = OpaquePointer  // struct rte_mempool *
