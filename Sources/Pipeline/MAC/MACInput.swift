import CDPDK

/// The message `M` that the governance MAC covers (DESIGN 1.3).
///
/// ```
/// IPv4 inner (48 bytes, 3 blocks):
///  0                              32        36        40                48
///  | GOV bytes 0..31, byte 3 = 0  | src (4) | dst (4) | 8 zero bytes    |
/// IPv6 inner (64 bytes, 4 blocks):
///  0                              32                  48                64
///  | GOV bytes 0..31, byte 3 = 0  | src (16)          | dst (16)        |
/// ```
public enum MACInput {
    /// The stride of one message in a burst scratch buffer (`GOV_CMAC_MSG_STRIDE`).
    @inlinable public static var stride: Int { Int(GOV_CMAC_MSG_STRIDE) }

    /// Writes `M` for a parsed frame into `slot` (at least 64 writable bytes) and returns
    /// its length in 16-byte blocks: 3 (inner IPv4) or 4 (inner IPv6). Returns 0 and writes
    /// nothing when the parser did not locate the inner addresses.
    ///
    /// Call it for packets whose `drop` is nil: their offsets lie inside the frame.
    @inlinable @inline(__always)
    public static func write(frame: UnsafeRawPointer, parsed: ParsedPacket, into slot: UnsafeMutableRawPointer) -> UInt8 {
        write(headerWire: parsed.headerWire, addresses: frame + Int(parsed.innerSourceOffset),
              innerVersion: parsed.innerVersion, into: slot)
    }

    /// Writes `M` from a header's first 32 bytes as ``ParsedPacket/headerWire`` holds them and
    /// the inner addresses at `addresses` (source then destination, adjacent in both IPv4 and
    /// IPv6 headers: 8 bytes for `innerVersion` 4, 32 for 6); returns the blocks written, or 0
    /// (nothing written) for another version. Wide stores, then one byte store zeroes
    /// `hop_budget`; the MACs are computed after the burst is gathered, so these have mostly
    /// left the store buffer before a block is loaded.
    @inlinable @inline(__always)
    public static func write(headerWire: SIMD4<UInt64>, addresses: UnsafeRawPointer, innerVersion: UInt8,
                             into slot: UnsafeMutableRawPointer) -> UInt8 {
        if innerVersion == 4 {
            slot.storeBytes(of: headerWire, as: SIMD4<UInt64>.self)
            slot.storeBytes(of: 0, toByteOffset: GovWire.Offset.hopBudget, as: UInt8.self)
            slot.storeBytes(of: SIMD2(addresses.loadUnaligned(as: UInt64.self), 0), toByteOffset: 32, as: SIMD2<UInt64>.self)
            return 3
        }
        guard innerVersion == 6 else { return 0 }
        slot.storeBytes(of: headerWire, as: SIMD4<UInt64>.self)
        slot.storeBytes(of: 0, toByteOffset: GovWire.Offset.hopBudget, as: UInt8.self)
        slot.storeBytes(of: addresses.loadUnaligned(as: SIMD4<UInt64>.self), toByteOffset: 32, as: SIMD4<UInt64>.self)
        return 4
    }

    /// `M` as bytes, from the first 32 bytes of a header and the inner addresses (4 or 16
    /// bytes each, same family). For tools and tests.
    public static func bytes(header: [UInt8], source: [UInt8], destination: [UInt8]) -> [UInt8] {
        precondition(header.count >= GovWire.macCoveredLength, "a governance header has at least 32 bytes")
        precondition(source.count == destination.count && (source.count == 4 || source.count == 16),
                     "inner addresses are both IPv4 or both IPv6")
        var m = Array(header[0..<GovWire.macCoveredLength])
        m[GovWire.Offset.hopBudget] = 0
        m += source
        m += destination
        if source.count == 4 { m += [UInt8](repeating: 0, count: 8) }
        return m
    }
}
