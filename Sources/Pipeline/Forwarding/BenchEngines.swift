import CDPDK
import Glibc

/// `--forward-mode rxonly`: receive and free, like testpmd's rxonly. Every packet is counted
/// as dropped with the reason `rxonly_discard`.
public struct RxOnlyEngine: ForwardEngine {
    public init() {}

    @inline(__always)
    public mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                                 txQueue: UInt16, counters: LcoreCounters) {
        freeBulk(burst, count)
        counters.ports[Int(stream.rxPort)].rxPackets &+= UInt64(count)
        counters.ports[Int(stream.rxPort)].dropped &+= UInt64(count)
        counters.reasons[Int(DropReason.rxonlyDiscard.rawValue)] &+= UInt64(count)
    }
}

/// `--forward-mode macswap`: swap the Ethernet source and destination addresses and send
/// the burst out of the topology's peer port, like testpmd's macswap.
public struct MacSwapEngine: ForwardEngine {
    var io = IOEngine()

    public init() {}

    @inline(__always)
    public mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                                 txQueue: UInt16, counters: LcoreCounters) {
        for i in 0..<count {
            let frame = mbufData(burst[i].unsafelyUnwrapped)
            let d0 = frame.loadUnaligned(as: UInt32.self)
            let d1 = frame.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
            let s0 = frame.loadUnaligned(fromByteOffset: 6, as: UInt32.self)
            let s1 = frame.loadUnaligned(fromByteOffset: 10, as: UInt16.self)
            frame.storeBytes(of: s0, as: UInt32.self)
            frame.storeBytes(of: s1, toByteOffset: 4, as: UInt16.self)
            frame.storeBytes(of: d0, toByteOffset: 6, as: UInt32.self)
            frame.storeBytes(of: d1, toByteOffset: 10, as: UInt16.self)
        }
        io.forward(burst, count: count, stream: stream, txQueue: txQueue, counters: counters)
    }
}

/// Prebuilt frames for `--forward-mode txonly`, copied into fresh mbufs burst after burst.
/// Made from a capture (`govfwd craft` writes governed ones: valid, forged, expired... with
/// varied addresses and capability ids), so one govfwd can load another at full rate.
public final class TxTemplates: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let offsets: [Int]
    let lengths: [Int]

    public init(frames: [[UInt8]]) {
        precondition(!frames.isEmpty, "at least one template")
        let total = frames.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 64)
        bytes = storage
        var offsets: [Int] = [], lengths: [Int] = []
        var at = 0
        for f in frames {
            f.withUnsafeBytes { (storage + at).copyMemory(from: $0.baseAddress!, byteCount: f.count) }
            offsets.append(at)
            lengths.append(f.count)
            at += f.count
        }
        self.offsets = offsets
        self.lengths = lengths
    }

    deinit { bytes.deallocate() }

    public var count: Int { offsets.count }
}

/// `--forward-mode txonly`: generate traffic from templates on every port the worker
/// polls (what it receives is freed as `rxonly_discard`), like testpmd's txonly.
public struct TxOnlyEngine: ForwardEngine {
    let templates: TxTemplates
    let pool: Mempool
    /// The ports this worker generates on.
    let ports: [UInt16]
    let mbufs: UnsafeMutablePointer<Mbuf?>
    let burstSize: Int
    var next = 0

    public init(templates: TxTemplates, pool: Mempool, ports: [UInt16], burstSize: Int = maxBurst) {
        self.templates = templates
        self.ports = ports
        self.pool = pool
        self.burstSize = burstSize
        mbufs = .allocate(capacity: maxBurst)
        mbufs.initialize(repeating: nil, count: maxBurst)
    }

    public mutating func forward(_ burst: UnsafeMutablePointer<Mbuf?>, count: Int, stream: RxStream,
                                 txQueue: UInt16, counters: LcoreCounters) {
        var discard = RxOnlyEngine()
        discard.forward(burst, count: count, stream: stream, txQueue: txQueue, counters: counters)
    }

    @inline(__always)
    public mutating func afterPoll(txQueue: UInt16, counters: LcoreCounters) {
        for port in ports { generate(port: port, txQueue: txQueue, counters: counters) }
    }

    /// One generated burst out of `port`.
    @inline(__always)
    public mutating func generate(port: UInt16, txQueue: UInt16, counters: LcoreCounters) {
        guard cdpdk_mbuf_alloc_bulk(pool, mbufs, UInt32(burstSize)) == 0 else { return }
        for i in 0..<burstSize {
            let m = mbufs[i].unsafelyUnwrapped
            let length = templates.lengths[next]
            if let room = cdpdk_mbuf_append(m, UInt16(truncatingIfNeeded: length)) {
                room.copyMemory(from: templates.bytes + templates.offsets[next], byteCount: length)
            }
            next &+= 1
            if next == templates.count { next = 0 }
        }
        let sent = txBurst(port: port, queue: txQueue, mbufs, burstSize)
        counters.ports[Int(port)].generated &+= UInt64(burstSize)
        counters.ports[Int(port)].txPackets &+= UInt64(sent)
        counters.ports[Int(port)].forwarded &+= UInt64(sent)
        if sent < burstSize {
            freeBulk(mbufs + sent, burstSize &- sent)
            counters.ports[Int(port)].txFull &+= UInt64(burstSize &- sent)
            counters.ports[Int(port)].dropped &+= UInt64(burstSize &- sent)
            counters.reasons[Int(DropReason.txFull.rawValue)] &+= UInt64(burstSize &- sent)
        }
    }
}
