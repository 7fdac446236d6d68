/// Revoked capability ids. A bulk lookup per burst; a miss, the common case, costs one
/// probe of the bucket (rte_hash keeps signatures in the bucket).
public final class RevocationTable: @unchecked Sendable {
    let hash: HashTable

    public init(_ revoked: [UInt64]) throws {
        hash = try HashTable(name: "gov_revoked", capacity: max(revoked.count * 5 / 4, 64))
        for id in revoked { _ = try hash.add(id) }
    }

    public var count: Int { hash.count }

    public func contains(_ id: UInt64) -> Bool { hash.lookup(id) >= 0 }
}
