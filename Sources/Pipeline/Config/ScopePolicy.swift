// Local policy for a (scope, route class) pair, and its meters.

/// What the node does with governed packets of one (scope, route class).
public struct ScopePolicy: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// Wire `scope_id`.
    public var scopeID: UInt32
    /// Wire `route_class`.
    public var routeClass: UInt8
    /// Forward through a port, or drop.
    public var action: PolicyAction
    /// Lowest `trust_level` accepted; packets below it are dropped.
    public var minTrustLevel: UInt8
    /// One meter per rate class used by this (scope, route class), sorted by rate class.
    public var meters: [RateMeter]

    public init(
        name: String,
        scopeID: UInt32,
        routeClass: UInt8,
        action: PolicyAction,
        minTrustLevel: UInt8 = 0,
        meters: [RateMeter] = []
    ) {
        self.name = name
        self.scopeID = scopeID
        self.routeClass = routeClass
        self.action = action
        self.minTrustLevel = minTrustLevel
        self.meters = meters
    }

    /// The meter for a constraint `rate_class` (1-255).
    public func meter(rateClass: UInt8) -> RateMeter? {
        meters.first { $0.rateClass == rateClass }
    }
}

/// The action of a scope policy.
public enum PolicyAction: Sendable, Equatable, CustomStringConvertible {
    /// Forward through the named port.
    case forward(egressPort: String)
    /// Drop.
    case drop

    public var description: String {
        switch self {
        case .forward(let egress): return "forward to \(egress)"
        case .drop: return "drop"
        }
    }
}

/// A single-rate two-colour meter (rte_meter srTCM with an excess burst of 0): packets
/// within `committedRate` and `burst` pass, the others are dropped.
public struct RateMeter: Sendable, Equatable {
    /// The largest committed rate and burst, 10^15 per second and 10^15: above any link's
    /// rate, and far below what rte_meter's token bucket cannot hold. It computes a period of
    /// `hz * ceil(100 * rate / hz) / rate` TSC cycles in 64 bits, which wraps to 0 near
    /// rate = 2^64 / 100 (1.8e17), and the first metered packet then divides by it.
    public static let maximumQuantity: UInt64 = 1_000_000_000_000_000

    /// Constraint `rate_class` (1-255) this meter serves.
    public var rateClass: UInt8
    /// Whether the meter counts packets or bytes.
    public var unit: MeterUnit
    /// Committed rate, in ``unit`` per second (srTCM CIR).
    public var committedRate: UInt64
    /// Committed burst, in ``unit`` (srTCM CBS).
    public var burst: UInt64

    public init(rateClass: UInt8, unit: MeterUnit, committedRate: UInt64, burst: UInt64) {
        self.rateClass = rateClass
        self.unit = unit
        self.committedRate = committedRate
        self.burst = burst
    }
}

/// What a meter counts. rte_meter counts bytes; a packet meter is an srTCM fed a length
/// of 1 per packet.
public enum MeterUnit: String, Sendable, Equatable, CustomStringConvertible {
    case packets
    case bytes

    public var description: String { rawValue }
}
