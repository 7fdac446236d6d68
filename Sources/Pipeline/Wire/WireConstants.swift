// The constants are `@inlinable static var`s rather than `static let`s: a `static let` read
// from another module can go through an accessor call, and the parser, inlined into the
// forwarding loop, reads dozens of them per packet. Computed constants fold to immediates.

/// Constants of the governance header, version 1, with the DESIGN.md section that fixes each.
public enum GovWire {
    /// 1.2 `ver_flags` high nibble.
    @inlinable public static var version: UInt8 { 1 }
    /// 1.2 the fixed header: 48 bytes.
    @inlinable public static var fixedLength: Int { 48 }
    /// 1.2 `hdr_len` counts 8-byte units.
    @inlinable public static var lengthUnit: Int { 8 }
    /// 1.2 `hdr_len` is at least 6 (the fixed header alone).
    @inlinable public static var minimumHdrLen: UInt8 { 6 }
    /// 1.1 default destination port of the UDP carrier (configurable per node).
    @inlinable public static var udpPort: UInt16 { 4742 }
    /// 1.1 EtherType of the Ethernet carrier.
    @inlinable public static var etherType: UInt16 { 0x88B5 }
    /// 1.2 `next_proto` for an inner IPv4 packet (IANA protocol 4).
    @inlinable public static var nextProtoIPv4: UInt8 { 4 }
    /// 1.2 `next_proto` for an inner IPv6 packet (IANA protocol 41).
    @inlinable public static var nextProtoIPv6: UInt8 { 41 }

    /// 1.2 byte offsets of the fixed fields.
    public enum Offset {
        @inlinable public static var verFlags: Int { 0 }
        @inlinable public static var hdrLen: Int { 1 }
        @inlinable public static var nextProto: Int { 2 }
        @inlinable public static var hopBudget: Int { 3 }
        @inlinable public static var scope: Int { 4 }
        @inlinable public static var trust: Int { 8 }
        @inlinable public static var routeClass: Int { 9 }
        @inlinable public static var epoch: Int { 10 }
        @inlinable public static var authority: Int { 12 }
        @inlinable public static var constraints: Int { 16 }
        @inlinable public static var expiry: Int { 20 }
        @inlinable public static var capability: Int { 24 }
        @inlinable public static var mac: Int { 32 }
        @inlinable public static var options: Int { 48 }
    }

    /// 1.2, 1.3 the MAC: a 16-byte AES-CMAC-128 tag over bytes 0..31 and the flow binding.
    @inlinable public static var macLength: Int { 16 }
    /// 1.3 header bytes covered by the MAC (hop_budget zeroed).
    @inlinable public static var macCoveredLength: Int { 32 }
    /// 1.3 MAC input length with an inner IPv4 packet: 3 blocks.
    @inlinable public static var macInputLengthIPv4: Int { 48 }
    /// 1.3 MAC input length with an inner IPv6 packet: 4 blocks.
    @inlinable public static var macInputLengthIPv6: Int { 64 }

    /// 1.5 option type 0: a one-byte pad (no length byte).
    @inlinable public static var optionPad1: UInt8 { 0 }
    /// 1.5 option type 1: pad-N (`1 | n | n bytes`).
    @inlinable public static var optionPadN: UInt8 { 1 }
    /// 1.5 a type with this bit set is critical: unknown means drop.
    @inlinable public static var optionCriticalBit: UInt8 { 0x80 }
}

/// EtherTypes the parser knows (IEEE 802.3, IANA).
public enum EtherType {
    @inlinable public static var ipv4: UInt16 { 0x0800 }
    @inlinable public static var ipv6: UInt16 { 0x86DD }
    /// IEEE 802.1Q customer VLAN tag; one tag is parsed.
    @inlinable public static var vlan: UInt16 { 0x8100 }
    /// 1.1 the governance header's own EtherType.
    @inlinable public static var governance: UInt16 { GovWire.etherType }
}

/// IP protocol numbers (IANA), and lengths of the headers the parser reads.
public enum IPProtocol {
    @inlinable public static var ipv4InIP: UInt8 { 4 }
    @inlinable public static var udp: UInt8 { 17 }
    @inlinable public static var ipv6InIP: UInt8 { 41 }
    /// 1.4 ENCRYPTED_ONLY: IPsec ESP (RFC 4303).
    @inlinable public static var esp: UInt8 { 50 }
}

/// IPv4 (RFC 791): the first byte of a header without options, and where its fields lie.
public enum IPv4Header {
    /// Version 4, IHL 5.
    @inlinable public static var versionIHLWithoutOptions: UInt8 { 0x45 }
    @inlinable public static var totalLengthOffset: Int { 2 }
    @inlinable public static var protocolOffset: Int { 9 }
    @inlinable public static var sourceOffset: Int { 12 }
    @inlinable public static var destinationOffset: Int { 16 }
}

/// IPv6 (RFC 8200): the version in the first byte, and where the header's fields lie.
public enum IPv6Header {
    /// Version 6 in the high nibble (the low one starts the traffic class).
    @inlinable public static var versionByte: UInt8 { 0x60 }
    @inlinable public static var payloadLengthOffset: Int { 4 }
    @inlinable public static var nextHeaderOffset: Int { 6 }
    @inlinable public static var sourceOffset: Int { 8 }
    @inlinable public static var destinationOffset: Int { 24 }
}

/// Fixed header lengths (IEEE 802.3, 802.1Q; RFC 791, 8200, 768).
public enum HeaderLength {
    @inlinable public static var ethernet: Int { 14 }
    @inlinable public static var vlanTag: Int { 4 }
    @inlinable public static var ipv4Minimum: Int { 20 }
    @inlinable public static var ipv6: Int { 40 }
    @inlinable public static var udp: Int { 8 }
    /// ESP header before the payload: SPI and sequence number (RFC 4303 2).
    @inlinable public static var esp: Int { 8 }
}

/// 1.4 ENCRYPTED_ONLY: WireGuard's default UDP port.
public enum WireGuard {
    @inlinable public static var defaultPort: UInt16 { 51820 }
}
