import CDPDK

/// A worker's scratch for verifying the MACs of one burst: a 64-byte slot per packet for
/// its MAC input, the key and block count of each, and the computed tags. Allocated once,
/// before packets flow; reused for every burst.
///
/// ```swift
/// // per burst, for the packets that passed the cheap checks:
/// for (n, i) in candidates.enumerated() {
///     burst.load(n, frame: frames[i], parsed: parsed[i], key: keyFor(parsed[i]))
/// }
/// burst.compute(count: candidates.count)          // 8 messages side by side
/// let ok = burst.verify(n, against: frames[i] + parsed[i].macOffset)
/// ```
///
/// The verify stage instead sets `packetTags[n]` for every message and calls
/// ``computeAndCompare(count:)``, which leaves 1 or 0 in `equal[n]`.
public final class MACBurst: @unchecked Sendable {
    /// Messages a scratch holds at most: a burst's worth.
    public static let maxCapacity = BurstState.capacity
    /// Messages the scratch holds.
    public let capacity: Int
    /// The scratch: one block, every array at a fixed offset from its start (``Layout``), so
    /// that a stage's loop holds one pointer for all of them (see ``BurstState``).
    let base: UnsafeMutableRawPointer

    /// Byte offsets of the arrays in the block, each 64-byte aligned.
    enum Layout {
        @inline(__always) static var messages: Int { 0 }
        @inline(__always) static var tags: Int { messages + maxCapacity * MACInput.stride }
        @inline(__always) static var blockCounts: Int { tags + maxCapacity * GovWire.macLength }
        @inline(__always) static var keys: Int { blockCounts + lineAligned(maxCapacity) }
        @inline(__always) static var packetTags: Int { keys + lineAligned(maxCapacity * 8) }
        @inline(__always) static var equal: Int { packetTags + lineAligned(maxCapacity * 8) }
        @inline(__always) static var firstBlocks: Int { equal + lineAligned(maxCapacity) }
        @inline(__always) static var size: Int { firstBlocks + lineAligned(MemoryLayout<gov_cmac_first_blocks>.size) }
    }

    public init(capacity: Int = MACBurst.maxCapacity) {
        precondition(capacity > 0 && capacity <= Self.maxCapacity, "a burst holds 1...\(Self.maxCapacity) messages")
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: Layout.size, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: Layout.size)
    }

    deinit {
        // `firstBlocks` holds states derived from keys: wiped, as CMACKey wipes its key.
        gov_wipe(base, Layout.size)
        base.deallocate()
    }

    /// `capacity` slots of `MACInput.stride` bytes, 64-byte aligned.
    public var messages: UnsafeMutableRawPointer { view.messages }
    /// Blocks of each message (3 or 4).
    public var blockCounts: UnsafeMutablePointer<UInt8> { view.blockCounts }
    /// The expanded key of each message.
    public var keys: UnsafeMutablePointer<UnsafePointer<gov_cmac_key>?> { view.keys }
    /// `capacity` tags of 16 bytes.
    public var tags: UnsafeMutableRawPointer { view.tags }
    /// Where each message's packet carries its tag, for ``computeAndCompare(count:)``.
    public var packetTags: UnsafeMutablePointer<UnsafePointer<UInt8>?> { view.packetTags }
    /// 1 where the computed tag of a message equals its packet's, else 0 (``computeAndCompare(count:)``).
    public var equal: UnsafeMutablePointer<UInt8> { view.equal }
    /// The CMAC states after the first blocks that recent groups of one key began with
    /// (`gov_cmac_first_blocks`, four entries), kept from burst to burst: a full group of one
    /// key whose messages all begin with a block an entry holds starts from its state, one
    /// block in (a third of an IPv4 MAC input's AES work, a quarter of an IPv6 one's).
    var firstBlocks: UnsafeMutablePointer<gov_cmac_first_blocks> {
        (base + Layout.firstBlocks).assumingMemoryBound(to: gov_cmac_first_blocks.self)
    }

    /// The MAC input slot of message `i`.
    public func slot(_ i: Int) -> UnsafeMutableRawPointer {
        messages + i &* MACInput.stride
    }

    /// The computed tag of message `i`.
    public func tag(_ i: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(tags + i &* GovWire.macLength)
    }

    /// Fills message `i` from a parsed frame (whose `drop` is nil) and its key.
    public func load(_ i: Int, frame: UnsafeRawPointer, parsed: ParsedPacket, key: UnsafePointer<gov_cmac_key>) {
        assert(i >= 0 && i < capacity)
        blockCounts[i] = MACInput.write(frame: frame, parsed: parsed, into: slot(i))
        keys[i] = key
    }

    /// Computes the tags of messages `0..<count`, interleaved (`gov_cmac_burst`).
    public func compute(count: Int) {
        precondition(count >= 0 && count <= capacity, "more messages than the burst holds")
        guard count > 0 else { return }
        gov_cmac_burst(keys, messages.assumingMemoryBound(to: UInt8.self), blockCounts,
                       tags.assumingMemoryBound(to: GovTagBytes.self), UInt32(count), firstBlocks)
    }

    /// Computes the tags of messages `0..<count` and compares each with the 16 bytes at
    /// `packetTags[n]` in constant time, leaving the result in `equal[n]`
    /// (`gov_cmac_burst_verify`: groups of one length compare their tags while still in registers).
    public func computeAndCompare(count: Int) {
        precondition(count >= 0 && count <= capacity, "more messages than the burst holds")
        guard count > 0 else { return }
        gov_cmac_burst_verify(keys, messages.assumingMemoryBound(to: UInt8.self), blockCounts,
                              tags.assumingMemoryBound(to: GovTagBytes.self), packetTags, equal, UInt32(count), firstBlocks)
    }

    /// Constant-time comparison of the computed tag of message `i` with the 16 bytes at `packetTag`.
    public func verify(_ i: Int, against packetTag: UnsafeRawPointer) -> Bool {
        view.verify(i, against: packetTag)
    }
}

extension MACBurst {
    /// The scratch's pointers as a value, for a stage's loop: held in a local, they stay in
    /// registers (see ``BurstState``).
    public struct View {
        let base: UnsafeMutableRawPointer

        @inline(__always) public var messages: UnsafeMutableRawPointer { base + Layout.messages }
        @inline(__always) public var blockCounts: UnsafeMutablePointer<UInt8> {
            (base + Layout.blockCounts).assumingMemoryBound(to: UInt8.self)
        }
        @inline(__always) public var keys: UnsafeMutablePointer<UnsafePointer<gov_cmac_key>?> {
            (base + Layout.keys).assumingMemoryBound(to: UnsafePointer<gov_cmac_key>?.self)
        }
        @inline(__always) public var tags: UnsafeMutableRawPointer { base + Layout.tags }
        @inline(__always) public var packetTags: UnsafeMutablePointer<UnsafePointer<UInt8>?> {
            (base + Layout.packetTags).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        }
        @inline(__always) public var equal: UnsafeMutablePointer<UInt8> {
            (base + Layout.equal).assumingMemoryBound(to: UInt8.self)
        }

        @inline(__always)
        public func slot(_ i: Int) -> UnsafeMutableRawPointer { messages + i &* MACInput.stride }

        /// Moves message `from` (its input, block count, key and packet tag) to slot `to`.
        public func move(_ from: Int, to: Int) {
            slot(to).copyMemory(from: slot(from), byteCount: MACInput.stride)
            blockCounts[to] = blockCounts[from]
            keys[to] = keys[from]
            packetTags[to] = packetTags[from]
        }

        /// Constant-time comparison of the computed tag of message `i` with the 16 bytes at
        /// `packetTag` (`gov_tag_equal`: one vector compare). In Swift, two 8-byte compares,
        /// even written as `d0 | d1 == 0`, were split by the optimiser into two branches,
        /// which let the time to reject a tag depend on whether its first half was right.
        public func verify(_ i: Int, against packetTag: UnsafeRawPointer) -> Bool {
            gov_tag_equal((tags + i &* GovWire.macLength).assumingMemoryBound(to: UInt8.self),
                          packetTag.assumingMemoryBound(to: UInt8.self))
        }
    }

    public var view: View { View(base: base) }
}

/// How Swift imports C's `uint8_t[16]`: one tag of `gov_cmac_burst`'s `tags` array.
public typealias GovTagBytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
