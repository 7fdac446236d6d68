import CDPDK

/// An `rte_hash` of 8-byte keys. A lookup returns a position; the position indexes a value
/// array the caller owns, so the hash stores no pointers (l3fwd_em.c `setup_hash`).
///
/// Keys are `UInt64`s built by the table that owns the hash (for example
/// `authority << 16 | epoch`); CRC32 hashing, lookups are lock-free for readers.
public final class HashTable: @unchecked Sendable {
    public let name: String
    let hash: OpaquePointer

    /// Creates a table with room for `capacity` keys, or throws with rte_errno's text.
    public init(name: String, capacity: Int, socket: Int32 = -1) throws {
        // rte_hash names are global in the process and at most 32 bytes.
        let unique = "\(name.prefix(16))_\(HashTable.nextSerial())"
        guard let h = cdpdk_hash_create(unique, UInt32(max(capacity, 8)), 8, socket) else {
            throw TableError("cannot create table \(name) for \(capacity) keys: \(dpdkError(cdpdk_errno()))")
        }
        self.name = name
        hash = h
    }

    deinit { cdpdk_hash_free(hash) }

    private static var serial = 0
    private static func nextSerial() -> Int {
        serial += 1
        return serial
    }

    /// Adds `key` (or finds it) and returns its position.
    public func add(_ key: UInt64) throws -> Int {
        var k = key
        let pos = cdpdk_hash_add(hash, &k)
        guard pos >= 0 else { throw TableError("table \(name) is full (adding key \(key)): \(dpdkError(-pos))") }
        return Int(pos)
    }

    /// The position of `key`, or -1.
    @inline(__always)
    public func lookup(_ key: UInt64) -> Int32 {
        var k = key
        let pos = cdpdk_hash_lookup(hash, &k)
        return pos >= 0 ? pos : -1
    }

    /// Looks up `count` keys (at most `CDPDK_HASH_LOOKUP_BULK_MAX`) in one call; `keyPointers[i]`
    /// points at key i. Positions of misses are negative.
    @inline(__always)
    public func lookupBulk(_ keyPointers: UnsafeMutablePointer<UnsafeRawPointer?>, count: Int,
                           positions: UnsafeMutablePointer<Int32>) {
        if count == 0 { return }
        _ = cdpdk_hash_lookup_bulk(hash, keyPointers, UInt32(count), positions)
    }

    public var count: Int { Int(cdpdk_hash_count(hash)) }
}

/// A table that cannot be built (full, no memory). The message names the table.
public struct TableError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Per-burst scratch for bulk lookups: up to `capacity` distinct keys, each with its position
/// (the verify stage's (authority, epoch) keys and the capability ids the revocation filter
/// could not rule out). Packets of a burst mostly share authority and epoch, so each distinct
/// key is looked up once (DESIGN.md section 5); and a burst of one key that one of the last
/// few such bursts had is not looked up again (a table never changes under its pipeline: a
/// reload builds new tables and new scratch). Bursts from several ports alternate between a
/// few keys, one per ingress port, hence a few remembered rather than one.
public struct DistinctKeys {
    public let capacity: Int
    public let keys: UnsafeMutablePointer<UInt64>
    public let pointers: UnsafeMutablePointer<UnsafeRawPointer?>
    public let positions: UnsafeMutablePointer<Int32>
    public private(set) var count = 0
    /// The key added last, kept out of memory: runs of one key are the common case.
    var last: UInt64 = 0
    /// The one key of recent single-key bursts and its position; `memoCount` are valid.
    static let memoSlots = 4
    let memoKeys: UnsafeMutablePointer<UInt64>
    let memoPositions: UnsafeMutablePointer<Int32>
    var memoCount = 0
    var memoNext = 0

    public init(capacity: Int) {
        precondition(capacity > 0 && capacity <= Int(CDPDK_HASH_LOOKUP_BULK_MAX))
        self.capacity = capacity
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        pointers = .allocate(capacity: capacity)
        for i in 0..<capacity { pointers[i] = UnsafeRawPointer(keys + i) }
        positions = .allocate(capacity: capacity)
        positions.initialize(repeating: -1, count: capacity)
        memoKeys = .allocate(capacity: Self.memoSlots)
        memoKeys.initialize(repeating: 0, count: Self.memoSlots)
        memoPositions = .allocate(capacity: Self.memoSlots)
        memoPositions.initialize(repeating: -1, count: Self.memoSlots)
    }

    /// Frees the scratch; call once, when the owner goes away.
    public func deallocate() {
        keys.deallocate()
        pointers.deallocate()
        positions.deallocate()
        memoKeys.deallocate()
        memoPositions.deallocate()
    }

    @inline(__always) public mutating func reset() { count = 0 }

    /// The slot of `key`, adding it if it is new in this burst. Checks the last key first,
    /// the common case of a run of packets from one flow.
    @inline(__always)
    public mutating func slot(for key: UInt64) -> Int {
        if count > 0 && last == key { return count &- 1 }
        var i = 0
        while i < count {
            if keys[i] == key { return i }
            i &+= 1
        }
        keys[count] = key
        last = key
        count &+= 1
        return count &- 1
    }

    /// Looks every distinct key up in `table`, one bulk call (none for a burst of one key
    /// that a recent such burst had).
    @inline(__always)
    public mutating func lookup(in table: HashTable) {
        guard count == 1 else {
            table.lookupBulk(pointers, count: count, positions: positions)
            return
        }
        let key = keys[0]
        var m = 0
        while m < memoCount {
            if memoKeys[m] == key {
                positions[0] = memoPositions[m]
                return
            }
            m &+= 1
        }
        table.lookupBulk(pointers, count: 1, positions: positions)
        memoKeys[memoNext] = key
        memoPositions[memoNext] = positions[0]
        memoNext = memoNext &+ 1 == Self.memoSlots ? 0 : memoNext &+ 1
        if memoCount < Self.memoSlots { memoCount &+= 1 }
    }
}
