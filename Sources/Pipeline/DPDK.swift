import CDPDK
import Glibc

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

// The per-packet mbuf fields are read here in Swift, at the offsets cdpdk.h defines (and
// cdpdk.c checks against struct rte_mbuf): LLVM does not inline the C accessors into the
// burst loops, and a call per field per packet is measurable.

/// The mbuf's first-segment data as bytes (`rte_pktmbuf_mtod`).
@inline(__always) public func mbufData(_ m: Mbuf) -> UnsafeMutableRawPointer {
    let raw = UnsafeRawPointer(m)
    let buffer = raw.load(fromByteOffset: Int(CDPDK_MBUF_OFF_BUF_ADDR), as: UnsafeMutableRawPointer.self)
    return buffer + Int(raw.load(fromByteOffset: Int(CDPDK_MBUF_OFF_DATA_OFF), as: UInt16.self))
}

/// `m->data_len`: bytes in the first segment.
@inline(__always) public func mbufDataLength(_ m: Mbuf) -> Int {
    Int(UnsafeRawPointer(m).load(fromByteOffset: Int(CDPDK_MBUF_OFF_DATA_LEN), as: UInt16.self))
}

/// `m->pkt_len`: bytes in the whole chain.
@inline(__always) public func mbufPacketLength(_ m: Mbuf) -> Int {
    Int(UnsafeRawPointer(m).load(fromByteOffset: Int(CDPDK_MBUF_OFF_PKT_LEN), as: UInt32.self))
}

/// A packet holding `bytes`, from `pool`, in as many segments as it takes when each holds at
/// most `segmentSize` bytes (as a PMD receives a frame larger than its mbufs: the pcap PMD
/// chains frames over 2048 bytes). Nil, with nothing left allocated, when the pool runs out.
/// Not for the per-packet path: explain, tests and fuzzing build their input with it.
public func makeMbufChain(_ bytes: UnsafeRawBufferPointer, pool: Mempool, segmentSize: Int = 2048) -> Mbuf? {
    precondition(segmentSize > 0 && segmentSize <= Int(UInt16.max), "segment size out of range")
    guard let head = cdpdk_mbuf_alloc(pool) else { return nil }
    let size = min(segmentSize, Int(cdpdk_mbuf_tailroom(head)))
    let first = min(bytes.count, size)
    if first > 0, let base = bytes.baseAddress {
        cdpdk_mbuf_append(head, UInt16(first))!.copyMemory(from: base, byteCount: first)
    }
    var offset = first
    while offset < bytes.count {
        let n = min(bytes.count - offset, size)
        guard cdpdk_pktmbuf_append_segment(pool, head, bytes.baseAddress! + offset, UInt16(n)) == 0 else {
            cdpdk_mbuf_free(head)
            return nil
        }
        offset += n
    }
    return head
}

/// Every byte of the packet `m`, across its segments (`rte_pktmbuf_read`). Not for the
/// per-packet path.
public func mbufBytes(_ m: Mbuf) -> [UInt8] {
    let length = mbufPacketLength(m)
    return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
        if length > 0, let base = buffer.baseAddress, let data = cdpdk_pktmbuf_read(m, 0, UInt32(length), base),
           data != UnsafeRawPointer(base) {
            UnsafeMutableRawPointer(base).copyMemory(from: data, byteCount: length)
        }
        count = length
    }
}

/// Prefetches the cache line at `p` into every level (`__builtin_prefetch`, inlined).
@inline(__always) public func prefetch(_ p: UnsafeRawPointer) { cdpdk_prefetch0(p) }

/// Prefetches the first cache line of the packet data of `pkts[0..<n]` (the receive burst has
/// just written the mbuf headers, so they are in cache).
@inline(__always) public func prefetchData(_ pkts: UnsafeMutablePointer<Mbuf?>, _ n: Int) {
    for i in 0..<n { cdpdk_prefetch0(mbufData(pkts[i].unsafelyUnwrapped)) }
}
@inline(__always) public func readTSC() -> UInt64 { cdpdk_rdtsc() }
@inline(__always) public func tscHz() -> UInt64 { cdpdk_tsc_hz() }
@inline(__always) public func stopRequested() -> Bool { cdpdk_should_stop() }
public func requestStop() { cdpdk_request_stop() }

/// Initialises the EAL with `arguments` (program name first). Returns the arguments it did
/// not consume, the application's (what follows `--`), or nil with `cdpdk_errno()` set.
/// The C strings stay allocated for the life of the process: the EAL may keep pointers to them.
public func initializeEAL(_ arguments: [String]) -> [String]? {
    // rte_eal_init permutes argv and overwrites one entry with the program name: it gets a copy
    // of the list, and both stay reachable.
    let strings = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
    for (i, argument) in arguments.enumerated() { strings[i] = strdup(argument) }
    strings[arguments.count] = nil
    ealArguments = strings
    let cArgs = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
    cArgs.initialize(from: strings, count: arguments.count + 1)
    ealArgv = cArgs
    let consumed = cdpdk_eal_init(Int32(arguments.count), cArgs)
    guard consumed >= 0 else { return nil }
    // rte_eal_init permutes argv so that the application arguments follow position `consumed`.
    let first = min(Int(consumed) + 1, arguments.count)
    return (first..<arguments.count).compactMap { cArgs[$0].map { String(cString: $0) } }
}

/// The EAL's argument strings and the argv it was given, kept (and reachable, for
/// LeakSanitizer) for the life of the process: the EAL may keep pointers into them.
nonisolated(unsafe) private var ealArguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
nonisolated(unsafe) private var ealArgv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

/// The text of a DPDK error number (rte_strerror).
public func dpdkError(_ code: Int32) -> String { String(cString: cdpdk_strerror(code)) }

/// SplitMix64 (Steele, Lea, Flood 2014): a seeded generator whose output function is also a
/// good 64-bit mixer. Used for reproducible traffic (craft) and tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The output function's two multipliers (the revocation filter's hash uses them too).
    @inlinable static var multiplier1: UInt64 { 0xBF58_476D_1CE4_E5B9 }
    @inlinable static var multiplier2: UInt64 { 0x94D0_49BB_1331_11EB }

    /// The output function alone: a bijective mix of `z`.
    @inline(__always)
    public static func mix(_ z: UInt64) -> UInt64 {
        var z = z
        z = (z ^ (z >> 30)) &* multiplier1
        z = (z ^ (z >> 27)) &* multiplier2
        return z ^ (z >> 31)
    }
}
