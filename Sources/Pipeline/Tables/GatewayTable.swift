import CDPDK

/// A gateway selector compiled for matching without allocation: prefixes as masked
/// 128-bit values (IPv4 in the low 32 bits), and the GOV fields to push.
public struct CompiledSelector {
    public var family: UInt8            // 0 any, 4, 6
    public var sourceHi: UInt64, sourceLo: UInt64, sourceMaskHi: UInt64, sourceMaskLo: UInt64
    public var destHi: UInt64, destLo: UInt64, destMaskHi: UInt64, destMaskLo: UInt64
    public var ipProtocol: Int16        // -1: any
    public var portLow: UInt16, portHigh: UInt16
    public var ingress: UInt16          // PortEntry.none: any gateway port
    public var push: PushedCapability
}

/// Gateway selectors and the node's own authority key, for pushing a governance header
/// onto ungoverned traffic that enters a gateway port.
public final class GatewayTable: @unchecked Sendable {
    public let selectors: [CompiledSelector]
    /// The node's local authority: id, epoch and expanded key (nil when none is configured).
    public let authority: UInt32
    public let epoch: UInt16
    public let key: CMACKey?
    /// hop_budget written into pushed headers.
    public static let pushedHopBudget: UInt8 = 8

    public init(_ selectors: [GatewaySelector], local: LocalAuthority?, portID: (String) -> UInt16?) throws {
        var compiled: [CompiledSelector] = []
        for s in selectors {
            func split(_ p: IPPrefix?) -> (UInt8, UInt64, UInt64, UInt64, UInt64) {
                guard let p else { return (0, 0, 0, 0, 0) }
                let bytes = p.address
                let bits = Int(p.length)
                if bytes.count == 4 {
                    let v = bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let mask: UInt64 = bits == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - bits)) & 0xFFFF_FFFF
                    return (4, 0, v & mask, 0, mask)
                }
                let hi = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let lo = bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let maskHi: UInt64 = bits >= 64 ? ~0 : bits == 0 ? 0 : ~0 << UInt64(64 - bits)
                let maskLo: UInt64 = bits <= 64 ? 0 : bits >= 128 ? ~0 : ~0 << UInt64(128 - bits)
                return (6, hi & maskHi, lo & maskLo, maskHi, maskLo)
            }
            let src = split(s.source), dst = split(s.destination)
            var ingress = PortEntry.none
            if let name = s.ingressPort {
                guard let id = portID(name) else { throw TableError("gateway selector \(s.name): port \(name) has no DPDK port") }
                ingress = id
            }
            compiled.append(CompiledSelector(
                family: max(src.0, dst.0),
                sourceHi: src.1, sourceLo: src.2, sourceMaskHi: src.3, sourceMaskLo: src.4,
                destHi: dst.1, destLo: dst.2, destMaskHi: dst.3, destMaskLo: dst.4,
                ipProtocol: s.ipProtocol.map { Int16($0) } ?? -1,
                portLow: s.destinationPorts?.lowerBound ?? 0, portHigh: s.destinationPorts?.upperBound ?? UInt16.max,
                ingress: ingress, push: s.push))
        }
        self.selectors = compiled
        authority = local?.authorityID ?? 0
        epoch = local?.keyEpoch ?? 0
        key = local.flatMap { CMACKey(bytes: $0.key.bytes) }
    }

    /// The first selector that matches a plain IP packet, or -1.
    @inline(__always)
    public func match(_ p: PlainPacket, ingress: UInt16) -> Int {
        var i = 0
        let n = selectors.count
        while i < n {
            let s = selectors[i]
            i &+= 1
            if s.ingress != PortEntry.none && s.ingress != ingress { continue }
            if s.family != 0 && s.family != p.version { continue }
            if s.ipProtocol >= 0 && UInt8(truncatingIfNeeded: s.ipProtocol) != p.ipProtocol { continue }
            if p.destinationPort < s.portLow || p.destinationPort > s.portHigh { continue }
            if p.sourceHi & s.sourceMaskHi != s.sourceHi || p.sourceLo & s.sourceMaskLo != s.sourceLo { continue }
            if p.destHi & s.destMaskHi != s.destHi || p.destLo & s.destMaskLo != s.destLo { continue }
            return i &- 1
        }
        return -1
    }
}

/// The fields of an ungoverned Ethernet [802.1Q] / IPv4 or IPv6 packet that gateway
/// selectors match on. Addresses are 128-bit big-endian values (IPv4 in the low 32 bits).
public struct PlainPacket {
    public var version: UInt8 = 0
    public var l3Offset: Int = 0
    public var ipProtocol: UInt8 = 0
    public var destinationPort: UInt16 = 0
    public var sourceHi: UInt64 = 0, sourceLo: UInt64 = 0
    public var destHi: UInt64 = 0, destLo: UInt64 = 0
    public var sourceOffset: Int = 0, destinationOffset: Int = 0

    public init() {}

    /// Parses the frame; nil unless it is a whole IPv4 or IPv6 header after Ethernet [802.1Q].
    @inline(__always)
    public static func parse(_ frame: UnsafeRawPointer, length: Int) -> PlainPacket? {
        guard length >= 14 else { return nil }
        var p = PlainPacket()
        var off = 12
        var type = frame.loadBigEndian(at: off, as: UInt16.self)
        if type == EtherType.vlan {
            guard length >= 18 else { return nil }
            off = 16
            type = frame.loadBigEndian(at: off, as: UInt16.self)
        }
        off &+= 2
        p.l3Offset = off
        var l4 = 0
        if type == EtherType.ipv4 {
            guard length >= off &+ 20 else { return nil }
            let ihl = Int(frame.loadByte(at: off) & 0x0F) &* 4
            guard frame.loadByte(at: off) >> 4 == 4, ihl >= 20, length >= off &+ ihl else { return nil }
            p.version = 4
            p.ipProtocol = frame.loadByte(at: off &+ IPv4Header.protocolOffset)
            p.sourceOffset = off &+ IPv4Header.sourceOffset
            p.destinationOffset = off &+ IPv4Header.destinationOffset
            p.sourceLo = UInt64(frame.loadBigEndian(at: p.sourceOffset, as: UInt32.self))
            p.destLo = UInt64(frame.loadBigEndian(at: p.destinationOffset, as: UInt32.self))
            // Only the first fragment carries the ports.
            let fragmentOffset = frame.loadBigEndian(at: off &+ 6, as: UInt16.self) & 0x1FFF
            l4 = fragmentOffset == 0 ? off &+ ihl : 0
        } else if type == EtherType.ipv6 {
            guard length >= off &+ 40, frame.loadByte(at: off) >> 4 == 6 else { return nil }
            p.version = 6
            p.ipProtocol = frame.loadByte(at: off &+ IPv6Header.nextHeaderOffset)
            p.sourceOffset = off &+ IPv6Header.sourceOffset
            p.destinationOffset = off &+ IPv6Header.destinationOffset
            p.sourceHi = frame.loadBigEndian(at: p.sourceOffset, as: UInt64.self)
            p.sourceLo = frame.loadBigEndian(at: p.sourceOffset &+ 8, as: UInt64.self)
            p.destHi = frame.loadBigEndian(at: p.destinationOffset, as: UInt64.self)
            p.destLo = frame.loadBigEndian(at: p.destinationOffset &+ 8, as: UInt64.self)
            l4 = off &+ 40
        } else {
            return nil
        }
        if l4 != 0 && (p.ipProtocol == 6 || p.ipProtocol == 17) && length >= l4 &+ 4 {
            p.destinationPort = frame.loadBigEndian(at: l4 &+ 2, as: UInt16.self)
        }
        return p
    }
}
