#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16), for tools, builders and
/// tests. The per-packet path reads addresses in place and never makes one of these.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]

    /// An address from its bytes; nil unless there are 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted-quad IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`), as inet_pton does.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = Swift.withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = Swift.withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// The IPv4 address `a.b.c.d`.
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        bytes = [a, b, c, d]
    }

    /// True for IPv4.
    public var isIPv4: Bool { bytes.count == 4 }
    /// 4 or 6.
    public var version: UInt8 { isIPv4 ? 4 : 6 }

    /// The address with `n` added to its last 32 bits (wrapping), to vary flows.
    public func adding(_ n: UInt32) -> IPAddress {
        var b = bytes
        let at = b.count - 4
        b.setBigEndian(b.bigEndian(at: at, as: UInt32.self) &+ n, at: at)
        return IPAddress(bytes: b)!
    }

    /// The usual text form (inet_ntop).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) } != nil
        return ok ? String(cString: buffer) : "?"
    }
}
