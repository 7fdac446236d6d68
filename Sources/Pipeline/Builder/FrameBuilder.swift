/// What a crafted frame looks like around its governance header.
public struct FrameSpec: Sendable, Equatable {
    /// DESIGN 1.1: UDP carrier (outer IP/UDP) or Ethernet carrier (EtherType 0x88B5).
    public enum CarrierKind: String, Sendable, Equatable, CaseIterable {
        case udp
        case ethernet = "eth"
    }

    /// The transport of the inner packet.
    public enum InnerPayload: Sendable, Equatable {
        /// UDP (WireGuard when the destination port is 51820).
        case udp(sourcePort: UInt16, destinationPort: UInt16)
        /// IPsec ESP (IP protocol 50): SPI and sequence number, then the payload.
        case esp(spi: UInt32, sequence: UInt32)
    }

    public var carrier: CarrierKind = .udp
    /// One 802.1Q tag with this VLAN ID (0-4095), or none.
    public var vlanID: UInt16? = nil
    public var sourceMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
    public var destinationMAC: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]
    /// Outer addresses (UDP carrier only); their family is the outer IP version.
    public var outerSource = IPAddress(192, 0, 2, 1)
    public var outerDestination = IPAddress(192, 0, 2, 2)
    public var udpSourcePort: UInt16 = 49152
    /// The governance port of the receiving node.
    public var udpDestinationPort: UInt16 = GovWire.udpPort
    /// Inner addresses; their family is the inner IP version.
    public var innerSource = IPAddress(10, 0, 0, 1)
    public var innerDestination = IPAddress(10, 0, 0, 2)
    public var innerPayload = InnerPayload.udp(sourcePort: 40000, destinationPort: 443)
    /// Whole frame length in bytes (no FCS); nil makes the smallest frame (empty payload).
    public var frameSize: Int? = nil

    public init() {}
}

/// Writes whole frames around a governance header, with correct outer IPv4 header
/// checksums, outer UDP checksum 0 over IPv4 (DESIGN 1.1) and computed over IPv6, and a
/// complete inner IPv4 or IPv6 packet. For tools and tests: it allocates.
public enum FrameBuilder {
    /// A requested frame size the headers do not fit in, or beyond 65535 bytes.
    public struct SizeError: Error, CustomStringConvertible, Equatable {
        public var requested: Int
        public var minimum: Int
        public var maximum: Int

        public init(requested: Int, minimum: Int, maximum: Int) {
            self.requested = requested
            self.minimum = minimum
            self.maximum = maximum
        }

        public var description: String {
            requested < minimum
                ? "frame size \(requested) is too small: these headers need at least \(minimum) bytes"
                : "frame size \(requested) is too large: at most \(maximum) bytes"
        }
    }

    /// The largest frame: every IP length field must fit in 16 bits.
    public static let maximumSize = 65535

    /// The smallest frame for `spec` with a governance header of `govLength` bytes.
    public static func minimumSize(_ spec: FrameSpec, govLength: Int) -> Int {
        ethernetLength(spec) + carrierLength(spec) + govLength + innerHeadersLength(spec)
    }

    /// Where the governance header starts in frames of `spec`.
    public static func govOffset(_ spec: FrameSpec) -> Int {
        ethernetLength(spec) + carrierLength(spec)
    }

    /// `spec`'s frame around the given governance header bytes.
    public static func frame(_ spec: FrameSpec, gov: [UInt8]) throws -> [UInt8] {
        let minimum = minimumSize(spec, govLength: gov.count)
        let size = spec.frameSize ?? minimum
        guard size >= minimum, size <= maximumSize else {
            throw SizeError(requested: size, minimum: minimum, maximum: maximumSize)
        }
        let frame = carrier(spec, payload: gov + innerPacket(spec, length: size - minimum + innerHeadersLength(spec)))
        assert(frame.count == size)
        return frame
    }

    /// `spec`'s carrier around any payload: Ethernet [802.1Q] / 0x88B5 / payload, or
    /// Ethernet [802.1Q] / IP / UDP / payload with lengths and checksums to match. Used to
    /// craft invalid governance headers (truncated, say) inside valid outer headers.
    public static func carrier(_ spec: FrameSpec, payload: [UInt8]) -> [UInt8] {
        var frame = ethernetHeader(spec, etherType: carrierEtherType(spec))
        if spec.carrier == .udp { frame += outerIPAndUDP(spec, payload: payload) }
        return frame + payload
    }

    /// A governed frame: the header minted from `fields` for `spec`'s inner addresses,
    /// sealed with `key`, inside `spec`'s frame.
    public static func governed(_ spec: FrameSpec, fields: GovFields, key: CMACKey) throws -> [UInt8] {
        try frame(spec, gov: GovHeaderBuilder.sealed(fields, source: spec.innerSource,
                                                     destination: spec.innerDestination, key: key))
    }

    /// An ungoverned frame of the same size: Ethernet [802.1Q] / the inner packet alone.
    public static func plain(_ spec: FrameSpec) throws -> [UInt8] {
        let headers = ethernetLength(spec) + innerHeadersLength(spec)
        let size = spec.frameSize ?? headers
        guard size >= headers, size <= maximumSize else {
            throw SizeError(requested: size, minimum: headers, maximum: maximumSize)
        }
        let etherType = spec.innerSource.isIPv4 ? EtherType.ipv4 : EtherType.ipv6
        return ethernetHeader(spec, etherType: etherType) + innerPacket(spec, length: size - ethernetLength(spec))
    }

    // MARK: - Pieces

    static func ethernetLength(_ spec: FrameSpec) -> Int {
        HeaderLength.ethernet + (spec.vlanID == nil ? 0 : HeaderLength.vlanTag)
    }

    static func carrierLength(_ spec: FrameSpec) -> Int {
        switch spec.carrier {
        case .ethernet: 0
        case .udp: (spec.outerSource.isIPv4 ? HeaderLength.ipv4Minimum : HeaderLength.ipv6) + HeaderLength.udp
        }
    }

    static func innerHeadersLength(_ spec: FrameSpec) -> Int {
        (spec.innerSource.isIPv4 ? HeaderLength.ipv4Minimum : HeaderLength.ipv6) + HeaderLength.udp
    }

    static func carrierEtherType(_ spec: FrameSpec) -> UInt16 {
        switch spec.carrier {
        case .ethernet: EtherType.governance
        case .udp: spec.outerSource.isIPv4 ? EtherType.ipv4 : EtherType.ipv6
        }
    }

    /// Destination, source, [802.1Q tag,] EtherType.
    static func ethernetHeader(_ spec: FrameSpec, etherType: UInt16) -> [UInt8] {
        precondition(spec.sourceMAC.count == 6 && spec.destinationMAC.count == 6, "MAC addresses have 6 bytes")
        var h = spec.destinationMAC + spec.sourceMAC
        if let vlan = spec.vlanID {
            precondition(vlan <= 0x0FFF, "a VLAN ID has 12 bits")
            h.appendBigEndian(EtherType.vlan)
            h.appendBigEndian(vlan)
        }
        h.appendBigEndian(etherType)
        return h
    }

    /// The outer IP and UDP headers of the UDP carrier for a UDP payload.
    static func outerIPAndUDP(_ spec: FrameSpec, payload: [UInt8]) -> [UInt8] {
        precondition(spec.outerSource.version == spec.outerDestination.version, "outer addresses of one family")
        let udpLength = HeaderLength.udp + payload.count
        var udp: [UInt8] = []
        udp.appendBigEndian(spec.udpSourcePort)
        udp.appendBigEndian(spec.udpDestinationPort)
        udp.appendBigEndian(UInt16(udpLength))
        udp.appendBigEndian(UInt16(0))
        if spec.outerSource.isIPv4 {
            // DESIGN 1.1: the outer UDP checksum may be zero over IPv4.
            return ipv4Header(source: spec.outerSource, destination: spec.outerDestination,
                              protocol: IPProtocol.udp, payloadLength: udpLength) + udp
        }
        udp.setBigEndian(udpChecksum(source: spec.outerSource, destination: spec.outerDestination, udp: udp + payload),
                         at: 6)
        return ipv6Header(source: spec.outerSource, destination: spec.outerDestination,
                          nextHeader: IPProtocol.udp, payloadLength: udpLength) + udp
    }

    /// The inner packet of `length` bytes: IP header, UDP or ESP header, zero payload.
    static func innerPacket(_ spec: FrameSpec, length: Int) -> [UInt8] {
        let source = spec.innerSource, destination = spec.innerDestination
        precondition(source.version == destination.version, "inner addresses of one family")
        let ipLength = source.isIPv4 ? HeaderLength.ipv4Minimum : HeaderLength.ipv6
        let l4Length = length - ipLength
        var l4: [UInt8] = []
        let proto: UInt8
        switch spec.innerPayload {
        case let .udp(sourcePort, destinationPort):
            proto = IPProtocol.udp
            l4.appendBigEndian(sourcePort)
            l4.appendBigEndian(destinationPort)
            l4.appendBigEndian(UInt16(l4Length))
            l4.appendBigEndian(UInt16(0))
            l4 += [UInt8](repeating: 0, count: l4Length - HeaderLength.udp)
            l4.setBigEndian(udpChecksum(source: source, destination: destination, udp: l4), at: 6)
        case let .esp(spi, sequence):
            proto = IPProtocol.esp
            l4.appendBigEndian(spi)
            l4.appendBigEndian(sequence)
            l4 += [UInt8](repeating: 0, count: l4Length - HeaderLength.esp)
        }
        let ip = source.isIPv4
            ? ipv4Header(source: source, destination: destination, protocol: proto, payloadLength: l4Length)
            : ipv6Header(source: source, destination: destination, nextHeader: proto, payloadLength: l4Length)
        return ip + l4
    }

    /// RFC 791 header without options: DF set, TTL 64, checksum computed.
    static func ipv4Header(source: IPAddress, destination: IPAddress, protocol proto: UInt8, payloadLength: Int) -> [UInt8] {
        var h: [UInt8] = [0x45, 0x00]
        h.appendBigEndian(UInt16(HeaderLength.ipv4Minimum + payloadLength))
        h.appendBigEndian(UInt16(0))  // identification
        h.appendBigEndian(UInt16(0x4000))  // DF, fragment offset 0
        h += [64, proto, 0, 0]
        h += source.bytes + destination.bytes
        h.setBigEndian(InternetChecksum.finish(InternetChecksum.sum(h)), at: 10)
        return h
    }

    /// RFC 8200 header: traffic class and flow label 0, hop limit 64.
    static func ipv6Header(source: IPAddress, destination: IPAddress, nextHeader: UInt8, payloadLength: Int) -> [UInt8] {
        var h: [UInt8] = [0x60, 0x00, 0x00, 0x00]
        h.appendBigEndian(UInt16(payloadLength))
        h += [nextHeader, 64]
        return h + source.bytes + destination.bytes
    }

    /// UDP checksum over the pseudo-header (RFC 768; RFC 8200 8.1); 0 is sent as 0xFFFF.
    static func udpChecksum(source: IPAddress, destination: IPAddress, udp: [UInt8]) -> UInt16 {
        var pseudo = source.bytes + destination.bytes
        if source.isIPv4 {
            pseudo += [0, IPProtocol.udp]
            pseudo.appendBigEndian(UInt16(udp.count))
        } else {
            pseudo.appendBigEndian(UInt32(udp.count))
            pseudo += [0, 0, 0, IPProtocol.udp]
        }
        let checksum = InternetChecksum.finish(InternetChecksum.sum(udp, initial: InternetChecksum.sum(pseudo)))
        return checksum == 0 ? 0xFFFF : checksum
    }
}
