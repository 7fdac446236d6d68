/// How a governance header travels (DESIGN 1.1).
public enum Carrier: UInt8, Sendable, Equatable {
    /// Not located (the packet was dropped before the carrier was known, or is not governed).
    case none = 0
    /// Ethernet [802.1Q] / IPv4 / UDP to the governance port / GOV / inner.
    case udpIPv4 = 1
    /// Ethernet [802.1Q] / IPv6 / UDP to the governance port / GOV / inner.
    case udpIPv6 = 2
    /// Ethernet [802.1Q] / EtherType 0x88B5 / GOV / inner.
    case ethernet = 3
}

/// What ``GovParser`` found in one frame: plain values and byte offsets from the start of
/// the frame, no references and no allocation.
///
/// `drop` is nil when the packet passed every check that needs no table; otherwise it is
/// the first failed check, and only the fields located before that check are set (the rest
/// are zero).
public struct ParsedPacket: Sendable, Equatable {
    // The fields are declared in the order they lie in memory: first the ones a layout at
    // fixed offsets gives as constants (stored together, with few wide stores), then the
    // packet's end, then the header; 64 bytes in all, one cache line per packet.

    /// The first failed check, or nil.
    public var drop: DropReason?
    public var carrier: Carrier
    /// True when the frame has one 802.1Q tag; `vlanID` is then its 12-bit VLAN identifier.
    public var hasVLAN: Bool
    /// 4 or 6.
    public var innerVersion: UInt8
    public var vlanID: UInt16
    /// Start of the carrier's layer 3: the outer IP header (UDP carrier) or the GOV header
    /// (Ethernet carrier).
    public var l3Offset: UInt16
    /// Start of the outer UDP header; 0 for the Ethernet carrier.
    public var udpOffset: UInt16
    /// Start of the governance header.
    public var govOffset: UInt16
    /// Length of the governance header in bytes, options included (`hdr_len * 8`).
    public var govLength: UInt16
    /// Start of the inner IP packet.
    public var innerOffset: UInt16
    /// Offsets of the inner source and destination addresses (4 or 16 bytes each).
    public var innerSourceOffset: UInt16
    public var innerDestinationOffset: UInt16
    /// End of the packet as its length fields say (outer IP and UDP lengths; the frame
    /// length for the Ethernet carrier). Bytes after it (Ethernet padding) are not part of it.
    public var packetEnd: UInt16
    /// The header's first 32 bytes as they lie on the wire (``GovHeader/init(wire:)``):
    /// copied with two wide loads and stores; a stage that reads a field of ``header``
    /// decodes only that field.
    public var headerWire: SIMD4<UInt64>
    /// The fixed fields (transparent, like the parser's fast paths: see ``GovParser/parse(_:length:into:)``).
    public var header: GovHeader {
        @_transparent get { GovHeader(wire: headerWire) }
        @_transparent set { headerWire = newValue.wire }
    }

    /// A result with nothing located yet.
    @inlinable
    public init() {
        drop = nil
        carrier = .none
        hasVLAN = false
        innerVersion = 0
        vlanID = 0
        l3Offset = 0
        udpOffset = 0
        govOffset = 0
        govLength = 0
        innerOffset = 0
        innerSourceOffset = 0
        innerDestinationOffset = 0
        packetEnd = 0
        headerWire = SIMD4()
    }

    /// Every field, as the parser's fast paths set them at once.
    @inlinable
    init(drop: DropReason?, carrier: Carrier, hasVLAN: Bool, vlanID: UInt16, l3Offset: UInt16, udpOffset: UInt16,
         govOffset: UInt16, govLength: UInt16, innerOffset: UInt16, packetEnd: UInt16, headerWire: SIMD4<UInt64>,
         innerVersion: UInt8, innerSourceOffset: UInt16, innerDestinationOffset: UInt16) {
        self.drop = drop
        self.carrier = carrier
        self.hasVLAN = hasVLAN
        self.innerVersion = innerVersion
        self.vlanID = vlanID
        self.l3Offset = l3Offset
        self.udpOffset = udpOffset
        self.govOffset = govOffset
        self.govLength = govLength
        self.innerOffset = innerOffset
        self.innerSourceOffset = innerSourceOffset
        self.innerDestinationOffset = innerDestinationOffset
        self.packetEnd = packetEnd
        self.headerWire = headerWire
    }

    /// True when every table-free check passed.
    @inlinable public var passedHeaderChecks: Bool { drop == nil }
    /// Offset of the 16-byte MAC in the frame.
    @inlinable public var macOffset: Int { Int(govOffset) &+ GovWire.Offset.mac }
    /// Offset of `hop_budget` in the frame (decremented when forwarding).
    @inlinable public var hopBudgetOffset: Int { Int(govOffset) &+ GovWire.Offset.hopBudget }
    /// Blocks of the MAC input: 3 for an inner IPv4 packet, 4 for IPv6, 0 when not located.
    @inlinable public var macBlockCount: UInt8 {
        innerVersion == 4 ? 3 : innerVersion == 6 ? 4 : 0
    }
    /// Inner IPv4 protocol or IPv6 next header (no extension header is walked), read from
    /// `frame`, the frame this result was parsed from; 0 when the inner header was not located.
    /// Read when needed rather than by the parser: only ENCRYPTED_ONLY asks (``innerDestinationPort(in:)``).
    @inlinable
    public func innerProtocol(in frame: UnsafeRawPointer) -> UInt8 {
        switch innerVersion {
        case 4: frame.loadByte(at: Int(innerOffset) &+ IPv4Header.protocolOffset)
        case 6: frame.loadByte(at: Int(innerOffset) &+ IPv6Header.nextHeaderOffset)
        default: 0
        }
    }

    /// Inner UDP destination port, read from `frame`, the frame this result was parsed from;
    /// 0 when the inner packet is not UDP or its UDP header is absent (a later IPv4 fragment,
    /// or cut short). Reads only inside the inner packet, whose lengths the parser checked.
    @inlinable
    public func innerDestinationPort(in frame: UnsafeRawPointer) -> UInt16 {
        guard innerProtocol(in: frame) == IPProtocol.udp else { return 0 }
        let inner = Int(innerOffset)
        if innerVersion == 4 {
            let headerLength = Int(frame.loadByte(at: inner) & 0x0F) &* 4
            let totalLength = Int(frame.loadBigEndian(at: inner &+ 2, as: UInt16.self))
            let firstFragment = frame.loadBigEndian(at: inner &+ 6, as: UInt16.self) & 0x1FFF == 0
            guard firstFragment, totalLength &- headerLength >= HeaderLength.udp else { return 0 }
            return frame.loadBigEndian(at: inner &+ headerLength &+ 2, as: UInt16.self)
        }
        guard Int(frame.loadBigEndian(at: inner &+ 4, as: UInt16.self)) >= HeaderLength.udp else { return 0 }
        return frame.loadBigEndian(at: inner &+ HeaderLength.ipv6 &+ 2, as: UInt16.self)
    }

    /// Length of the inner IP packet as its header says (IPv4 total length, IPv6 40 + payload
    /// length), read from `frame`, the frame this result was parsed from; 0 when not located.
    /// The parser checked that it fits the packet.
    @inlinable
    public func innerPacketLength(in frame: UnsafeRawPointer) -> Int {
        let inner = Int(innerOffset)
        switch innerVersion {
        case 4: return Int(frame.loadBigEndian(at: inner &+ IPv4Header.totalLengthOffset, as: UInt16.self))
        case 6: return HeaderLength.ipv6 &+ Int(frame.loadBigEndian(at: inner &+ IPv6Header.payloadLengthOffset, as: UInt16.self))
        default: return 0
        }
    }

    /// Length of the inner addresses: 4, 16, or 0 when not located.
    @inlinable public var innerAddressLength: Int {
        innerVersion == 4 ? 4 : innerVersion == 6 ? 16 : 0
    }
}
