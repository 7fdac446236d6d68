/// The per-packet state of the burst a pipeline is deciding, indexed by position in the
/// burst, and the burst's scratch: pointers only, allocated once with the pipeline.
///
/// Every stage copies it into a local (`let b = state`) before its loop. Read through the
/// pipeline object instead, each pointer would be loaded again after every store into
/// packet state: a store through an `UnsafeMutablePointer` may, for all the compiler knows,
/// change the object's fields. A local struct of pointers stays in registers.
public struct BurstState {
    public let mbufs: UnsafeMutablePointer<Mbuf?>
    public let frames: UnsafeMutablePointer<UnsafeMutableRawPointer>
    public let parsed: UnsafeMutablePointer<ParsedPacket>
    /// 0 while the packet is still going, else the DropReason code that stopped it.
    public let verdicts: UnsafeMutablePointer<UInt8>
    /// Egress port id of a forwarded packet.
    public let egress: UnsafeMutablePointer<UInt16>
    public let flags: UnsafeMutablePointer<PacketFlags>
    /// Port id of the AUDIT copy when `flags[i]` has `.audit`.
    public let auditEgress: UnsafeMutablePointer<UInt16>
    /// Position of the packet's (authority, epoch) and policy in their tables.
    public let authorityPosition: UnsafeMutablePointer<Int32>
    public let policyPosition: UnsafeMutablePointer<Int32>
    /// Position of the packet's (authority, epoch), later of its capability id, in the
    /// burst's distinct-key scratch (``DistinctKeys``).
    let authoritySlot: UnsafeMutablePointer<UInt8>
    /// The revocation-filter hash of the packet's capability id (``RevocationTable/Filter/hash(_:)``).
    let filterHash: UnsafeMutablePointer<UInt64>
    /// Burst positions of the packets whose MACs are computed: message n of the burst's
    /// ``MACBurst`` is packet `macIndex[n]`'s.
    let macIndex: UnsafeMutablePointer<UInt8>
    /// Addresses a stage gathers to prefetch them with one call.
    let prefetchScratch: UnsafeMutablePointer<UnsafeRawPointer?>
    /// [0]: ``singleEgress``; [1]: ``macCandidates``; [2]: ``drops``.
    let summary: UnsafeMutablePointer<Int32>

    public static let noEgress: Int32 = -2
    public static let mixedEgress: Int32 = -1

    init(capacity: Int) {
        mbufs = .allocate(capacity: capacity)
        mbufs.initialize(repeating: nil, count: capacity)
        frames = .allocate(capacity: capacity)
        parsed = .allocate(capacity: capacity)
        parsed.initialize(repeating: ParsedPacket(), count: capacity)
        verdicts = .allocate(capacity: capacity)
        verdicts.initialize(repeating: 0, count: capacity)
        egress = .allocate(capacity: capacity)
        egress.initialize(repeating: 0, count: capacity)
        flags = .allocate(capacity: capacity)
        flags.initialize(repeating: [], count: capacity)
        auditEgress = .allocate(capacity: capacity)
        auditEgress.initialize(repeating: 0, count: capacity)
        authorityPosition = .allocate(capacity: capacity)
        authorityPosition.initialize(repeating: -1, count: capacity)
        policyPosition = .allocate(capacity: capacity)
        policyPosition.initialize(repeating: -1, count: capacity)
        authoritySlot = .allocate(capacity: capacity)
        authoritySlot.initialize(repeating: 0, count: capacity)
        filterHash = .allocate(capacity: capacity)
        filterHash.initialize(repeating: 0, count: capacity)
        macIndex = .allocate(capacity: capacity)
        macIndex.initialize(repeating: 0, count: capacity)
        prefetchScratch = .allocate(capacity: capacity)
        prefetchScratch.initialize(repeating: nil, count: capacity)
        summary = .allocate(capacity: 3)
        summary.initialize(repeating: 0, count: 3)
    }

    func deallocate() {
        mbufs.deallocate(); frames.deallocate(); parsed.deallocate(); verdicts.deallocate()
        egress.deallocate(); flags.deallocate(); auditEgress.deallocate()
        authorityPosition.deallocate(); policyPosition.deallocate()
        authoritySlot.deallocate(); filterHash.deallocate(); macIndex.deallocate()
        prefetchScratch.deallocate(); summary.deallocate()
    }

    /// The one egress port of every packet the burst sends, when they share it and none
    /// has an audit copy; `noEgress` when the burst sends nothing, `mixedEgress` otherwise.
    /// Lets the engine send the burst without grouping it by port.
    public var singleEgress: Int32 {
        get { summary[0] }
        nonmutating set { summary[0] = newValue }
    }

    /// Packets the parse stage gathered for the MAC computation (`macIndex[0..<macCandidates]`).
    var macCandidates: Int {
        get { Int(summary[1]) }
        nonmutating set { summary[1] = Int32(truncatingIfNeeded: newValue) }
    }

    /// Packets of the burst given a drop verdict.
    public var drops: Int {
        get { Int(summary[2]) }
        nonmutating set { summary[2] = Int32(truncatingIfNeeded: newValue) }
    }

    /// Sets the verdict of packet `i` (the first failing check wins; a packet is dropped once).
    @inline(__always)
    func drop(_ i: Int, _ reason: DropReason) {
        verdicts[i] = reason.rawValue
        summary[2] &+= 1
    }

    /// Packet `i` leaves by `port` (`audit`: with a copy out of another port). `single` is
    /// the stage's copy of ``singleEgress``, kept in a register through its loop.
    @inline(__always)
    func send(_ i: Int, to port: UInt16, audit: Bool = false, single: inout Int32) {
        egress[i] = port
        if single == Self.noEgress { single = Int32(port) }
        if audit || single != Int32(port) { single = Self.mixedEgress }
    }
}
