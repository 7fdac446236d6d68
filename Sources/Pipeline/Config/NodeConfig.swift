// The validated configuration of a governed node.
//
// Plain values, built by the configuration loader (Sources/GovFwd/Config) after every
// rule in docs/configuration.md has been checked; the pipeline builds its tables from
// them. Nothing here reads files or knows about YAML.

/// The whole, validated configuration of one node.
///
/// Every reference between resources has been resolved and checked: a port's audit port,
/// a pass egress and a policy egress name ports in ``ports``; every selector's ingress port
/// is a gateway port that pushes; the local authority names one of ``authorities``.
///
/// ```swift
/// let config = try ConfigLoader.load(file: "configs/two-port.yaml")
/// for policy in config.policies { ... }   // (scope, route class) -> action
/// ```
public struct NodeConfig: Sendable, Equatable {
    /// Node-wide settings (carrier port, clock skew, local authority).
    public var settings: NodeSettings
    /// Ports in file order. At least one.
    public var ports: [PortConfig]
    /// Authorities in file order; ids are unique.
    public var authorities: [AuthorityConfig]
    /// Scope policies in file order; (scope, route class) pairs are unique.
    public var policies: [ScopePolicy]
    /// Revoked capability ids, sorted ascending, without repeats.
    public var revoked: [UInt64]
    /// Gateway selectors in match order (file order): the first that matches wins.
    public var gatewaySelectors: [GatewaySelector]

    public init(
        settings: NodeSettings = NodeSettings(),
        ports: [PortConfig],
        authorities: [AuthorityConfig] = [],
        policies: [ScopePolicy] = [],
        revoked: [UInt64] = [],
        gatewaySelectors: [GatewaySelector] = []
    ) {
        self.settings = settings
        self.ports = ports
        self.authorities = authorities
        self.policies = policies
        self.revoked = revoked
        self.gatewaySelectors = gatewaySelectors
    }

    /// The position of the port called `name` in ``ports``, the index the pipeline's
    /// per-port arrays use.
    public func portIndex(named name: String) -> Int? {
        ports.firstIndex { $0.name == name }
    }

    /// The port called `name`.
    public func port(named name: String) -> PortConfig? {
        portIndex(named: name).map { ports[$0] }
    }

    /// The authority with the given wire id.
    public func authority(id: UInt32) -> AuthorityConfig? {
        authorities.first { $0.authorityID == id }
    }

    /// The policy for (scope, route class).
    public func policy(scopeID: UInt32, routeClass: UInt8) -> ScopePolicy? {
        policies.first { $0.scopeID == scopeID && $0.routeClass == routeClass }
    }
}

/// Node-wide settings: the `Node` resource. Every field has a default.
public struct NodeSettings: Sendable, Equatable {
    /// Default UDP destination port of the UDP carrier (DESIGN 1.1).
    public static let defaultUDPPort: UInt16 = 4742
    /// Default tolerance, in seconds, when comparing `expiry` with the local clock.
    public static let defaultClockSkewSeconds: UInt32 = 5
    /// Default WireGuard UDP port accepted for `ENCRYPTED_ONLY` (DESIGN 1.4).
    public static let defaultWireGuardPort: UInt16 = 51820

    /// The node's name (`metadata.name` of the `Node` resource), for logs and telemetry.
    public var nodeName: String
    /// UDP destination port that identifies the UDP carrier.
    public var udpPort: UInt16
    /// Accepted clock difference when checking `expiry`, in seconds.
    public var clockSkewSeconds: UInt32
    /// UDP port that counts as WireGuard for `ENCRYPTED_ONLY`.
    public var wireGuardPort: UInt16
    /// The authority and key this node seals pushed headers with; required when a port pushes.
    public var localAuthority: LocalAuthority?

    public init(
        nodeName: String = "govfwd",
        udpPort: UInt16 = NodeSettings.defaultUDPPort,
        clockSkewSeconds: UInt32 = NodeSettings.defaultClockSkewSeconds,
        wireGuardPort: UInt16 = NodeSettings.defaultWireGuardPort,
        localAuthority: LocalAuthority? = nil
    ) {
        self.nodeName = nodeName
        self.udpPort = udpPort
        self.clockSkewSeconds = clockSkewSeconds
        self.wireGuardPort = wireGuardPort
        self.localAuthority = localAuthority
    }
}

/// The authority a gateway node speaks for when it pushes a header onto ungoverned traffic.
///
/// It is one of the node's configured authorities, so headers it seals also verify here,
/// and the loader has checked every gateway selector against its entitlements.
public struct LocalAuthority: Sendable, Equatable {
    /// `metadata.name` of the authority resource.
    public var authorityName: String
    /// Wire `authority_id` written into pushed headers.
    public var authorityID: UInt32
    /// Wire `key_epoch` written into pushed headers.
    public var keyEpoch: UInt16
    /// The key for (`authorityID`, `keyEpoch`).
    public var key: KeyMaterial

    public init(authorityName: String, authorityID: UInt32, keyEpoch: UInt16, key: KeyMaterial) {
        self.authorityName = authorityName
        self.authorityID = authorityID
        self.keyEpoch = keyEpoch
        self.key = key
    }
}
