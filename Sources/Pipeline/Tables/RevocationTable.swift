/// Revoked capability ids: a Bloom filter in front of an `rte_hash` (DESIGN.md section 5:
/// keep revocation misses cheap). Almost every packet is not revoked; the filter answers
/// "not revoked" for it with three bit tests in memory the worker keeps warm, and only the
/// few ids the filter cannot rule out (the revoked ones, and about 0.5% false positives)
/// are looked up in the table, in one bulk call per burst.
public final class RevocationTable: @unchecked Sendable {
    let hash: HashTable
    /// The filter: `mask + 1` bits (a power of two, about 16 per revoked id).
    let bits: UnsafeMutablePointer<UInt64>
    let mask: UInt64
    let words: Int

    public init(_ revoked: [UInt64]) throws {
        hash = try HashTable(name: "gov_revoked", capacity: max(revoked.count * 5 / 4, 64))
        var size: UInt64 = 1 << 12
        while size < UInt64(revoked.count) * 16 { size <<= 1 }
        mask = size - 1
        words = Int(size / 64)
        bits = .allocate(capacity: words)
        bits.initialize(repeating: 0, count: words)
        for id in revoked {
            _ = try hash.add(id)
            let (a, b) = Self.probes(id)
            for j in 0..<3 {
                let bit = (a &+ UInt64(j) &* b) & mask
                bits[Int(bit >> 6)] |= 1 << (bit & 63)
            }
        }
    }

    deinit { bits.deallocate() }

    public var count: Int { hash.count }

    /// Two probe values from one mix of the id; the three filter bits are `a`, `a + b`,
    /// `a + 2b` (double hashing).
    @inline(__always)
    static func probes(_ id: UInt64) -> (UInt64, UInt64) {
        let z = SplitMix64.mix(id &+ 0x9E37_79B9_7F4A_7C15)
        return (z, (z >> 32) | 1)
    }

    /// False when `id` is certainly not revoked; true when it may be (look it up).
    @inline(__always)
    public func mayContain(_ id: UInt64) -> Bool {
        let (a, b) = Self.probes(id)
        let b0 = a & mask, b1 = (a &+ b) & mask, b2 = (a &+ b &+ b) & mask
        return bits[Int(b0 >> 6)] & (1 << (b0 & 63)) != 0
            && bits[Int(b1 >> 6)] & (1 << (b1 & 63)) != 0
            && bits[Int(b2 >> 6)] & (1 << (b2 & 63)) != 0
    }

    /// Exact membership (the filter, then the table).
    public func contains(_ id: UInt64) -> Bool { mayContain(id) && hash.lookup(id) >= 0 }
}
