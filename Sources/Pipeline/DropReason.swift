/// Why a packet was dropped. Every drop has exactly one reason: the first check that fails.
///
/// The numeric code (`rawValue`) is stable: it names a per-lcore counter and appears in
/// telemetry, so a code is never reused or renumbered. Code 0 is reserved for "no drop"
/// (a forwarded packet) and is not a reason. To add a reason, append a case with the next
/// unused code and give it a row in ``descriptor``; the compiler refuses a case without one,
/// and `docs/protocol.md` lists every reason (a test keeps the two in step).
///
/// The order of the checks that produce these reasons is in `docs/protocol.md`
/// ("Acceptance order").
public enum DropReason: UInt8, CaseIterable, Sendable {
    // Locating the governance header (carrier and outer headers).
    case notGoverned = 1
    case malformed = 2
    case malformedTruncatedL2 = 3
    case malformedTruncatedIP = 4
    case malformedOuterIP = 5
    case malformedTruncatedUDP = 6
    case malformedTruncatedGov = 7
    case malformedHdrLen = 8
    case malformedOption = 9
    case malformedInner = 10
    // Checks on the governance header that need no table (DESIGN 1.2, 1.4, 1.5, 1.6).
    case badVersion = 11
    case reservedBits = 12
    case nextProtoMismatch = 13
    case unknownCriticalOption = 14
    case hopBudgetExhausted = 15
    case reservedConstraintBits = 16
    // Verification against the authority tables (DESIGN 1.3, 1.6).
    case unknownAuthority = 17
    case unknownEpoch = 18
    case expired = 19
    case lifetimeTooLong = 20
    case badMAC = 21
    case revoked = 22
    case scopeNotEntitled = 23
    case trustNotEntitled = 24
    case routeClassNotEntitled = 25
    // Classification and egress.
    case noPolicy = 26
    case policyDrop = 27
    case trustBelowMinimum = 28
    case noExport = 29
    case encryptedOnly = 30
    case labelCeiling = 31
    case rateExceeded = 32
    case txFull = 33
    case rxonlyDiscard = 34

    /// The one table of names and descriptions. The name is the telemetry and counter name
    /// (snake_case, stable); the summary is one line for operators.
    @usableFromInline
    var descriptor: (name: String, summary: String) {
        switch self {
        case .notGoverned: ("not_governed", "not a governed packet: neither EtherType 0x88B5 nor UDP to the governance port")
        case .malformed: ("malformed", "malformed packet that no more specific reason names (e.g. headers not in the first segment)")
        case .malformedTruncatedL2: ("malformed_truncated_l2", "Ethernet or 802.1Q header cut short")
        case .malformedTruncatedIP: ("malformed_truncated_ip", "outer IP header, or the outer packet its length field announces, cut short")
        case .malformedOuterIP: ("malformed_outer_ip", "outer IP header invalid (version, IHL, total length) or a governed packet fragmented")
        case .malformedTruncatedUDP: ("malformed_truncated_udp", "outer UDP header cut short, or its length field outside the IP packet")
        case .malformedTruncatedGov: ("malformed_truncated_gov", "fewer than the 48 bytes of the fixed governance header")
        case .malformedHdrLen: ("malformed_hdr_len", "hdr_len below 6, or the header it announces runs past the packet")
        case .malformedOption: ("malformed_option", "a governance option runs past hdr_len * 8")
        case .malformedInner: ("malformed_inner", "inner IP header cut short, or its length fields disagree with the packet")
        case .badVersion: ("bad_version", "governance header version is not 1")
        case .reservedBits: ("reserved_bits", "reserved low nibble of ver_flags is not 0")
        case .nextProtoMismatch: ("next_proto_mismatch", "next_proto is neither 4 nor 41, or does not match the inner IP version")
        case .unknownCriticalOption: ("unknown_critical_option", "an option with the critical bit that this node does not know")
        case .hopBudgetExhausted: ("hop_budget_exhausted", "arrived with hop_budget 0")
        case .reservedConstraintBits: ("reserved_constraint_bits", "a reserved constraint bit (3-7 or 24-31) is set")
        case .unknownAuthority: ("unknown_authority", "authority_id is not configured")
        case .unknownEpoch: ("unknown_epoch", "the authority has no key for key_epoch")
        case .expired: ("expired", "expiry is in the past by more than the allowed clock skew")
        case .lifetimeTooLong: ("lifetime_too_long", "expiry lies further ahead than the authority's maximum lifetime")
        case .badMAC: ("bad_mac", "the MAC does not verify")
        case .revoked: ("revoked", "capability_id is revoked")
        case .scopeNotEntitled: ("scope_not_entitled", "the authority may not vouch for this scope")
        case .trustNotEntitled: ("trust_not_entitled", "the authority may not grant this trust level")
        case .routeClassNotEntitled: ("route_class_not_entitled", "the authority may not grant this route class")
        case .noPolicy: ("no_policy", "no policy for (scope, route class)")
        case .policyDrop: ("policy_drop", "the policy for (scope, route class) drops")
        case .trustBelowMinimum: ("trust_below_minimum", "trust level below the policy's minimum")
        case .noExport: ("no_export", "NO_EXPORT packet would leave through an external boundary port")
        case .encryptedOnly: ("encrypted_only", "ENCRYPTED_ONLY packet whose inner packet is neither ESP nor WireGuard")
        case .labelCeiling: ("label_ceiling", "label above the egress port's ceiling")
        case .rateExceeded: ("rate_exceeded", "the meter for (scope, rate class) is red")
        case .txFull: ("tx_full", "the egress queue did not take the packet")
        case .rxonlyDiscard: ("rxonly_discard", "received and freed by a benchmark mode (rxonly, txonly): not forwarded by design")
        }
    }

    /// Stable snake_case name, e.g. `bad_mac`: the counter and telemetry name.
    @inlinable public var name: String { descriptor.name }

    /// One line for operators.
    @inlinable public var summary: String { descriptor.summary }

    /// True for `malformed` and every `malformed_*` reason.
    @inlinable public var isMalformed: Bool {
        rawValue >= DropReason.malformed.rawValue && rawValue <= DropReason.malformedInner.rawValue
    }

    /// The reason with this stable name, or nil.
    public init?(name: String) {
        guard let reason = DropReason.allCases.first(where: { $0.name == name }) else { return nil }
        self = reason
    }

    /// One past the highest code: the size of a counter array indexed by code (index 0 counts forwards).
    public static let codeLimit = Int(DropReason.allCases.map(\.rawValue).max()!) + 1
}
