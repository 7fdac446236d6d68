// Gateway selectors: which GOV header to push onto ungoverned traffic.

/// Matches ungoverned traffic entering a gateway port and names the capability to push.
/// Unset match fields match everything.
public struct GatewaySelector: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// The gateway port this selector applies to; `nil` means every port that pushes.
    public var ingressPort: String?
    /// Inner source address prefix.
    public var source: IPPrefix?
    /// Inner destination address prefix.
    public var destination: IPPrefix?
    /// Inner IP protocol number (6 TCP, 17 UDP, ...).
    public var ipProtocol: UInt8?
    /// Inner destination port range (TCP, UDP or SCTP only).
    public var destinationPorts: ClosedRange<UInt16>?
    /// The header to push.
    public var push: PushedCapability

    public init(
        name: String,
        ingressPort: String? = nil,
        source: IPPrefix? = nil,
        destination: IPPrefix? = nil,
        ipProtocol: UInt8? = nil,
        destinationPorts: ClosedRange<UInt16>? = nil,
        push: PushedCapability
    ) {
        self.name = name
        self.ingressPort = ingressPort
        self.source = source
        self.destination = destination
        self.ipProtocol = ipProtocol
        self.destinationPorts = destinationPorts
        self.push = push
    }
}

/// The fields of a header pushed by a gateway; authority and epoch are the node's local
/// authority, expiry is the time of the push plus ``lifetimeSeconds``.
public struct PushedCapability: Sendable, Equatable {
    /// Wire `scope_id`.
    public var scopeID: UInt32
    /// Wire `route_class`.
    public var routeClass: UInt8
    /// Wire `trust_level`.
    public var trustLevel: UInt8
    /// Wire `constraints` bitmap (DESIGN 1.4); reserved bits are 0.
    public var constraints: UInt32
    /// Seconds from the push to `expiry`.
    public var lifetimeSeconds: UInt32
    /// Wire `capability_id`.
    public var capabilityID: UInt64

    public init(
        scopeID: UInt32, routeClass: UInt8, trustLevel: UInt8,
        constraints: UInt32, lifetimeSeconds: UInt32, capabilityID: UInt64
    ) {
        self.scopeID = scopeID
        self.routeClass = routeClass
        self.trustLevel = trustLevel
        self.constraints = constraints
        self.lifetimeSeconds = lifetimeSeconds
        self.capabilityID = capabilityID
    }
}

/// An IPv4 or IPv6 prefix with its host bits zero.
public struct IPPrefix: Sendable, Equatable, CustomStringConvertible {
    public enum Family: Sendable, Equatable {
        case ipv4
        case ipv6
    }

    /// Address bytes in network order: 4 for IPv4, 16 for IPv6.
    public let address: [UInt8]
    /// Prefix length in bits.
    public let length: UInt8

    /// Returns `nil` unless `address` has 4 or 16 bytes, `length` fits, and the bits after
    /// `length` are zero.
    public init?(address: [UInt8], length: UInt8) {
        guard address.count == 4 || address.count == 16, Int(length) <= address.count * 8 else { return nil }
        for bit in Int(length)..<(address.count * 8) where address[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 {
            return nil
        }
        self.address = address
        self.length = length
    }

    public var family: Family { address.count == 4 ? .ipv4 : .ipv6 }

    /// Whether `candidate` (4 or 16 bytes, network order) lies inside this prefix.
    public func contains(_ candidate: [UInt8]) -> Bool {
        guard candidate.count == address.count else { return false }
        var bits = Int(length)
        var index = 0
        while bits >= 8 {
            if candidate[index] != address[index] { return false }
            bits -= 8
            index += 1
        }
        if bits == 0 { return true }
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        return candidate[index] & mask == address[index]
    }

    public var description: String {
        if family == .ipv4 {
            return address.map(String.init).joined(separator: ".") + "/\(length)"
        }
        // Plain RFC 5952 form: lower-case, longest run of zero groups shortened.
        var groups: [UInt16] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(UInt16(address[index]) << 8 | UInt16(address[index + 1]))
        }
        var bestStart = -1, bestCount = 1, runStart = -1
        for (index, group) in groups.enumerated() {
            if group == 0 {
                if runStart < 0 { runStart = index }
                if index - runStart + 1 > bestCount { bestStart = runStart; bestCount = index - runStart + 1 }
            } else {
                runStart = -1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        let text: String
        if bestStart >= 0 {
            let head = hex[..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestCount)...].joined(separator: ":")
            text = head + "::" + tail
        } else {
            text = hex.joined(separator: ":")
        }
        return text + "/\(length)"
    }
}
