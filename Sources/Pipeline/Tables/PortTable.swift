/// What the node knows of each DPDK port, indexed by port id.
public struct PortEntry {
    public static let none = UInt16.max

    public var configured: Bool
    public var boundary: PortBoundary
    /// Highest classification label allowed out of this port; 255 allows all.
    public var labelCeiling: UInt8
    /// Port id that receives AUDIT copies of packets leaving through this port, or `none`.
    public var auditPort: UInt16
    /// What happens to ungoverned packets arriving here.
    public var ungoverned: Ungoverned
    /// For `.pass`: where they go.
    public var passEgress: UInt16

    public enum Ungoverned: UInt8 { case drop, pass, push }

    static let unconfigured = PortEntry(configured: false, boundary: .internal, labelCeiling: 255, auditPort: none,
                                        ungoverned: .drop, passEgress: none)
}

/// Port entries and names, by DPDK port id.
public final class PortTable: @unchecked Sendable {
    public let entries: UnsafeMutablePointer<PortEntry>
    public let names: [UInt16: String]

    public init(_ ports: [PortConfig], portID: (String) -> UInt16?) throws {
        entries = .allocate(capacity: maxPortSlots)
        entries.initialize(repeating: .unconfigured, count: maxPortSlots)
        var names: [UInt16: String] = [:]
        func resolve(_ name: String, _ what: String) throws -> UInt16 {
            guard let id = portID(name) else { throw TableError("port \(what): \(name) has no DPDK port") }
            return id
        }
        for p in ports {
            let id = try resolve(p.name, p.name)
            guard Int(id) < maxPortSlots else { throw TableError("port \(p.name): DPDK port id \(id) too large") }
            names[id] = p.name
            var e = PortEntry.unconfigured
            e.configured = true
            e.boundary = p.boundary
            e.labelCeiling = p.labelCeiling ?? 255
            if let audit = p.auditPort { e.auditPort = try resolve(audit, "\(p.name) audit port") }
            switch p.ungoverned {
            case .drop: e.ungoverned = .drop
            case .push: e.ungoverned = .push
            case .pass(let egress):
                e.ungoverned = .pass
                e.passEgress = try resolve(egress, "\(p.name) pass egress")
            }
            entries[Int(id)] = e
        }
        self.names = names
    }

    deinit { entries.deallocate() }

    public func name(_ id: UInt16) -> String { names[id] ?? "port\(id)" }
}
