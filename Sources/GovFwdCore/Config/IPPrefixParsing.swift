// Parsing CIDR prefixes for gateway selectors.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Pipeline

/// Parses `10.1.0.0/16`, `2001:db8::/32`, or a bare address (a /32 or /128 host prefix).
/// Refuses a prefix whose host bits are set, suggesting the intended network.
func parseIPPrefix(_ text: String) -> Result<IPPrefix, LoadProblem> {
    let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    let addressText = String(parts[0])
    let isIPv6 = addressText.contains(":")
    var address = [UInt8](repeating: 0, count: isIPv6 ? 16 : 4)
    let converted = address.withUnsafeMutableBytes { buffer in
        inet_pton(isIPv6 ? AF_INET6 : AF_INET, addressText, buffer.baseAddress)
    }
    guard converted == 1 else {
        return .failure(LoadProblem("expected an IPv4 or IPv6 prefix such as 10.0.0.0/8 or 2001:db8::/32, "
            + "got \(quoted(text))"))
    }
    let maximum = address.count * 8
    var length = maximum
    if parts.count == 2 {
        guard let parsed = parseInteger(String(parts[1]), as: UInt8.self), Int(parsed) <= maximum,
              !parts[1].hasPrefix("0x") else {
            return .failure(LoadProblem("prefix length in \(quoted(text)) must be from 0 to \(maximum)"))
        }
        length = Int(parsed)
    }
    if let prefix = IPPrefix(address: address, length: UInt8(length)) {
        return .success(prefix)
    }
    var network = address
    for bit in length..<maximum {
        network[bit / 8] &= ~(0x80 >> UInt8(bit % 8))
    }
    let suggestion = IPPrefix(address: network, length: UInt8(length))!
    return .failure(LoadProblem("\(quoted(text)) has host bits set; did you mean \(suggestion)?"))
}
