/// The `constraints` bitmap of the governance header (DESIGN 1.4), read as a big-endian
/// 32-bit integer at offset 16.
///
/// ```
///  31      24 23      16 15       8 7     3 2 1 0
/// +----------+----------+----------+-------+-+-+-+
/// | reserved |  label   |rate_class| rsvd  |E|A|N|   N = NO_EXPORT, A = AUDIT,
/// +----------+----------+----------+-------+-+-+-+   E = ENCRYPTED_ONLY
/// ```
/// A packet with a reserved bit set is invalid (`reserved_constraint_bits`).
public struct Constraints: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32

    /// Bit 0: never sent out of a port configured as an external boundary.
    @inlinable public static var noExportBit: UInt32 { 1 << 0 }
    /// Bit 1: forwarded, and a copy sent to the configured audit port.
    @inlinable public static var auditBit: UInt32 { 1 << 1 }
    /// Bit 2: the inner packet must be IPsec ESP or WireGuard.
    @inlinable public static var encryptedOnlyBit: UInt32 { 1 << 2 }
    /// Bits 3-7 and 24-31: must be 0.
    @inlinable public static var reservedMask: UInt32 { 0xFF00_00F8 }
    static let rateClassShift: UInt32 = 8
    static let labelShift: UInt32 = 16

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Constraints from their parts; the reserved bits are 0.
    public init(noExport: Bool = false, audit: Bool = false, encryptedOnly: Bool = false,
                rateClass: UInt8 = 0, label: UInt8 = 0) {
        rawValue = (noExport ? Self.noExportBit : 0) | (audit ? Self.auditBit : 0)
            | (encryptedOnly ? Self.encryptedOnlyBit : 0)
            | UInt32(rateClass) << Self.rateClassShift | UInt32(label) << Self.labelShift
    }

    /// `NO_EXPORT` (bit 0).
    @inlinable public var noExport: Bool { rawValue & Self.noExportBit != 0 }
    /// `AUDIT` (bit 1).
    @inlinable public var audit: Bool { rawValue & Self.auditBit != 0 }
    /// `ENCRYPTED_ONLY` (bit 2).
    @inlinable public var encryptedOnly: Bool { rawValue & Self.encryptedOnlyBit != 0 }
    /// `rate_class` (bits 8-15): 0 = none; otherwise a meter selected by (scope, rate class).
    @inlinable public var rateClass: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 8) }
    /// `label` (bits 16-23): data classification 0-255.
    @inlinable public var label: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 16) }
    /// True when a reserved bit (3-7, 24-31) is set.
    @inlinable public var hasReservedBits: Bool { rawValue & Self.reservedMask != 0 }
}
