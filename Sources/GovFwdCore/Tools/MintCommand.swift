import ArgumentParser
import Foundation
import Pipeline

/// `govfwd mint`: the authority's side. Seals one governance header for a flow and prints it.
///
/// ```
/// $ govfwd mint --key-file auth7.key --authority 7 --epoch 3 --scope 0x10002 --trust 50 \
///       --route-class 2 --constraints audit,rate=3,label=2 --expiry +1h \
///       --capability-id 0x1122334455667788 --src 10.1.0.1 --dst 10.2.0.2
/// 10060408000100023202000300000007000203026...   (96 hex characters: the 48-byte header)
/// ```
struct MintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint",
        abstract: "Seal a governance header for one flow (the authority's side).",
        discussion: """
            Prints the 48-byte header as 96 hexadecimal characters, or with --json every field. \
            The MAC binds the header to --src and --dst, the inner packet's addresses (DESIGN 1.3). \
            Numbers may be decimal or 0x hexadecimal.
            """)

    @OptionGroup var governance: GovernanceOptions

    @Option(help: "capability_id: names the capability, for revocation and audit (decimal or 0x hex).")
    var capabilityId: String

    @Option(parsing: .unconditional, help: "hop_budget: governed hops the packet may take, 1-255.")
    var hopBudget: UInt8 = 8

    @Option(help: "Inner source address (IPv4 or IPv6).")
    var src: String

    @Option(help: "Inner destination address, same family as --src.")
    var dst: String

    @Flag(help: "Print every field as a JSON object instead of the hex header.")
    var json = false

    @Flag(help: "Seal even a header that every node drops (reserved constraint bits, hop budget 0, an expiry in the past), for tests.")
    var allowInvalid = false

    func run() throws {
        let source = try ToolArguments.address(src, option: "--src")
        let destination = try ToolArguments.address(dst, option: "--dst")
        guard source.isIPv4 == destination.isIPv4 else {
            throw ValidationError("--src and --dst must be both IPv4 or both IPv6")
        }
        let now = UInt64(Date().timeIntervalSince1970)
        var fields = try governance.fields(now: now)
        fields.capability = CapabilityID(try ToolArguments.integer(capabilityId, option: "--capability-id", as: UInt64.self))
        fields.hopBudget = hopBudget
        if !allowInvalid {
            try GovernanceOptions.checkAccepted(fields, now: now, clock: "the current time")
            guard hopBudget > 0 else {
                throw ValidationError("--hop-budget 0: every node drops the packet (hop_budget_exhausted); "
                    + "use --allow-invalid to seal it for a test")
            }
        }
        let key = try KeyFile.load(governance.keyFile)
        let header = GovHeaderBuilder.sealed(fields, source: source, destination: destination, key: key)
        if json {
            print(try MintedHeader(header, source: source, destination: destination).json())
        } else {
            print(HexBytes.encode(header))
        }
    }
}

/// The fields of a governance header that `mint` and `craft` take alike.
struct GovernanceOptions: ParsableArguments {
    @Option(help: "File with the authority's 16-byte key as 32 hex characters; mode 0600.")
    var keyFile: String

    @Option(help: "authority_id (decimal or 0x hex).")
    var authority: String

    @Option(help: "key_epoch: which of the authority's keys --key-file holds.")
    var epoch: String

    @Option(help: "scope_id: the trust scope (decimal or 0x hex).")
    var scope: String

    @Option(help: "trust_level, 0-255.")
    var trust: String = "0"

    @Option(help: "route_class, 0-255.")
    var routeClass: String = "0"

    @Option(help: "Constraints: a number such as 0x00020301, or names: audit,no-export,encrypted-only,rate=N,label=N.")
    var constraints: String = "none"

    @Option(help: "expiry: Unix seconds, or relative to now: +90s, +30m, +1h, +2d.")
    var expiry: String = "+1h"

    /// Refuses fields that every node drops whatever its tables (reserved constraint bits,
    /// an expiry before `now`), naming the option.
    static func checkAccepted(_ fields: GovFields, now: UInt64, clock: String) throws {
        if fields.constraints.hasReservedBits {
            throw ValidationError(String(format: "--constraints 0x%08x sets reserved bits (3-7 or 24-31): every node "
                + "drops the packet (reserved_constraint_bits)", fields.constraints.rawValue))
        }
        if UInt64(fields.expiry) < now {
            throw ValidationError("--expiry \(fields.expiry) is before \(clock) (\(now)): every node drops the packet "
                + "(expired)")
        }
    }

    /// The header fields these options give, with relative expiries counted from `now`.
    func fields(now: UInt64) throws -> GovFields {
        let constraintsValue: Constraints
        do {
            constraintsValue = try Constraints(parsing: constraints)
        } catch {
            throw ValidationError("--constraints: \(error)")
        }
        return GovFields(
            scope: ScopeID(try ToolArguments.integer(scope, option: "--scope", as: UInt32.self)),
            trust: TrustLevel(try ToolArguments.integer(trust, option: "--trust", as: UInt8.self)),
            routeClass: RouteClass(try ToolArguments.integer(routeClass, option: "--route-class", as: UInt8.self)),
            epoch: KeyEpoch(try ToolArguments.integer(epoch, option: "--epoch", as: UInt16.self)),
            authority: AuthorityID(try ToolArguments.integer(authority, option: "--authority", as: UInt32.self)),
            constraints: constraintsValue,
            expiry: try ToolArguments.expiry(expiry, now: now))
    }
}

/// Parsing of the tools' argument values, with errors that name the option.
enum ToolArguments {
    /// A decimal or `0x` hexadecimal integer that fits `T`.
    static func integer<T: FixedWidthInteger>(_ text: String, option: String, as type: T.Type) throws -> T {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value = trimmed.lowercased().hasPrefix("0x") ? T(trimmed.dropFirst(2), radix: 16) : T(trimmed)
        guard let value else {
            throw ValidationError("\(option): '\(Redaction.shown(text))' is not a number from \(T.min) to \(T.max) "
                + "(decimal or 0x hex)")
        }
        return value
    }

    /// Unix seconds, or `+N` followed by s, m, h or d, counted from `now`.
    static func expiry(_ text: String, now: UInt64) throws -> UInt32 {
        let units: [Character: UInt64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var seconds: UInt64
        if text.hasPrefix("+") {
            guard let unit = text.last.flatMap({ units[$0] }), let n = UInt64(text.dropFirst().dropLast()) else {
                throw ValidationError("--expiry: '\(Redaction.shown(text))' is not a relative time such as +90s, +30m, +1h or +2d")
            }
            let (delta, overflow) = n.multipliedReportingOverflow(by: unit)
            seconds = overflow ? .max : now &+ delta
            if seconds < now { seconds = .max }
        } else {
            guard let absolute = UInt64(text) else {
                throw ValidationError("--expiry: '\(Redaction.shown(text))' is neither Unix seconds nor a relative time such as +1h")
            }
            seconds = absolute
        }
        guard let value = UInt32(exactly: seconds) else {
            throw ValidationError("--expiry: \(seconds) is beyond the 32-bit expiry field (2106-02-07)")
        }
        return value
    }

    /// An IPv4 or IPv6 address.
    static func address(_ text: String, option: String) throws -> IPAddress {
        guard let address = IPAddress(text) else {
            throw ValidationError("\(option): '\(Redaction.shown(text))' is not an IPv4 or IPv6 address")
        }
        return address
    }
}

/// The JSON form of a minted header: every field, decoded.
struct MintedHeader: Encodable {
    var header: String
    var version: UInt8
    var hdrLen: UInt8
    var nextProto: UInt8
    var hopBudget: UInt8
    var scopeID: UInt32
    var trustLevel: UInt8
    var routeClass: UInt8
    var keyEpoch: UInt16
    var authorityID: UInt32
    var constraints: String
    var constraintsNames: String
    var expiry: UInt32
    var expiryUTC: String
    var capabilityID: UInt64
    var capabilityIDHex: String
    var mac: String
    var src: String
    var dst: String

    enum CodingKeys: String, CodingKey {
        case header, version, hdrLen = "hdr_len", nextProto = "next_proto", hopBudget = "hop_budget"
        case scopeID = "scope_id", trustLevel = "trust_level", routeClass = "route_class", keyEpoch = "key_epoch"
        case authorityID = "authority_id", constraints, constraintsNames = "constraints_names", expiry
        case expiryUTC = "expiry_utc", capabilityID = "capability_id", capabilityIDHex = "capability_id_hex", mac
        case src, dst
    }

    init(_ bytes: [UInt8], source: IPAddress, destination: IPAddress) {
        let h = bytes.withUnsafeBytes { GovHeader(loadingFrom: $0.baseAddress!) }
        header = HexBytes.encode(bytes)
        version = h.version
        hdrLen = h.hdrLen
        nextProto = h.nextProto
        hopBudget = h.hopBudget
        scopeID = h.scope.rawValue
        trustLevel = h.trust.rawValue
        routeClass = h.routeClass.rawValue
        keyEpoch = h.epoch.rawValue
        authorityID = h.authority.rawValue
        constraints = String(format: "0x%08x", h.constraints.rawValue)
        constraintsNames = h.constraints.description
        expiry = h.expiry
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        expiryUTC = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(h.expiry)))
        capabilityID = h.capability.rawValue
        capabilityIDHex = String(format: "0x%016llx", h.capability.rawValue)
        mac = HexBytes.encode(bytes[GovWire.Offset.mac..<GovWire.Offset.mac + GovWire.macLength])
        src = source.description
        dst = destination.description
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
