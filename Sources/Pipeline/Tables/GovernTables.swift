/// Everything the governed pipeline looks up, built from a validated ``NodeConfig``.
/// Read-only once built, shared by every worker lcore (rte_hash lookups are safe for
/// concurrent readers); a reload builds a new set.
public final class GovernTables: @unchecked Sendable {
    public let config: NodeConfig
    public let authorities: AuthorityTable
    public let revocations: RevocationTable
    public let policies: PolicyTable
    public let ports: PortTable
    public let gateway: GatewayTable

    /// `portID` maps a configured port name to its DPDK port id.
    public init(config: NodeConfig, portID: (String) -> UInt16?) throws {
        self.config = config
        authorities = try AuthorityTable(config.authorities)
        revocations = try RevocationTable(config.revoked)
        policies = try PolicyTable(config.policies, portID: portID)
        ports = try PortTable(config.ports, portID: portID)
        gateway = try GatewayTable(config.gatewaySelectors, local: config.settings.localAuthority, portID: portID)
    }
}
