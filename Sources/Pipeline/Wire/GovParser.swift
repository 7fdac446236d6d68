/// Locates the governance header in an Ethernet frame and runs the checks that need no
/// table (DESIGN 1.1, 1.2, 1.5, 1.6), reading the bytes where they lie.
///
/// The parser never reads outside `[frame, frame + length)`, never traps and never
/// allocates: every read is preceded by a bounds check, index arithmetic wraps (`&+`) on
/// values that are already bounded by `length`, and the result is a plain struct.
///
/// ```swift
/// let parser = GovParser(udpPort: 4742)
/// let parsed = parser.parse(mbufData(m), length: mbufDataLength(m))
/// if let reason = parsed.drop { counters.reasons[Int(reason.rawValue)] &+= 1 }
/// ```
///
/// Frames longer than 65535 bytes are read as their first 65535 bytes (offsets are 16-bit).
/// A packet in several segments (an mbuf chain: jumbo frames, or the pcap PMD's frames over
/// 2048 bytes) is parsed with ``parse(_:readable:length:into:)``: its lengths are checked
/// against the whole packet, and every header the node reads or edits (the outer headers, the
/// governance header with its options, the inner IP header and the first 8 bytes after it) must
/// lie in the first segment, or the packet is dropped as `malformed`.
/// Outer IPv6 extension headers are not walked: the UDP carrier over IPv6 has UDP as the
/// first next header. The outer UDP checksum is not verified.
public struct GovParser: Sendable {
    /// Destination port of the UDP carrier (DESIGN 1.1: 4742 unless configured). Fixed at
    /// init: the fixed layouts' expected bytes are built from it.
    public let udpPort: UInt16
    /// The fixed bits of the layouts at fixed offsets (``parseFixedIPv4(_:length:into:)``,
    /// ``parseFixedIPv6(_:length:into:)``).
    @usableFromInline let fixedIPv4: FixedLayout
    @usableFromInline let fixedIPv6: FixedLayout

    /// The longest frame the parser reads.
    @inlinable public static var maximumFrameLength: Int { Int(UInt16.max) }

    public init(udpPort: UInt16 = GovWire.udpPort) {
        self.udpPort = udpPort
        fixedIPv4 = FixedLayout(FixedIPv4.self, udpPort: udpPort)
        fixedIPv6 = FixedLayout(FixedIPv6.self, udpPort: udpPort)
    }

    /// Parses the frame of `length` bytes at `frame`.
    @inlinable
    public func parse(_ frame: UnsafeRawPointer, length: Int) -> ParsedPacket {
        var parsed = ParsedPacket()
        parse(frame, length: length, into: &parsed)
        return parsed
    }

    /// Parses the frame of `length` bytes at `frame` into `parsed`, typically an element of
    /// the worker's per-burst array. Same result as ``parse(_:length:)``, written in place:
    /// returning the struct builds it on the stack with narrow stores and copies it with wide
    /// loads, which stalls store-to-load forwarding (GovBench measures both; docs/mac.md).
    ///
    /// `@_transparent` (as are the fast paths and ``ParsedPacket/header``): in a large function
    /// the optimiser left `@inline(__always)` functions as calls. The parse stage calls the
    /// parts itself: the fast paths ``parseFixedIPv4(_:length:into:)``,
    /// ``parseFixedIPv6(_:length:into:)`` and ``parseCommon(_:length:into:)`` inline, and
    /// ``parseOther(_:length:into:)`` out of line with the rest of an uncommon packet's handling.
    @_transparent
    public func parse(_ frame: UnsafeRawPointer, length: Int, into parsed: inout ParsedPacket) {
        let length = min(max(length, 0), Self.maximumFrameLength)
        if parseFixedIPv4(frame, length: length, into: &parsed) || parseFixedIPv6(frame, length: length, into: &parsed) {
            return
        }
        if parseCommon(frame, length: length, into: &parsed) { return }
        parseOther(frame, readable: length, length: length, into: &parsed)
    }

    /// Parses a packet of `length` bytes whose first `readable` bytes lie at `frame`: the
    /// first segment of an mbuf chain (`readable` = `data_len`, `length` = `pkt_len`). A
    /// packet in one segment takes ``parse(_:length:into:)``; one in several takes the general
    /// parser, which checks its lengths against the whole packet and reads only the first
    /// segment.
    @inlinable
    public func parse(_ frame: UnsafeRawPointer, readable: Int, length: Int, into parsed: inout ParsedPacket) {
        if readable >= length {
            parse(frame, length: length, into: &parsed)
        } else {
            parseOther(frame, readable: max(readable, 0), length: min(length, Self.maximumFrameLength), into: &parsed)
        }
    }

    /// The general parser for what the fast paths did not accept: a packet of `length` bytes
    /// (already clamped) whose first `readable` bytes are at `frame`.
    @usableFromInline @inline(never)
    func parseOther(_ frame: UnsafeRawPointer, readable: Int, length: Int, into parsed: inout ParsedPacket) {
        parsed = ParsedPacket()
        parsed.drop = locate(frame, Extent(readable: min(readable, length), length: length), into: &parsed)
    }

    /// The general parser alone (every layout, every drop reason), without the fast paths.
    /// ``parse(_:length:into:)`` gives the same result; tests compare them.
    public func parseGeneral(_ frame: UnsafeRawPointer, length: Int) -> ParsedPacket {
        var parsed = ParsedPacket()
        let length = min(max(length, 0), Self.maximumFrameLength)
        parseOther(frame, readable: length, length: length, into: &parsed)
        return parsed
    }

    // MARK: - Fast paths

    /// The layout of nearly every packet over IPv4, at ``FixedIPv4``'s offsets (see
    /// ``parseFixed(_:_:_:length:into:)``). Transparent: see ``parse(_:length:into:)``.
    @_transparent
    public func parseFixedIPv4(_ p: UnsafeRawPointer, length: Int, into out: inout ParsedPacket) -> Bool {
        parseFixed(FixedIPv4.self, fixedIPv4, p, length: length, into: &out)
    }

    /// The layout of nearly every packet over IPv6, at ``FixedIPv6``'s offsets (see
    /// ``parseFixed(_:_:_:length:into:)``). Transparent: see ``parse(_:length:into:)``.
    @_transparent
    public func parseFixedIPv6(_ p: UnsafeRawPointer, length: Int, into out: inout ParsedPacket) -> Bool {
        parseFixed(FixedIPv6.self, fixedIPv6, p, length: length, into: &out)
    }

    /// A layout at fixed offsets: its fixed bits tested by two masked compares (`fixed`, built
    /// for `L`), then the hop budget, the inner header's version and the three length fields,
    /// each of which must say that its packet fills the frame. Writes the same result as the
    /// general parser and returns true; returns false, writing nothing, for anything else
    /// (``parseCommon(_:length:into:)`` and the general parser then decide). A `length` above
    /// ``maximumFrameLength`` is refused here (the general parser reads such a frame as its
    /// first 65535 bytes); the compiler drops that test where `length` comes from a 16-bit
    /// field. `L`'s minimum length keeps every read inside the frame and the inner packet at
    /// least a header long.
    @usableFromInline @_transparent
    func parseFixed<L: FixedOffsets>(_: L.Type, _ fixed: FixedLayout, _ p: UnsafeRawPointer, length: Int,
                                     into out: inout ParsedPacket) -> Bool {
        guard length >= L.minimumLength, length <= Self.maximumFrameLength, fixed.matches(p, window: L.window),
              p.loadByte(at: L.gov &+ GovWire.Offset.hopBudget) != 0,
              p.loadByte(at: L.inner) & L.versionByteMask == L.versionByte,
              Self.lengthField(p, at: L.outerLengthField, holds: length &- L.outerLengthStart),
              Self.lengthField(p, at: L.udp &+ 4, holds: length &- L.udp),
              Self.lengthField(p, at: L.innerLengthField, holds: length &- L.innerLengthStart) else {
            return false
        }
        out = ParsedPacket(
            drop: nil, carrier: L.carrier, hasVLAN: false, vlanID: 0, l3Offset: UInt16(L.ip), udpOffset: UInt16(L.udp),
            govOffset: UInt16(L.gov), govLength: UInt16(GovWire.fixedLength), innerOffset: UInt16(L.inner),
            packetEnd: UInt16(truncatingIfNeeded: length),
            headerWire: (p + L.gov).loadUnaligned(as: SIMD4<UInt64>.self), innerVersion: L.innerVersion,
            innerSourceOffset: UInt16(L.innerSource), innerDestinationOffset: UInt16(L.innerDestination))
        return true
    }

    /// True when the 16-bit length field at `offset` holds `value` (`0..<65536`: the fixed
    /// layouts' bounds on the frame length keep it there). Compared as the field lies on the
    /// wire, with `value` swapped to network order, which takes fewer instructions than
    /// swapping the field.
    @usableFromInline @_transparent
    static func lengthField(_ p: UnsafeRawPointer, at offset: Int, holds value: Int) -> Bool {
        assert(value >= 0 && value <= 0xFFFF, "a length the fixed layouts' bounds keep below 2^16")
        return p.loadUnaligned(fromByteOffset: offset, as: UInt16.self) == UInt16(truncatingIfNeeded: value).bigEndian
    }

    /// The common layouts, for the frames the fixed layouts leave (padded, or one family
    /// inside the other), accepted with one test per field: Ethernet without a tag, outer
    /// IPv4 without options or fragmentation (or outer IPv6), UDP to the governance port
    /// filling the IP packet, a 48-byte header without options that passes every table-free
    /// check, and an inner IPv4 header without options (or an inner IPv6 header) whose packet
    /// fills the rest. Writes the same result as the general parser and returns true; returns
    /// false, writing nothing, for anything else (the general parser then finds the layout or
    /// the drop reason: the exact lengths asked here are within the bounds it checks), a
    /// `length` above ``maximumFrameLength`` among them (offsets are 16-bit). Transparent:
    /// see ``parse(_:length:into:)``.
    @_transparent
    public func parseCommon(_ p: UnsafeRawPointer, length: Int, into out: inout ParsedPacket) -> Bool {
        // Ethernet, then the outer IP header: where UDP starts and where the IP packet ends.
        guard length >= HeaderLength.ethernet &+ HeaderLength.ipv4Minimum &+ HeaderLength.udp &+ GovWire.fixedLength
                &+ HeaderLength.ipv4Minimum, length <= Self.maximumFrameLength else { return false }
        // Fields compared with constants are compared as they lie on the wire (the constant
        // swapped at compile time, the UDP port once per call outside any loop), saving the
        // swap of every packet's field.
        let etherType = p.loadUnaligned(fromByteOffset: 12, as: UInt16.self)
        let l3 = HeaderLength.ethernet
        let udp: Int
        let ipEnd: Int
        let carrier: Carrier
        if etherType == EtherType.ipv4.bigEndian {
            // Version 4, IHL 5; UDP; neither MF nor a fragment offset. (The UDP length check
            // below makes the total length at least 96.)
            guard p.loadByte(at: l3) == IPv4Header.versionIHLWithoutOptions,
                  p.loadByte(at: l3 &+ IPv4Header.protocolOffset) == IPProtocol.udp,
                  p.loadBigEndian(at: l3 &+ 6, as: UInt16.self) & 0x3FFF == 0 else { return false }
            let totalLength = Int(p.loadBigEndian(at: l3 &+ IPv4Header.totalLengthOffset, as: UInt16.self))
            guard l3 &+ totalLength <= length else { return false }
            udp = l3 &+ HeaderLength.ipv4Minimum
            ipEnd = l3 &+ totalLength
            carrier = .udpIPv4
        } else if etherType == EtherType.ipv6.bigEndian {
            guard p.loadByte(at: l3) >> 4 == 6, p.loadByte(at: l3 &+ IPv6Header.nextHeaderOffset) == IPProtocol.udp else {
                return false
            }
            let payloadLength = Int(p.loadBigEndian(at: l3 &+ IPv6Header.payloadLengthOffset, as: UInt16.self))
            ipEnd = l3 &+ HeaderLength.ipv6 &+ payloadLength
            guard ipEnd <= length else { return false }
            udp = l3 &+ HeaderLength.ipv6
            carrier = .udpIPv6
        } else {
            return false
        }
        // UDP to the governance port, ending where the IP packet ends, with room for the
        // header and an inner IPv4 header. (The first check above keeps these reads inside
        // the frame whatever the lengths say.)
        guard p.loadUnaligned(fromByteOffset: udp &+ 2, as: UInt16.self) == udpPort.bigEndian else { return false }
        let udpLength = Int(p.loadBigEndian(at: udp &+ 4, as: UInt16.self))
        let end = udp &+ udpLength
        let gov = udp &+ HeaderLength.udp
        let inner = gov &+ GovWire.fixedLength
        guard end == ipEnd, udpLength >= HeaderLength.udp &+ GovWire.fixedLength &+ HeaderLength.ipv4Minimum else {
            return false
        }

        // ver_flags 0x10, hdr_len 6 (no options), next_proto 4 or 41, hop_budget > 0;
        // no reserved constraint bits. Bytes 0-3 in wire order (byte k at bits 8k): one
        // masked compare tests version, reserved nibble and length.
        let wire = (p + gov).loadUnaligned(as: SIMD4<UInt64>.self)
        let first = UInt64(littleEndian: wire[0])
        guard first & 0xFFFF == UInt64(GovWire.version) << 4 | UInt64(GovWire.minimumHdrLen) << 8,
              first & 0xFF00_0000 != 0 else { return false }
        let header = GovHeader(wire: wire)
        guard !header.constraints.hasReservedBits else { return false }

        // The inner header, of the family next_proto names, its packet ending where the UDP
        // payload ends (the protocol and port are read when needed, ``ParsedPacket/innerProtocol(in:)``).
        let available = end &- inner
        let versionIHL = p.loadByte(at: inner)
        let innerVersion: UInt8
        switch header.nextProto {
        case GovWire.nextProtoIPv4:
            // Without options (IHL 5), as nearly every inner header is; one with options
            // takes the general parser. `available` is at least 20 (the UDP check).
            guard versionIHL == IPv4Header.versionIHLWithoutOptions,
                  Int(p.loadBigEndian(at: inner &+ IPv4Header.totalLengthOffset, as: UInt16.self)) == available else {
                return false
            }
            innerVersion = 4
        case GovWire.nextProtoIPv6:
            let payloadLength = Int(p.loadBigEndian(at: inner &+ IPv6Header.payloadLengthOffset, as: UInt16.self))
            guard versionIHL >> 4 == 6, HeaderLength.ipv6 &+ payloadLength == available else { return false }
            innerVersion = 6
        default:
            return false
        }
        let v4 = innerVersion == 4
        out = ParsedPacket(
            drop: nil, carrier: carrier, hasVLAN: false, vlanID: 0, l3Offset: UInt16(truncatingIfNeeded: l3),
            udpOffset: UInt16(truncatingIfNeeded: udp), govOffset: UInt16(truncatingIfNeeded: gov),
            govLength: UInt16(truncatingIfNeeded: GovWire.fixedLength), innerOffset: UInt16(truncatingIfNeeded: inner),
            packetEnd: UInt16(truncatingIfNeeded: end), headerWire: wire, innerVersion: innerVersion,
            innerSourceOffset: UInt16(truncatingIfNeeded: inner &+ (v4 ? IPv4Header.sourceOffset : IPv6Header.sourceOffset)),
            innerDestinationOffset: UInt16(truncatingIfNeeded:
                inner &+ (v4 ? IPv4Header.destinationOffset : IPv6Header.destinationOffset)))
        return true
    }

    /// Parses the frame in `buffer`.
    @inlinable
    public func parse(_ buffer: UnsafeRawBufferPointer) -> ParsedPacket {
        guard let base = buffer.baseAddress else {
            var parsed = ParsedPacket()
            parsed.drop = .malformedTruncatedL2
            return parsed
        }
        return parse(base, length: buffer.count)
    }

    // MARK: - Layers

    /// Ethernet [802.1Q] then the carrier, the GOV header and the inner packet.
    @inlinable @inline(__always)
    func locate(_ p: UnsafeRawPointer, _ extent: Extent, into out: inout ParsedPacket) -> DropReason? {
        let length = extent.length
        if let reason = extent.read(to: HeaderLength.ethernet, else: .malformedTruncatedL2) { return reason }
        var etherType = p.loadBigEndian(at: 12, as: UInt16.self)
        var l3 = HeaderLength.ethernet
        if etherType == EtherType.vlan {
            if let reason = extent.read(to: l3 &+ HeaderLength.vlanTag, else: .malformedTruncatedL2) { return reason }
            out.hasVLAN = true
            out.vlanID = p.loadBigEndian(at: l3, as: UInt16.self) & 0x0FFF
            etherType = p.loadBigEndian(at: l3 &+ 2, as: UInt16.self)
            l3 &+= HeaderLength.vlanTag
        }
        out.l3Offset = UInt16(truncatingIfNeeded: l3)

        switch etherType {
        case EtherType.governance:
            out.carrier = .ethernet
            out.packetEnd = UInt16(truncatingIfNeeded: length)
            return locateGov(p, at: l3, end: length, extent, into: &out)
        case EtherType.ipv4:
            if let reason = locateOuterIPv4(p, at: l3, extent, into: &out) { return reason }
        case EtherType.ipv6:
            if let reason = locateOuterIPv6(p, at: l3, extent, into: &out) { return reason }
        default:
            return .notGoverned
        }
        return locateGov(p, at: Int(out.udpOffset) &+ HeaderLength.udp, end: Int(out.packetEnd), extent, into: &out)
    }

    /// Outer IPv4 (RFC 791), then UDP. A later fragment cannot be told apart from other
    /// traffic (no port) and is not governed; a governed first fragment is malformed,
    /// since the node does not reassemble.
    @inlinable @inline(__always)
    func locateOuterIPv4(_ p: UnsafeRawPointer, at l3: Int, _ extent: Extent, into out: inout ParsedPacket) -> DropReason? {
        let length = extent.length
        if let reason = extent.read(to: l3 &+ HeaderLength.ipv4Minimum, else: .malformedTruncatedIP) { return reason }
        let versionIHL = p.loadByte(at: l3)
        guard versionIHL >> 4 == 4, versionIHL & 0x0F >= 5 else { return .malformedOuterIP }
        guard p.loadByte(at: l3 &+ IPv4Header.protocolOffset) == IPProtocol.udp else { return .notGoverned }
        let headerLength = Int(versionIHL & 0x0F) &* 4
        let totalLength = Int(p.loadBigEndian(at: l3 &+ IPv4Header.totalLengthOffset, as: UInt16.self))
        guard totalLength >= headerLength else { return .malformedOuterIP }
        guard l3 &+ totalLength <= length else { return .malformedTruncatedIP }
        let fragment = p.loadBigEndian(at: l3 &+ 6, as: UInt16.self)
        guard fragment & 0x1FFF == 0 else { return .notGoverned }
        out.carrier = .udpIPv4
        return locateUDP(p, at: l3 &+ headerLength, ipEnd: l3 &+ totalLength,
                         moreFragments: fragment & 0x2000 != 0, extent, into: &out)
    }

    /// Outer IPv6 (RFC 8200) with UDP as the first next header, then UDP.
    @inlinable @inline(__always)
    func locateOuterIPv6(_ p: UnsafeRawPointer, at l3: Int, _ extent: Extent, into out: inout ParsedPacket) -> DropReason? {
        let length = extent.length
        if let reason = extent.read(to: l3 &+ HeaderLength.ipv6, else: .malformedTruncatedIP) { return reason }
        guard p.loadByte(at: l3) >> 4 == 6 else { return .malformedOuterIP }
        guard p.loadByte(at: l3 &+ IPv6Header.nextHeaderOffset) == IPProtocol.udp else { return .notGoverned }
        let end = l3 &+ HeaderLength.ipv6 &+ Int(p.loadBigEndian(at: l3 &+ IPv6Header.payloadLengthOffset, as: UInt16.self))
        guard end <= length else { return .malformedTruncatedIP }
        out.carrier = .udpIPv6
        return locateUDP(p, at: l3 &+ HeaderLength.ipv6, ipEnd: end, moreFragments: false, extent, into: &out)
    }

    /// Outer UDP (RFC 768) to the governance port; its length bounds the packet.
    @inlinable @inline(__always)
    func locateUDP(_ p: UnsafeRawPointer, at udp: Int, ipEnd: Int, moreFragments: Bool, _ extent: Extent,
                   into out: inout ParsedPacket) -> DropReason? {
        guard ipEnd &- udp >= HeaderLength.udp else { return .malformedTruncatedUDP }
        if let reason = extent.read(to: udp &+ HeaderLength.udp, else: .malformedTruncatedUDP) { return reason }
        guard p.loadBigEndian(at: udp &+ 2, as: UInt16.self) == udpPort else {
            out.carrier = .none
            return .notGoverned
        }
        guard !moreFragments else { return .malformedOuterIP }
        let udpLength = Int(p.loadBigEndian(at: udp &+ 4, as: UInt16.self))
        guard udpLength >= HeaderLength.udp, udp &+ udpLength <= ipEnd else { return .malformedTruncatedUDP }
        out.udpOffset = UInt16(truncatingIfNeeded: udp)
        out.packetEnd = UInt16(truncatingIfNeeded: udp &+ udpLength)
        return nil
    }

    /// The governance header at `gov`, its fixed-field checks and options, then the inner packet.
    @inlinable @inline(__always)
    func locateGov(_ p: UnsafeRawPointer, at gov: Int, end: Int, _ extent: Extent,
                   into out: inout ParsedPacket) -> DropReason? {
        out.govOffset = UInt16(truncatingIfNeeded: gov)
        let available = end &- gov
        guard available >= GovWire.fixedLength else { return .malformedTruncatedGov }
        if let reason = extent.read(to: gov &+ GovWire.fixedLength, else: .malformedTruncatedGov) { return reason }
        let wire = (p + gov).loadUnaligned(as: SIMD4<UInt64>.self)
        out.headerWire = wire
        let header = GovHeader(wire: wire)
        if let reason = header.checkVersion() { return reason }
        if let reason = header.checkReservedBits() { return reason }
        if let reason = header.checkHeaderLength(available: available) { return reason }
        let headerLength = header.headerLength
        out.govLength = UInt16(truncatingIfNeeded: headerLength)
        if let reason = extent.read(to: gov &+ headerLength, else: .malformedHdrLen) { return reason }
        if let reason = header.checkHopBudget() { return reason }
        if let reason = header.checkConstraints() { return reason }
        if headerLength > GovWire.fixedLength, let reason = GovOptions.check(p + gov, headerLength: headerLength) {
            return reason
        }
        if let reason = header.checkNextProto() { return reason }

        let inner = gov &+ headerLength
        out.innerOffset = UInt16(truncatingIfNeeded: inner)
        let innerAvailable = end &- inner
        guard innerAvailable >= 1 else { return .malformedInner }
        if let reason = extent.read(to: inner &+ 1, else: .malformedInner) { return reason }
        let innerVersion = p.loadByte(at: inner) >> 4
        if let reason = header.checkNextProto(innerVersion: innerVersion) { return reason }
        return innerVersion == 4
            ? locateInnerIPv4(p, at: inner, available: innerAvailable, extent, into: &out)
            : locateInnerIPv6(p, at: inner, available: innerAvailable, extent, into: &out)
    }

    /// The inner IPv4 header lies inside the packet and its lengths agree with it.
    @inlinable @inline(__always)
    func locateInnerIPv4(_ p: UnsafeRawPointer, at inner: Int, available: Int, _ extent: Extent,
                         into out: inout ParsedPacket) -> DropReason? {
        guard available >= HeaderLength.ipv4Minimum else { return .malformedInner }
        if let reason = extent.read(to: inner &+ HeaderLength.ipv4Minimum, else: .malformedInner) { return reason }
        let headerLength = Int(p.loadByte(at: inner) & 0x0F) &* 4
        let totalLength = Int(p.loadBigEndian(at: inner &+ IPv4Header.totalLengthOffset, as: UInt16.self))
        guard headerLength >= HeaderLength.ipv4Minimum, totalLength >= headerLength, totalLength <= available else {
            return .malformedInner
        }
        // The transport ports are read by the constraint checks (ENCRYPTED_ONLY).
        if let reason = extent.read(to: inner &+ min(totalLength, headerLength &+ HeaderLength.udp), else: .malformedInner) {
            return reason
        }
        out.innerVersion = 4
        out.innerSourceOffset = UInt16(truncatingIfNeeded: inner &+ IPv4Header.sourceOffset)
        out.innerDestinationOffset = UInt16(truncatingIfNeeded: inner &+ IPv4Header.destinationOffset)
        return nil
    }

    /// The inner IPv6 header lies inside the packet and its payload length agrees with it.
    @inlinable @inline(__always)
    func locateInnerIPv6(_ p: UnsafeRawPointer, at inner: Int, available: Int, _ extent: Extent,
                         into out: inout ParsedPacket) -> DropReason? {
        guard available >= HeaderLength.ipv6 else { return .malformedInner }
        if let reason = extent.read(to: inner &+ HeaderLength.ipv6, else: .malformedInner) { return reason }
        let payloadLength = Int(p.loadBigEndian(at: inner &+ IPv6Header.payloadLengthOffset, as: UInt16.self))
        guard HeaderLength.ipv6 &+ payloadLength <= available else { return .malformedInner }
        // The transport ports are read by the constraint checks (ENCRYPTED_ONLY).
        let portsEnd = inner &+ HeaderLength.ipv6 &+ min(payloadLength, HeaderLength.udp)
        if let reason = extent.read(to: portsEnd, else: .malformedInner) { return reason }
        out.innerVersion = 6
        out.innerSourceOffset = UInt16(truncatingIfNeeded: inner &+ IPv6Header.sourceOffset)
        out.innerDestinationOffset = UInt16(truncatingIfNeeded: inner &+ IPv6Header.destinationOffset)
        return nil
    }
}

/// The bytes of a packet the general parser may read, and the packet's length: the first
/// segment of an mbuf chain, and the whole chain. In one segment they are equal.
@usableFromInline
struct Extent {
    /// Bytes at the frame pointer (`data_len` of the first segment).
    @usableFromInline let readable: Int
    /// Bytes in the packet (`pkt_len`), which its length fields are checked against.
    @usableFromInline let length: Int

    @inlinable init(readable: Int, length: Int) {
        self.readable = readable
        self.length = length
    }

    /// nil when the packet's first `end` bytes can be read; otherwise `short` if the packet
    /// itself ends before `end`, or `malformed` if they run past the first segment.
    @inlinable @inline(__always)
    func read(to end: Int, else short: DropReason) -> DropReason? {
        if end <= readable { return nil }
        return end <= length ? .malformed : short
    }
}

/// A layout at fixed offsets (``GovParser/parseFixed(_:_:_:length:into:)``): untagged
/// Ethernet, the outer IP header, UDP to the governance port, a 48-byte governance header
/// without options, and the inner IP header, each where the one before ends.
@usableFromInline
protocol FixedOffsets {
    static var carrier: Carrier { get }
    static var ip: Int { get }
    static var udp: Int { get }
    static var gov: Int { get }
    static var inner: Int { get }
    static var innerSource: Int { get }
    static var innerDestination: Int { get }
    static var innerVersion: UInt8 { get }
    /// The outer EtherType, the offset of the outer protocol (IPv6: next header) field, and
    /// the governance header's `next_proto`.
    static var etherType: UInt16 { get }
    static var protocolField: Int { get }
    static var nextProto: UInt8 { get }
    /// The first byte of the outer and of the inner IP header (the same family): the bits
    /// tested, and their value.
    static var versionByteMask: UInt8 { get }
    static var versionByte: UInt8 { get }
    /// The outer and inner IP length fields, and where in the frame the bytes they count
    /// start (so that the field equals the frame length less that offset).
    static var outerLengthField: Int { get }
    static var outerLengthStart: Int { get }
    static var innerLengthField: Int { get }
    static var innerLengthStart: Int { get }
    /// The shortest frame: the inner header without payload.
    static var minimumLength: Int { get }
    /// Where the second 32 bytes that ``FixedLayout`` compares start.
    static var window: Int { get }
}

extension FixedOffsets {
    @inlinable static var ip: Int { HeaderLength.ethernet }
    @inlinable static var gov: Int { udp &+ HeaderLength.udp }
    @inlinable static var inner: Int { gov &+ GovWire.fixedLength }
}

/// IPv4 without options or fragmentation, and an inner IPv4 header without options.
@usableFromInline
enum FixedIPv4: FixedOffsets {
    @inlinable static var carrier: Carrier { .udpIPv4 }
    @inlinable static var udp: Int { ip &+ HeaderLength.ipv4Minimum }
    @inlinable static var innerSource: Int { inner &+ IPv4Header.sourceOffset }
    @inlinable static var innerDestination: Int { inner &+ IPv4Header.destinationOffset }
    @inlinable static var innerVersion: UInt8 { 4 }
    @inlinable static var etherType: UInt16 { EtherType.ipv4 }
    @inlinable static var protocolField: Int { ip &+ IPv4Header.protocolOffset }
    @inlinable static var nextProto: UInt8 { GovWire.nextProtoIPv4 }
    /// Version 4, IHL 5.
    @inlinable static var versionByteMask: UInt8 { 0xFF }
    @inlinable static var versionByte: UInt8 { IPv4Header.versionIHLWithoutOptions }
    /// Total length, counting from the header.
    @inlinable static var outerLengthField: Int { ip &+ IPv4Header.totalLengthOffset }
    @inlinable static var outerLengthStart: Int { ip }
    @inlinable static var innerLengthField: Int { inner &+ IPv4Header.totalLengthOffset }
    @inlinable static var innerLengthStart: Int { inner }
    @inlinable static var minimumLength: Int { inner &+ HeaderLength.ipv4Minimum }
    /// Right after the first 32 bytes: the end of the IP header, the UDP header and the
    /// governance header's first 22 bytes.
    @inlinable static var window: Int { 32 }
}

/// IPv6 with UDP as its first next header, and an inner IPv6 header.
@usableFromInline
enum FixedIPv6: FixedOffsets {
    @inlinable static var carrier: Carrier { .udpIPv6 }
    @inlinable static var udp: Int { ip &+ HeaderLength.ipv6 }
    @inlinable static var innerSource: Int { inner &+ IPv6Header.sourceOffset }
    @inlinable static var innerDestination: Int { inner &+ IPv6Header.destinationOffset }
    @inlinable static var innerVersion: UInt8 { 6 }
    @inlinable static var etherType: UInt16 { EtherType.ipv6 }
    @inlinable static var protocolField: Int { ip &+ IPv6Header.nextHeaderOffset }
    @inlinable static var nextProto: UInt8 { GovWire.nextProtoIPv6 }
    /// Version 6.
    @inlinable static var versionByteMask: UInt8 { 0xF0 }
    @inlinable static var versionByte: UInt8 { IPv6Header.versionByte }
    /// Payload length, counting after the 40-byte header.
    @inlinable static var outerLengthField: Int { ip &+ IPv6Header.payloadLengthOffset }
    @inlinable static var outerLengthStart: Int { udp }
    @inlinable static var innerLengthField: Int { inner &+ IPv6Header.payloadLengthOffset }
    @inlinable static var innerLengthStart: Int { inner &+ HeaderLength.ipv6 }
    @inlinable static var minimumLength: Int { inner &+ HeaderLength.ipv6 }
    /// The 32 bytes that end with the governance header's constraints, and so hold the UDP
    /// port and the header's first bytes too.
    @inlinable static var window: Int { gov &+ GovWire.Offset.constraints &+ 4 &- 32 }
}

/// The fixed bits of a layout at fixed offsets, in the frame's first 32 bytes and the 32 at
/// the layout's `window`: two vectors each of the values they must have and of the bits
/// that count (in memory order). Built once per parser, from the wire constants and the
/// UDP port.
@usableFromInline
struct FixedLayout: Sendable {
    @usableFromInline let expected: (SIMD4<UInt64>, SIMD4<UInt64>)
    @usableFromInline let mask: (SIMD4<UInt64>, SIMD4<UInt64>)

    init<L: FixedOffsets>(_: L.Type, udpPort: UInt16) {
        let window = L.window
        var expected = [UInt8](repeating: 0, count: window + 32)
        var mask = expected
        func fix(_ offset: Int, _ value: UInt8, bits: UInt8 = 0xFF) {
            precondition(offset < 32 || offset >= window, "byte \(offset) lies outside both windows")
            expected[offset] = value & bits
            mask[offset] = bits
        }
        func fix16(_ offset: Int, _ value: UInt16) {
            fix(offset, UInt8(value >> 8))
            fix(offset + 1, UInt8(value & 0xFF))
        }
        let ip = L.ip, gov = L.gov
        fix16(ip - 2, L.etherType)
        fix(ip, L.versionByte, bits: L.versionByteMask)
        fix(L.protocolField, IPProtocol.udp)
        if L.carrier == .udpIPv4 {                      // neither MF nor a fragment offset
            fix(ip + 6, 0, bits: 0x3F)
            fix(ip + 7, 0)
        }
        fix16(L.udp + 2, udpPort)
        fix(gov + GovWire.Offset.verFlags, GovWire.version << 4)   // version, reserved nibble 0
        fix(gov + GovWire.Offset.hdrLen, GovWire.minimumHdrLen)   // no options
        fix(gov + GovWire.Offset.nextProto, L.nextProto)
        for k in 0..<4 {                                // no reserved constraint bit
            fix(gov + GovWire.Offset.constraints + k, 0,
                bits: UInt8(truncatingIfNeeded: Constraints.reservedMask >> (24 - 8 * k)))
        }
        func vectors(_ bytes: [UInt8]) -> (SIMD4<UInt64>, SIMD4<UInt64>) {
            bytes.withUnsafeBytes {
                ($0.loadUnaligned(as: SIMD4<UInt64>.self), $0.loadUnaligned(fromByteOffset: window, as: SIMD4<UInt64>.self))
            }
        }
        self.expected = vectors(expected)
        self.mask = vectors(mask)
    }

    /// True when the fixed bits of the 32 bytes at `p` and the 32 at `p + window` have their
    /// values. Built for x86-64-v3 (the default), the OR of the lanes is one `vptest`.
    @usableFromInline @_transparent
    func matches(_ p: UnsafeRawPointer, window: Int) -> Bool {
        let differ = ((p.loadUnaligned(as: SIMD4<UInt64>.self) ^ expected.0) & mask.0)
            | ((p.loadUnaligned(fromByteOffset: window, as: SIMD4<UInt64>.self) ^ expected.1) & mask.1)
        return differ[0] | differ[1] | differ[2] | differ[3] == 0
    }
}
