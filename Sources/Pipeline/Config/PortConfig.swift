// A port of the node and what its boundary means.

/// One DPDK port, found by ethdev name or by index, and the boundary it stands on.
public struct PortConfig: Sendable, Equatable {
    /// `metadata.name`; other resources refer to the port by it.
    public var name: String
    /// How to find the DPDK port at start-up.
    public var device: PortDevice
    /// What lies beyond the port.
    public var boundary: PortBoundary
    /// Highest constraint `label` allowed to leave through this port; `nil` means no ceiling.
    public var labelCeiling: UInt8?
    /// Name of the port that receives a copy of `AUDIT` packets leaving through this port
    /// (or, when their egress port has none, arriving on it); `nil` means none.
    public var auditPort: String?
    /// What happens to ungoverned traffic (no GOV header) arriving on this port.
    public var ungoverned: UngovernedAction

    public init(
        name: String,
        device: PortDevice,
        boundary: PortBoundary,
        labelCeiling: UInt8? = nil,
        auditPort: String? = nil,
        ungoverned: UngovernedAction = .drop
    ) {
        self.name = name
        self.device = device
        self.boundary = boundary
        self.labelCeiling = labelCeiling
        self.auditPort = auditPort
        self.ungoverned = ungoverned
    }
}

/// How the node finds a DPDK port.
public enum PortDevice: Sendable, Equatable, CustomStringConvertible {
    /// An ethdev name as DPDK reports it: a vdev (`net_pcap0`, `net_null0`) or a PCI address
    /// (`0000:03:00.0`); resolved with `rte_eth_dev_get_port_by_name`.
    case ethdevName(String)
    /// A DPDK port id, in the order the EAL probed the devices.
    case index(UInt16)

    public var description: String {
        switch self {
        case .ethdevName(let name): return name
        case .index(let index): return "port \(index)"
        }
    }
}

/// What lies beyond a port.
public enum PortBoundary: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Inside the governed domain: GOV headers go out unchanged.
    case `internal`
    /// A boundary to another domain: packets with `NO_EXPORT` never leave through it.
    case external
    /// A segment that does not speak GOV: the header is stripped from packets leaving through it.
    case legacy
    /// Where this node governs traffic coming in from a legacy segment: ungoverned traffic
    /// arriving on it may have a header pushed (``UngovernedAction/push``). GOV headers go
    /// out unchanged, as on `internal`; only `legacy` ports strip them.
    case gateway

    public var description: String { rawValue }
}

/// What happens to a packet without a GOV header arriving on a port.
public enum UngovernedAction: Sendable, Equatable, CustomStringConvertible {
    /// Drop it (the default).
    case drop
    /// Forward it unchanged through the named egress port.
    case pass(egressPort: String)
    /// Push a GOV header chosen by the first matching gateway selector; drop it when none
    /// matches. Only on `gateway` ports, and only with a local authority.
    case push

    public var description: String {
        switch self {
        case .drop: return "drop"
        case .pass(let egress): return "pass to \(egress)"
        case .push: return "push"
        }
    }
}
