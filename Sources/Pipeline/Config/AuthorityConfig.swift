// An authority: its keys per epoch and what it may grant.

/// An authority that vouches for governed packets, and the limits of what it may grant
/// (DESIGN 1.6: entitled to the scope, may grant this trust level and route class,
/// expiry not beyond its maximum lifetime).
public struct AuthorityConfig: Sendable, Equatable {
    /// `metadata.name`.
    public var name: String
    /// Wire `authority_id`.
    public var authorityID: UInt32
    /// The 128-bit key for each wire `key_epoch`. At least one.
    public var keys: [UInt16: KeyMaterial]
    /// Scopes this authority may vouch for.
    public var scopes: Entitlement<UInt32>
    /// Highest `trust_level` it may grant.
    public var maxTrustLevel: UInt8
    /// Route classes it may grant.
    public var routeClasses: Entitlement<UInt8>
    /// Longest time, in seconds, that an `expiry` may lie ahead of the node's clock.
    public var maxLifetimeSeconds: UInt32

    public init(
        name: String,
        authorityID: UInt32,
        keys: [UInt16: KeyMaterial],
        scopes: Entitlement<UInt32>,
        maxTrustLevel: UInt8,
        routeClasses: Entitlement<UInt8>,
        maxLifetimeSeconds: UInt32
    ) {
        self.name = name
        self.authorityID = authorityID
        self.keys = keys
        self.scopes = scopes
        self.maxTrustLevel = maxTrustLevel
        self.routeClasses = routeClasses
        self.maxLifetimeSeconds = maxLifetimeSeconds
    }

    /// Key epochs in ascending order.
    public var epochs: [UInt16] { keys.keys.sorted() }
}

/// A set of values an authority is entitled to: all of them, or the listed ones.
public enum Entitlement<Value: FixedWidthInteger & Sendable>: Sendable, Equatable {
    /// Every value.
    case all
    /// Only these values, sorted ascending, without repeats.
    case only([Value])

    /// Whether `value` is granted.
    public func allows(_ value: Value) -> Bool {
        switch self {
        case .all: return true
        case .only(let values): return values.contains(value)
        }
    }
}

/// A 128-bit AES key.
///
/// Its textual forms never show the key: `description`, `debugDescription` and reflection
/// (`dump`, `Mirror`, string interpolation of a containing value) all print
/// `KeyMaterial(redacted)`, so a configuration can be logged whole.
public struct KeyMaterial: Sendable, Equatable {
    /// Key length in bytes (AES-128).
    public static let byteCount = 16

    private let storage: [UInt8]

    /// Wraps 16 key bytes; returns `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == KeyMaterial.byteCount else { return nil }
        storage = bytes
    }

    /// The 16 key bytes, for building the key table.
    public var bytes: [UInt8] { storage }

    /// Calls `body` with the key bytes without copying them.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }
}

extension KeyMaterial: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "KeyMaterial(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
