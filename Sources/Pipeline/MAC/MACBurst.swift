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
    /// Messages the scratch holds.
    public let capacity: Int
    /// `capacity` slots of `MACInput.stride` bytes, 64-byte aligned.
    public let messages: UnsafeMutableRawPointer
    /// Blocks of each message (3 or 4).
    public let blockCounts: UnsafeMutablePointer<UInt8>
    /// The expanded key of each message.
    public let keys: UnsafeMutablePointer<UnsafePointer<gov_cmac_key>?>
    /// `capacity` tags of 16 bytes.
    public let tags: UnsafeMutableRawPointer
    /// Where each message's packet carries its tag, for ``computeAndCompare(count:)``.
    public let packetTags: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    /// 1 where the computed tag of a message equals its packet's, else 0 (``computeAndCompare(count:)``).
    public let equal: UnsafeMutablePointer<UInt8>

    public init(capacity: Int = 32) {
        precondition(capacity > 0, "a burst holds at least one message")
        self.capacity = capacity
        messages = UnsafeMutableRawPointer.allocate(byteCount: capacity * MACInput.stride, alignment: 64)
        messages.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * MACInput.stride)
        blockCounts = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        blockCounts.initialize(repeating: 0, count: capacity)
        keys = UnsafeMutablePointer<UnsafePointer<gov_cmac_key>?>.allocate(capacity: capacity)
        keys.initialize(repeating: nil, count: capacity)
        tags = UnsafeMutableRawPointer.allocate(byteCount: capacity * GovWire.macLength, alignment: 64)
        tags.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * GovWire.macLength)
        packetTags = .allocate(capacity: capacity)
        packetTags.initialize(repeating: nil, count: capacity)
        equal = .allocate(capacity: capacity)
        equal.initialize(repeating: 0, count: capacity)
    }

    deinit {
        messages.deallocate()
        blockCounts.deallocate()
        keys.deallocate()
        tags.deallocate()
        packetTags.deallocate()
        equal.deallocate()
    }

    /// The MAC input slot of message `i`.
    @inlinable
    public func slot(_ i: Int) -> UnsafeMutableRawPointer {
        messages + i &* MACInput.stride
    }

    /// The computed tag of message `i`.
    @inlinable
    public func tag(_ i: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(tags + i &* GovWire.macLength)
    }

    /// Fills message `i` from a parsed frame (whose `drop` is nil) and its key.
    @inlinable
    public func load(_ i: Int, frame: UnsafeRawPointer, parsed: ParsedPacket, key: UnsafePointer<gov_cmac_key>) {
        assert(i >= 0 && i < capacity)
        blockCounts[i] = MACInput.write(frame: frame, parsed: parsed, into: slot(i))
        keys[i] = key
    }

    /// Computes the tags of messages `0..<count`, interleaved (`gov_cmac_burst`).
    @inlinable
    public func compute(count: Int) {
        precondition(count >= 0 && count <= capacity, "more messages than the burst holds")
        guard count > 0 else { return }
        gov_cmac_burst(keys, messages.assumingMemoryBound(to: UInt8.self), blockCounts,
                       tags.assumingMemoryBound(to: GovTagBytes.self), UInt32(count))
    }

    /// Computes the tags of messages `0..<count` and compares each with the 16 bytes at
    /// `packetTags[n]` in constant time (`gov_tags_equal_burst`), leaving the result in `equal[n]`.
    @inlinable
    public func computeAndCompare(count: Int) {
        compute(count: count)
        gov_tags_equal_burst(tags.assumingMemoryBound(to: GovTagBytes.self), packetTags, UInt32(count), equal)
    }

    /// Constant-time comparison of the computed tag of message `i` with the 16 bytes at `packetTag`.
    @inlinable
    public func verify(_ i: Int, against packetTag: UnsafeRawPointer) -> Bool {
        view.verify(i, against: packetTag)
    }
}

extension MACBurst {
    /// The scratch's pointers as a value, for a stage's loop: held in a local, they stay in
    /// registers (see ``BurstState``).
    public struct View {
        public let messages: UnsafeMutableRawPointer
        public let blockCounts: UnsafeMutablePointer<UInt8>
        public let keys: UnsafeMutablePointer<UnsafePointer<gov_cmac_key>?>
        public let tags: UnsafeMutableRawPointer
        public let packetTags: UnsafeMutablePointer<UnsafePointer<UInt8>?>
        public let equal: UnsafeMutablePointer<UInt8>

        @inlinable @inline(__always)
        public func slot(_ i: Int) -> UnsafeMutableRawPointer { messages + i &* MACInput.stride }

        /// Moves message `from` (and its block count) to slot `to`.
        @inlinable
        public func move(_ from: Int, to: Int) {
            slot(to).copyMemory(from: slot(from), byteCount: MACInput.stride)
            blockCounts[to] = blockCounts[from]
        }

        /// Constant-time comparison of the computed tag of message `i` with the 16 bytes at
        /// `packetTag` (`gov_tag_equal`: one vector compare). In Swift, two 8-byte compares,
        /// even written as `d0 | d1 == 0`, were split by the optimiser into two branches,
        /// which let the time to reject a tag depend on whether its first half was right.
        @inlinable
        public func verify(_ i: Int, against packetTag: UnsafeRawPointer) -> Bool {
            gov_tag_equal((tags + i &* GovWire.macLength).assumingMemoryBound(to: UInt8.self),
                          packetTag.assumingMemoryBound(to: UInt8.self))
        }
    }

    public var view: View {
        View(messages: messages, blockCounts: blockCounts, keys: keys, tags: tags, packetTags: packetTags, equal: equal)
    }
}

/// How Swift imports C's `uint8_t[16]`: one tag of `gov_cmac_burst`'s `tags` array.
public typealias GovTagBytes = (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
