/// The fields a governance header is minted with. Defaults make a valid header apart from
/// the identifiers, which the caller chooses.
public struct GovFields: Sendable, Equatable {
    /// Byte 0; `0x10` is version 1 with the reserved nibble clear.
    public var verFlags: UInt8 = 0x10
    /// Byte 2; nil derives it from the inner address family (4 or 41).
    public var nextProto: UInt8? = nil
    public var hopBudget: UInt8 = 8
    public var scope = ScopeID(0)
    public var trust = TrustLevel(0)
    public var routeClass = RouteClass(0)
    public var epoch = KeyEpoch(0)
    public var authority = AuthorityID(0)
    public var constraints = Constraints(rawValue: 0)
    public var expiry: UInt32 = 0
    public var capability = CapabilityID(0)
    /// Option TLV bytes after byte 48; padded with pad-1 bytes to a multiple of 8.
    public var options: [UInt8] = []
    /// Byte 1; nil computes it from the options (6 + options / 8).
    public var hdrLen: UInt8? = nil

    public init(scope: ScopeID = ScopeID(0), trust: TrustLevel = TrustLevel(0), routeClass: RouteClass = RouteClass(0),
                epoch: KeyEpoch = KeyEpoch(0), authority: AuthorityID = AuthorityID(0),
                constraints: Constraints = Constraints(rawValue: 0), expiry: UInt32 = 0,
                capability: CapabilityID = CapabilityID(0), hopBudget: UInt8 = 8) {
        self.scope = scope
        self.trust = trust
        self.routeClass = routeClass
        self.epoch = epoch
        self.authority = authority
        self.constraints = constraints
        self.expiry = expiry
        self.capability = capability
        self.hopBudget = hopBudget
    }
}

/// Writes governance headers (DESIGN 1.2) and seals them (1.3). For tools and tests:
/// it allocates.
public enum GovHeaderBuilder {
    /// The header with its MAC computed over itself and the flow (`source`, `destination`:
    /// the inner packet's addresses, same family).
    ///
    /// ```swift
    /// let gov = GovHeaderBuilder.sealed(fields, source: IPAddress("10.0.0.1")!,
    ///                                   destination: IPAddress("10.0.0.2")!, key: key)
    /// gov.count  // 48
    /// ```
    public static func sealed(_ fields: GovFields, source: IPAddress, destination: IPAddress, key: CMACKey) -> [UInt8] {
        var header = unsealed(fields, innerVersion: source.version)
        let tag = key.tag(of: MACInput.bytes(header: header, source: source.bytes, destination: destination.bytes))
        header.replaceSubrange(GovWire.Offset.mac..<GovWire.Offset.mac + GovWire.macLength, with: tag)
        return header
    }

    /// The header with a zero MAC.
    public static func unsealed(_ fields: GovFields, innerVersion: UInt8) -> [UInt8] {
        var options = fields.options
        while options.count % GovWire.lengthUnit != 0 { options.append(GovWire.optionPad1) }
        let hdrLen = fields.hdrLen ?? UInt8(clamping: (GovWire.fixedLength + options.count) / GovWire.lengthUnit)
        let nextProto = fields.nextProto ?? (innerVersion == 4 ? GovWire.nextProtoIPv4 : GovWire.nextProtoIPv6)
        var h: [UInt8] = []
        h.reserveCapacity(GovWire.fixedLength + options.count)
        h += [fields.verFlags, hdrLen, nextProto, fields.hopBudget]
        h.appendBigEndian(fields.scope.rawValue)
        h += [fields.trust.rawValue, fields.routeClass.rawValue]
        h.appendBigEndian(fields.epoch.rawValue)
        h.appendBigEndian(fields.authority.rawValue)
        h.appendBigEndian(fields.constraints.rawValue)
        h.appendBigEndian(fields.expiry)
        h.appendBigEndian(fields.capability.rawValue)
        h += [UInt8](repeating: 0, count: GovWire.macLength)
        h += options
        return h
    }
}
