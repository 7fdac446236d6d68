/// The fixed fields of a governance header (DESIGN 1.2), read big-endian from the wire.
/// The MAC (bytes 32..47) is not copied: it is compared where it lies in the packet.
public struct GovHeader: Hashable, Sendable {
    /// Byte 0: version (high nibble, must be 1) and reserved nibble (must be 0).
    public var verFlags: UInt8
    /// Byte 1: whole header length in 8-byte units, options included; at least 6.
    public var hdrLen: UInt8
    /// Byte 2: the inner packet, 4 = IPv4, 41 = IPv6.
    public var nextProto: UInt8
    /// Byte 3: governed hops left; not covered by the MAC.
    public var hopBudget: UInt8
    /// Bytes 4..7.
    public var scope: ScopeID
    /// Byte 8.
    public var trust: TrustLevel
    /// Byte 9.
    public var routeClass: RouteClass
    /// Bytes 10..11.
    public var epoch: KeyEpoch
    /// Bytes 12..15.
    public var authority: AuthorityID
    /// Bytes 16..19.
    public var constraints: Constraints
    /// Bytes 20..23: Unix seconds (UTC); invalid strictly after this second.
    public var expiry: UInt32
    /// Bytes 24..31.
    public var capability: CapabilityID

    /// An all-zero header.
    @inlinable
    public init() {
        self.init(verFlags: 0, hdrLen: 0, nextProto: 0, hopBudget: 0, scope: ScopeID(0), trust: TrustLevel(0),
                  routeClass: RouteClass(0), epoch: KeyEpoch(0), authority: AuthorityID(0),
                  constraints: Constraints(rawValue: 0), expiry: 0, capability: CapabilityID(0))
    }

    @inlinable
    public init(verFlags: UInt8, hdrLen: UInt8, nextProto: UInt8, hopBudget: UInt8, scope: ScopeID,
                trust: TrustLevel, routeClass: RouteClass, epoch: KeyEpoch, authority: AuthorityID,
                constraints: Constraints, expiry: UInt32, capability: CapabilityID) {
        self.verFlags = verFlags
        self.hdrLen = hdrLen
        self.nextProto = nextProto
        self.hopBudget = hopBudget
        self.scope = scope
        self.trust = trust
        self.routeClass = routeClass
        self.epoch = epoch
        self.authority = authority
        self.constraints = constraints
        self.expiry = expiry
        self.capability = capability
    }

    /// Reads the fields from the first 32 bytes at `gov`, which the caller has checked are readable.
    @inlinable @inline(__always)
    public init(loadingFrom gov: UnsafeRawPointer) {
        let first = gov.loadBigEndian(at: GovWire.Offset.verFlags, as: UInt32.self)
        let second = gov.loadBigEndian(at: GovWire.Offset.trust, as: UInt32.self)
        self.init(
            verFlags: UInt8(truncatingIfNeeded: first >> 24),
            hdrLen: UInt8(truncatingIfNeeded: first >> 16),
            nextProto: UInt8(truncatingIfNeeded: first >> 8),
            hopBudget: UInt8(truncatingIfNeeded: first),
            scope: ScopeID(gov.loadBigEndian(at: GovWire.Offset.scope, as: UInt32.self)),
            trust: TrustLevel(UInt8(truncatingIfNeeded: second >> 24)),
            routeClass: RouteClass(UInt8(truncatingIfNeeded: second >> 16)),
            epoch: KeyEpoch(UInt16(truncatingIfNeeded: second)),
            authority: AuthorityID(gov.loadBigEndian(at: GovWire.Offset.authority, as: UInt32.self)),
            constraints: Constraints(rawValue: gov.loadBigEndian(at: GovWire.Offset.constraints, as: UInt32.self)),
            expiry: gov.loadBigEndian(at: GovWire.Offset.expiry, as: UInt32.self),
            capability: CapabilityID(gov.loadBigEndian(at: GovWire.Offset.capability, as: UInt64.self)))
    }

    /// Decodes the fields from the header's first 32 bytes as they lie on the wire, held as
    /// four words as a native load gives them (``ParsedPacket`` keeps them so, and decodes a
    /// field only when it is read). Each word is first put in little-endian order (byte n of
    /// the word in bits 8n..8n+7), so the decoding is the same on every host; `@_transparent`
    /// because the parse stage's callers are large functions in which the optimiser left
    /// `@inline(__always)` accessors as calls.
    @_transparent
    public init(wire w: SIMD4<UInt64>) {
        let a = UInt64(littleEndian: w[0]), b = UInt64(littleEndian: w[1])
        let c = UInt64(littleEndian: w[2]), d = UInt64(littleEndian: w[3])
        self.init(
            verFlags: UInt8(truncatingIfNeeded: a),
            hdrLen: UInt8(truncatingIfNeeded: a >> 8),
            nextProto: UInt8(truncatingIfNeeded: a >> 16),
            hopBudget: UInt8(truncatingIfNeeded: a >> 24),
            scope: ScopeID(UInt32(truncatingIfNeeded: a >> 32).byteSwapped),
            trust: TrustLevel(UInt8(truncatingIfNeeded: b)),
            routeClass: RouteClass(UInt8(truncatingIfNeeded: b >> 8)),
            epoch: KeyEpoch(UInt16(truncatingIfNeeded: b >> 16).byteSwapped),
            authority: AuthorityID(UInt32(truncatingIfNeeded: b >> 32).byteSwapped),
            constraints: Constraints(rawValue: UInt32(truncatingIfNeeded: c).byteSwapped),
            expiry: UInt32(truncatingIfNeeded: c >> 32).byteSwapped,
            capability: CapabilityID(d.byteSwapped))
    }

    /// The first 32 bytes on the wire, as ``init(wire:)`` reads them.
    @inlinable
    public var wire: SIMD4<UInt64> {
        let a = UInt64(verFlags) | UInt64(hdrLen) << 8 | UInt64(nextProto) << 16 | UInt64(hopBudget) << 24
            | UInt64(scope.rawValue.byteSwapped) << 32
        let b = UInt64(trust.rawValue) | UInt64(routeClass.rawValue) << 8 | UInt64(epoch.rawValue.byteSwapped) << 16
            | UInt64(authority.rawValue.byteSwapped) << 32
        let c = UInt64(constraints.rawValue.byteSwapped) | UInt64(expiry.byteSwapped) << 32
        return SIMD4(a.littleEndian, b.littleEndian, c.littleEndian, capability.rawValue.byteSwapped.littleEndian)
    }

    /// The version nibble.
    @inlinable public var version: UInt8 { verFlags >> 4 }
    /// The header length in bytes, options included.
    @inlinable public var headerLength: Int { Int(hdrLen) &* GovWire.lengthUnit }
}
