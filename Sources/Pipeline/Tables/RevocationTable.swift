/// Revoked capability ids: a Bloom filter in front of an `rte_hash` (DESIGN.md section 5:
/// keep revocation misses cheap). Almost every packet is not revoked; the filter answers
/// "not revoked" for it from one 64-bit word, and only the few ids the filter cannot rule
/// out (the revoked ones, and about 0.5% false positives) are looked up in the table, in one
/// bulk call per burst.
///
/// The filter is blocked (Putze, Sanders, Singler 2007): an id's three bits lie in one
/// 64-bit word, so a test is one load, and the parse stage prefetches that word a stage
/// ahead of the test (``Filter/wordAddress(hash:)``). 16 bits per revoked id, rounded up to a power
/// of two: 256 KiB for 100 000 ids.
public final class RevocationTable: @unchecked Sendable {
    /// Every revoked capability id; the filter is tested first.
    public let hash: HashTable
    let words: UnsafeMutablePointer<UInt64>
    /// `words` has `1 << (64 - wordShift)` entries.
    let wordShift: UInt64
    /// Chosen at random per table, so that nobody can compute ids that collide in it.
    let seed: UInt64

    public init(_ revoked: [UInt64]) throws {
        hash = try HashTable(name: "gov_revoked", capacity: max(revoked.count * 5 / 4, 64))
        var bits: UInt64 = 6                          // at least 64 words
        while (1 << bits) * 64 < UInt64(revoked.count) * 16 { bits += 1 }
        wordShift = 64 - bits
        seed = UInt64.random(in: .min ... .max) | 1
        words = .allocate(capacity: 1 << Int(bits))
        words.initialize(repeating: 0, count: 1 << Int(bits))
        for id in revoked {
            _ = try hash.add(id)
            let (word, mask) = filter.probe(hash: filter.hash(id))
            words[word] |= mask
        }
    }

    deinit { words.deallocate() }

    public var count: Int { hash.count }

    /// The filter as a value, for a stage's loop (held in a local, its fields stay in
    /// registers; see ``BurstState``).
    public var filter: Filter { Filter(words: words, wordShift: wordShift, seed: seed) }

    /// False when `id` is certainly not revoked; true when it may be (look it up).
    @inline(__always)
    public func mayContain(_ id: UInt64) -> Bool { filter.mayContain(id) }

    public struct Filter {
        let words: UnsafeMutablePointer<UInt64>
        let wordShift: UInt64
        let seed: UInt64

        /// The seeded mix of `id` that places it in the filter: multiply, xorshift by 29,
        /// multiply (the shape of SplitMix64's output function, without its outer xorshifts).
        /// Id bit k reaches the bits of the mix from k - 29 up, so every id bit reaches the
        /// word index (the top bits); ids that differ only in their high bits spread over the
        /// words as well as sequential ones (`RevocationTableTests`). Only false positives,
        /// so speed, depend on the mix, never a verdict. The parse stage computes it once per
        /// packet, to prefetch the word; the verify stage tests the same value.
        @inline(__always)
        public func hash(_ id: UInt64) -> UInt64 {
            let z = (id ^ seed) &* SplitMix64.multiplier1
            return (z ^ (z >> 29)) &* SplitMix64.multiplier2
        }

        /// The word of a hash and its three bits in it: the top bits choose the word, the 18
        /// bits below them the three bits (6 each).
        @inline(__always)
        func probe(hash z: UInt64) -> (Int, UInt64) {
            // Masking shifts: `wordShift` is 18...58 (at least 64 words, far fewer than 2^46),
            // so neither shift reaches 64, and `>>` would only add its overshift checks.
            let word = Int(truncatingIfNeeded: z &>> wordShift)
            let low = z &>> (wordShift &- 18)
            let mask = (1 as UInt64) &<< (low & 63) | (1 as UInt64) &<< ((low >> 6) & 63) | (1 as UInt64) &<< ((low >> 12) & 63)
            return (word, mask)
        }

        /// The word `mayContain(hash:)` reads, for prefetching.
        @inline(__always)
        public func wordAddress(hash: UInt64) -> UnsafeRawPointer {
            UnsafeRawPointer(words + probe(hash: hash).0)
        }

        /// False when the id of `hash` is certainly not revoked; true when it may be (look it up).
        @inline(__always)
        public func mayContain(hash: UInt64) -> Bool {
            let (word, mask) = probe(hash: hash)
            return words[word] & mask == mask
        }

        /// False when `id` is certainly not revoked; true when it may be (look it up).
        @inline(__always)
        public func mayContain(_ id: UInt64) -> Bool { mayContain(hash: hash(id)) }
    }

    /// Exact membership (the filter, then the table).
    public func contains(_ id: UInt64) -> Bool { mayContain(id) && hash.lookup(id) >= 0 }
}
