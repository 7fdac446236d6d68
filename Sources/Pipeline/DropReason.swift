/// Why a packet was dropped. Declared once: the numeric code, the stable snake_case name
/// and the one-line summary all come from `table`. Codes are never reused; new reasons take
/// new codes. Code 0 is reserved (it means "no drop").
public enum DropReason: UInt8, CaseIterable, Sendable {
    case notGoverned = 1
    case malformed = 2
    case badVersion = 3
    case reservedBits = 4
    case hopBudgetExhausted = 5
    case unknownAuthority = 6
    case unknownEpoch = 7
    case badMAC = 8
    case expired = 9
    case lifetimeTooLong = 10
    case revoked = 11
    case scopeNotEntitled = 12
    case trustNotEntitled = 13
    case routeClassNotEntitled = 14
    case noPolicy = 15
    case policyDrop = 16
    case trustBelowMinimum = 17
    case noExport = 18
    case encryptedOnly = 19
    case labelCeiling = 20
    case rateExceeded = 21
    case unknownCriticalOption = 22
    case txFull = 23

    /// (name, summary) by case, in declaration order.
    private static let table: [DropReason: (name: String, summary: String)] = [
        .notGoverned: ("not_governed", "no governance header, and the ingress port does not pass or push ungoverned traffic"),
        .malformed: ("malformed", "a length or offset does not fit the packet"),
        .badVersion: ("bad_version", "governance header version is not 1 or the reserved nibble is set"),
        .reservedBits: ("reserved_bits", "a reserved constraint bit is set"),
        .hopBudgetExhausted: ("hop_budget_exhausted", "arrived with hop_budget 0"),
        .unknownAuthority: ("unknown_authority", "authority_id is not configured"),
        .unknownEpoch: ("unknown_epoch", "the authority has no key for key_epoch"),
        .badMAC: ("bad_mac", "the MAC does not verify"),
        .expired: ("expired", "expiry is in the past, beyond the allowed clock skew"),
        .lifetimeTooLong: ("lifetime_too_long", "expiry is further ahead than the authority's maximum lifetime"),
        .revoked: ("revoked", "capability_id is revoked"),
        .scopeNotEntitled: ("scope_not_entitled", "the authority may not vouch for this scope"),
        .trustNotEntitled: ("trust_not_entitled", "the authority may not grant this trust level"),
        .routeClassNotEntitled: ("route_class_not_entitled", "the authority may not grant this route class"),
        .noPolicy: ("no_policy", "no policy for (scope, route class)"),
        .policyDrop: ("policy_drop", "the policy for (scope, route class) drops"),
        .trustBelowMinimum: ("trust_below_minimum", "trust level below the policy's minimum"),
        .noExport: ("no_export", "NO_EXPORT packet would leave through an external port"),
        .encryptedOnly: ("encrypted_only", "ENCRYPTED_ONLY packet whose inner packet is neither ESP nor WireGuard"),
        .labelCeiling: ("label_ceiling", "classification label above the egress port's ceiling"),
        .rateExceeded: ("rate_exceeded", "the meter of (scope, rate class) marked the packet red"),
        .unknownCriticalOption: ("unknown_critical_option", "an option with the critical bit set is not known"),
        .txFull: ("tx_full", "the egress transmit queue was full"),
    ]

    /// Stable snake_case name, used in statistics, logs and JSON.
    public var name: String { Self.table[self]!.name }
    /// One line saying what the reason means.
    public var summary: String { Self.table[self]!.summary }

    public init?(name: String) {
        guard let r = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = r
    }
}
