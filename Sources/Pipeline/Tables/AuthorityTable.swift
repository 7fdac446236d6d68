import CDPDK

/// What an (authority, epoch) entitles, at the position its key has in ``AuthorityTable``.
public struct AuthorityEntry {
    public var authority: UInt32
    public var maxTrust: UInt8
    public var maxLifetime: UInt32
    /// True when the authority may vouch for any scope; otherwise see ``AuthorityTable/entitledScopes``.
    public var allScopes: Bool
    /// Route classes the authority may grant, a bit per class.
    public var routeClasses: (UInt64, UInt64, UInt64, UInt64)

    @inline(__always)
    public func allowsRouteClass(_ rc: UInt8) -> Bool {
        let word: UInt64
        switch rc >> 6 {
        case 0: word = routeClasses.0
        case 1: word = routeClasses.1
        case 2: word = routeClasses.2
        default: word = routeClasses.3
        }
        return word & (1 &<< UInt64(rc & 63)) != 0
    }
}

/// (authority, epoch) -> expanded CMAC key and entitlements; authority -> known; and
/// (authority, scope) -> entitled, for authorities limited to some scopes.
public final class AuthorityTable: @unchecked Sendable {
    /// ``key(authority:epoch:)`` to the position of its entry and key.
    public let byEpoch: HashTable
    let known: HashTable
    let scopes: HashTable
    /// Entries and keys by position in `byEpoch`.
    public let entries: UnsafeMutablePointer<AuthorityEntry>
    public let keys: UnsafeMutablePointer<gov_cmac_key>
    /// Entries in `entries` and `keys`: rte_hash positions run below this.
    let slots: Int

    @inline(__always) public static func key(authority: UInt32, epoch: UInt16) -> UInt64 {
        UInt64(authority) << 16 | UInt64(epoch)
    }

    /// The (authority, epoch) of a header's first 32 bytes as they lie on the wire
    /// (``ParsedPacket/headerWire``): bytes 10-15 unswapped, so one shift. Equal for two
    /// headers exactly when their `key(authority:epoch:)` is; ``wireKey(key:)`` converts.
    @inline(__always) public static func wireKey(_ headerWire: SIMD4<UInt64>) -> UInt64 {
        UInt64(littleEndian: headerWire[1]) &>> 16
    }

    /// ``wireKey(_:)`` of the headers whose `key(authority:epoch:)` is `key`.
    @inline(__always) public static func wireKey(key: UInt64) -> UInt64 {
        let epoch = UInt16(truncatingIfNeeded: key), authority = UInt32(truncatingIfNeeded: key &>> 16)
        return UInt64(epoch.byteSwapped) | UInt64(authority.byteSwapped) &<< 16
    }

    @inline(__always) static func scopeKey(authority: UInt32, scope: UInt32) -> UInt64 {
        UInt64(authority) << 32 | UInt64(scope)
    }

    public init(_ authorities: [AuthorityConfig]) throws {
        let epochs = authorities.reduce(0) { $0 + $1.keys.count }
        let capacity = max(epochs, 1) * 2
        slots = capacity * 2 + 64
        byEpoch = try HashTable(name: "gov_auth_epoch", capacity: capacity)
        known = try HashTable(name: "gov_auth", capacity: max(authorities.count, 1) * 2)
        var entitled = 0
        for a in authorities { if case .only(let list) = a.scopes { entitled += list.count } }
        scopes = try HashTable(name: "gov_auth_scope", capacity: max(entitled, 1) * 2)
        // rte_hash positions run up to its (rounded-up) capacity.
        entries = .allocate(capacity: slots)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: slots * MemoryLayout<gov_cmac_key>.stride, alignment: 64)
        keys = raw.bindMemory(to: gov_cmac_key.self, capacity: slots)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: slots * MemoryLayout<gov_cmac_key>.stride)

        for a in authorities {
            _ = try known.add(UInt64(a.authorityID))
            var classes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            for rc in 0...255 where a.routeClasses.allows(UInt8(rc)) {
                let bit = UInt64(1) << UInt64(rc & 63)
                switch rc >> 6 {
                case 0: classes.0 |= bit
                case 1: classes.1 |= bit
                case 2: classes.2 |= bit
                default: classes.3 |= bit
                }
            }
            var all = false
            switch a.scopes {
            case .all: all = true
            case .only(let list): for s in list { _ = try scopes.add(Self.scopeKey(authority: a.authorityID, scope: s)) }
            }
            for (epoch, material) in a.keys {
                let pos = try byEpoch.add(Self.key(authority: a.authorityID, epoch: epoch))
                precondition(pos < slots, "rte_hash position beyond the value array")
                entries[pos] = AuthorityEntry(authority: a.authorityID, maxTrust: a.maxTrustLevel,
                                              maxLifetime: a.maxLifetimeSeconds, allScopes: all, routeClasses: classes)
                material.withUnsafeBytes { gov_cmac_key_expand(keys + pos, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
            }
        }
    }

    deinit {
        gov_wipe(keys, slots * MemoryLayout<gov_cmac_key>.stride)
        UnsafeMutableRawPointer(keys).deallocate()
        entries.deallocate()
    }

    /// For a miss of (authority, epoch): whether the authority is known at all.
    public func knowsAuthority(_ authority: UInt32) -> Bool {
        known.lookup(UInt64(authority)) >= 0
    }

    /// Whether `authority` (limited to some scopes) may vouch for `scope`.
    @inline(__always)
    public func entitles(authority: UInt32, scope: UInt32) -> Bool {
        scopes.lookup(Self.scopeKey(authority: authority, scope: scope)) >= 0
    }
}
