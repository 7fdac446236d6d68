/// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
public enum InternetChecksum {
    /// The one's-complement sum of `bytes` as 16-bit big-endian words (an odd last byte is
    /// padded with zero), added to `initial`; not yet folded or complemented.
    public static func sum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var total = UInt64(initial)
        var i = 0
        while i + 1 < bytes.count {
            total += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { total += UInt64(bytes[i]) << 8 }
        while total >> 32 != 0 { total = (total & 0xFFFF_FFFF) + (total >> 32) }
        return UInt32(total)
    }

    /// The sum of `bytes` (see ``sum(_:initial:)``).
    public static func sum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { sum($0, initial: initial) }
    }

    /// Folds a sum to 16 bits and complements it: the value to write in a checksum field.
    public static func finish(_ sum: UInt32) -> UInt16 {
        var s = sum
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return ~UInt16(s)
    }

    /// The checksum after one 16-bit word of the covered data changes from `old` to `new`
    /// (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). Used when a node rewrites a covered word,
    /// such as `next_proto | hop_budget` under a non-zero outer UDP checksum.
    @inlinable
    public static func update(_ checksum: UInt16, old: UInt16, new: UInt16) -> UInt16 {
        var s = UInt32(~checksum) &+ UInt32(~old) &+ UInt32(new)
        s = (s & 0xFFFF) &+ (s >> 16)
        s = (s & 0xFFFF) &+ (s >> 16)
        return ~UInt16(truncatingIfNeeded: s)
    }
}
