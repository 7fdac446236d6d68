/// The per-packet state of the burst a pipeline is deciding, indexed by position in the
/// burst, and the burst's scratch.
///
/// Every array lies in one block allocated with the pipeline, at a fixed offset from its
/// start (``Layout``), so a stage needs one register for all of them: each array is the
/// block's address plus a constant, which the compiler folds into the address of every
/// access. With a pointer per array, the parse stage's loop had more live pointers than
/// registers and reloaded about a dozen of them from the stack for every packet.
///
/// Every stage copies it into a local (`let b = state`) before its loop. Read through the
/// pipeline object instead, the block's address would be loaded again after every store
/// into packet state: a store through an `UnsafeMutablePointer` may, for all the compiler
/// knows, change the object's fields.
public struct BurstState {
    /// Packets a burst holds at most.
    public static let capacity = maxBurst
    let base: UnsafeMutableRawPointer

    /// Byte offsets of the arrays in the block, each 64-byte aligned.
    enum Layout {
        @inline(__always) static func after(_ offset: Int, _ bytes: Int) -> Int { lineAligned(offset + bytes) }
        @inline(__always) static var parsed: Int { 0 }
        @inline(__always) static var mbufs: Int { after(parsed, MemoryLayout<ParsedPacket>.stride * capacity) }
        @inline(__always) static var frames: Int { after(mbufs, 8 * capacity) }
        @inline(__always) static var verdicts: Int { after(frames, 8 * capacity) }
        @inline(__always) static var egress: Int { after(verdicts, capacity) }
        @inline(__always) static var flags: Int { after(egress, 2 * capacity) }
        @inline(__always) static var auditEgress: Int { after(flags, capacity) }
        @inline(__always) static var authorityPosition: Int { after(auditEgress, 2 * capacity) }
        @inline(__always) static var policyPosition: Int { after(authorityPosition, 4 * capacity) }
        @inline(__always) static var authoritySlot: Int { after(policyPosition, 4 * capacity) }
        @inline(__always) static var filterHash: Int { after(authoritySlot, capacity) }
        @inline(__always) static var macIndex: Int { after(filterHash, 8 * capacity) }
        @inline(__always) static var summary: Int { after(macIndex, capacity) }
        @inline(__always) static var size: Int { after(summary, 4 * 4) }
    }

    @inline(__always)
    func array<T>(_ offset: Int, _: T.Type) -> UnsafeMutablePointer<T> {
        (base + offset).assumingMemoryBound(to: T.self)
    }

    public var mbufs: UnsafeMutablePointer<Mbuf?> { array(Layout.mbufs, Mbuf?.self) }
    public var frames: UnsafeMutablePointer<UnsafeMutableRawPointer> { array(Layout.frames, UnsafeMutableRawPointer.self) }
    public var parsed: UnsafeMutablePointer<ParsedPacket> { array(Layout.parsed, ParsedPacket.self) }
    /// 0 while the packet is still going, else the DropReason code that stopped it.
    public var verdicts: UnsafeMutablePointer<UInt8> { array(Layout.verdicts, UInt8.self) }
    /// Egress port id of a forwarded packet.
    public var egress: UnsafeMutablePointer<UInt16> { array(Layout.egress, UInt16.self) }
    public var flags: UnsafeMutablePointer<PacketFlags> { array(Layout.flags, PacketFlags.self) }
    /// Port id of the AUDIT copy when `flags[i]` has `.audit`.
    public var auditEgress: UnsafeMutablePointer<UInt16> { array(Layout.auditEgress, UInt16.self) }
    /// Position of the packet's (authority, epoch) and policy in their tables.
    public var authorityPosition: UnsafeMutablePointer<Int32> { array(Layout.authorityPosition, Int32.self) }
    public var policyPosition: UnsafeMutablePointer<Int32> { array(Layout.policyPosition, Int32.self) }
    /// Position of the packet's (authority, epoch), later of its capability id, in the
    /// burst's distinct-key scratch (``DistinctKeys``); ``resolved`` when the parse stage
    /// resolved its (authority, epoch).
    var authoritySlot: UnsafeMutablePointer<UInt8> { array(Layout.authoritySlot, UInt8.self) }
    /// The revocation-filter hash of the packet's capability id (``RevocationTable/Filter/hash(_:)``).
    var filterHash: UnsafeMutablePointer<UInt64> { array(Layout.filterHash, UInt64.self) }
    /// Burst positions of the packets whose MACs are computed: message n of the burst's
    /// ``MACBurst`` is packet `macIndex[n]`'s.
    var macIndex: UnsafeMutablePointer<UInt8> { array(Layout.macIndex, UInt8.self) }
    /// [0]: ``singleEgress``; [1]: ``macCandidates``; [2]: ``drops``; [3]: ``pushed``.
    var summary: UnsafeMutablePointer<Int32> { array(Layout.summary, Int32.self) }

    /// `authoritySlot` of a packet the parse stage resolved (``KnownAuthority``).
    static let resolved: UInt8 = 0xFF

    public static let noEgress: Int32 = -2
    public static let mixedEgress: Int32 = -1

    init() {
        base = .allocate(byteCount: Layout.size, alignment: 64)
        let n = Self.capacity
        mbufs.initialize(repeating: nil, count: n)
        frames.initialize(repeating: UnsafeMutableRawPointer(base), count: n)
        parsed.initialize(repeating: ParsedPacket(), count: n)
        verdicts.initialize(repeating: 0, count: n)
        egress.initialize(repeating: 0, count: n)
        flags.initialize(repeating: [], count: n)
        auditEgress.initialize(repeating: 0, count: n)
        authorityPosition.initialize(repeating: -1, count: n)
        policyPosition.initialize(repeating: -1, count: n)
        authoritySlot.initialize(repeating: 0, count: n)
        filterHash.initialize(repeating: 0, count: n)
        macIndex.initialize(repeating: 0, count: n)
        summary.initialize(repeating: 0, count: 4)
    }

    func deallocate() { base.deallocate() }

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

    /// Packets the parse stage gave a governance header (this node is their gateway). The
    /// verify stage does not see them, so in a burst that holds any it hands no packet
    /// straight on to the classify stage (``GovernPipeline/verifyStage(count:now:pass:)``).
    /// (A passed packet needs nothing after the parse stage, which sent it.)
    var pushed: Int {
        get { Int(summary[3]) }
        nonmutating set { summary[3] = Int32(truncatingIfNeeded: newValue) }
    }

    /// Packets of the burst given a drop verdict.
    public var drops: Int {
        get { Int(summary[2]) }
        nonmutating set { summary[2] = Int32(truncatingIfNeeded: newValue) }
    }

    /// Starts a burst: every packet going (verdict 0), no flags, no policy. Each array is
    /// cleared whole, `capacity` entries whatever the burst's size: with a constant count
    /// the compiler writes a few vector stores instead of calling memset.
    @inline(__always)
    func clearVerdicts() {
        verdicts.update(repeating: 0, count: Self.capacity)
        flags.update(repeating: [], count: Self.capacity)
        policyPosition.update(repeating: -1, count: Self.capacity)
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

/// `bytes` rounded up to whole 64-byte cache lines: where the next array of a scratch block
/// starts (``BurstState/Layout``, ``MACBurst/Layout``).
@inline(__always)
func lineAligned(_ bytes: Int) -> Int { (bytes + 63) & ~63 }
