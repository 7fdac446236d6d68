import Pipeline
import XCTest

/// The revocation list: its filter never misses a revoked id (no false negatives), rules out
/// nearly every other id, and the table behind it is exact.
final class RevocationTableTests: XCTestCase {
    func testFilterHasNoFalseNegativesAndFewFalsePositives() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let revoked = (0..<100_000).map { 0x5E00_0000_0000_0000 as UInt64 + UInt64($0) * 7919 }
        let table = try RevocationTable(revoked)
        XCTAssertEqual(table.count, revoked.count)
        for id in revoked {
            XCTAssertTrue(table.mayContain(id), "filter misses revoked id \(id)")
            XCTAssertTrue(table.contains(id))
        }
        // Ids as traffic carries them: consecutive from a base, and random.
        var rng = SeededRandom(seed: 5)
        let others = (0..<100_000).map { 1 + UInt64($0) } + (0..<100_000).map { _ in UInt64.random(in: .min ... .max, using: &rng) }
        let revokedSet = Set(revoked)
        var positives = 0
        for id in others where !revokedSet.contains(id) {
            if table.mayContain(id) { positives += 1 }
            XCTAssertFalse(table.contains(id))
        }
        // 16 bits per id in 64-bit blocks, 3 bits each: about 1% (2% would mean a broken hash).
        XCTAssertLessThan(Double(positives) / Double(others.count), 0.02, "\(positives) false positives")
    }

    /// Ids that differ only in some of their bits (a counter shifted into the high bits, a
    /// fixed low part) spread over the filter as well as sequential ones.
    func testFilterSpreadsStructuredIds() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        var rng = SeededRandom(seed: 17)
        for shift: UInt64 in [0, 16, 40, 44] {
            var revoked = Set<UInt64>()
            while revoked.count < 100_000 { revoked.insert(UInt64.random(in: 0..<(1 << 20), using: &rng) << shift | 5) }
            let table = try RevocationTable(Array(revoked))
            var positives = 0, queries = 0
            while queries < 100_000 {
                let id = UInt64.random(in: 0..<(1 << 20), using: &rng) << shift | 5
                if revoked.contains(id) { continue }
                queries += 1
                if table.mayContain(id) { positives += 1 }
            }
            XCTAssertLessThan(Double(positives) / Double(queries), 0.02, "ids k << \(shift) | 5: \(positives) false positives")
        }
    }

    func testEmptyListRevokesNothing() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let table = try RevocationTable([])
        XCTAssertEqual(table.count, 0)
        for id: UInt64 in [0, 1, 42, .max] { XCTAssertFalse(table.contains(id)) }
    }
}

/// The per-burst distinct-key scratch: one slot per distinct key, positions from one bulk
/// lookup, and a burst repeating the previous burst's one key answered without a lookup.
final class DistinctKeysTests: XCTestCase {
    func testSlotsAndPositionsAcrossBursts() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let table = try HashTable(name: "test_distinct", capacity: 64)
        let a = try table.add(100), b = try table.add(200)
        var keys = DistinctKeys(capacity: 32)
        defer { keys.deallocate() }

        // A burst of two keys, interleaved, and one unknown.
        keys.reset()
        XCTAssertEqual([100, 100, 200, 100, 300, 200].map { keys.slot(for: $0) }, [0, 0, 1, 0, 2, 1])
        keys.lookup(in: table)
        let found = UnsafeBufferPointer(start: keys.positions, count: keys.count).map { $0 >= 0 ? $0 : -1 }
        XCTAssertEqual(found, [Int32(a), Int32(b), -1], "misses are negative")

        // Bursts of one key: looked up, then remembered (a few of them, unknown ones too),
        // alternating between keys as bursts from several ports do.
        let more = try (0..<6).map { try table.add(1000 + UInt64($0)) }
        var sequence: [(UInt64, Int32)] = [(200, Int32(b)), (200, Int32(b)), (100, Int32(a)), (200, Int32(b)),
                                           (100, Int32(a)), (300, -1), (300, -1), (200, Int32(b))]
        // More keys than are remembered, then the first ones again.
        sequence += more.enumerated().map { (1000 + UInt64($0.offset), Int32($0.element)) }
        sequence += [(200, Int32(b)), (100, Int32(a)), (300, -1)]
        for (key, expected) in sequence {
            keys.reset()
            for _ in 0..<5 { XCTAssertEqual(keys.slot(for: key), 0) }
            keys.lookup(in: table)
            XCTAssertEqual(keys.count, 1)
            XCTAssertEqual(keys.positions[0] >= 0 ? keys.positions[0] : -1, expected, "key \(key)")
        }

        // A remembered burst is not looked up again: a key added to the table after its miss
        // was remembered still reads as a miss (a pipeline's tables never change; a reload
        // builds new tables and new scratch).
        keys.reset()
        _ = keys.slot(for: 300)
        keys.lookup(in: table)
        XCTAssertLessThan(keys.positions[0], 0)
        _ = try table.add(300)
        keys.reset()
        _ = keys.slot(for: 300)
        keys.lookup(in: table)
        XCTAssertLessThan(keys.positions[0], 0, "answered from memory, not from the table")
    }
}

/// The parse stage compares a header's (authority, epoch) as it lies on the wire with the
/// key the verify stage looked up last: the two forms agree for every pair, and nothing of
/// the neighbouring fields leaks into the wire form.
final class AuthorityKeyTests: XCTestCase {
    func testWireKeyAgreesWithKey() {
        var rng = SeededRandom(seed: 0x3E)
        let edges: [(UInt32, UInt16)] = [(0, 0), (.max, .max), (0, .max), (.max, 0), (1, 1), (0x0102_0304, 0x0506)]
        let pairs = edges + (0..<20_000).map { _ in
            (UInt32.random(in: .min ... .max, using: &rng), UInt16.random(in: .min ... .max, using: &rng))
        }
        for (authority, epoch) in pairs {
            var h = GovHeader()
            h.hopBudget = UInt8.random(in: .min ... .max, using: &rng)
            h.scope = ScopeID(UInt32.random(in: .min ... .max, using: &rng))
            h.trust = TrustLevel(UInt8.random(in: .min ... .max, using: &rng))
            h.routeClass = RouteClass(UInt8.random(in: .min ... .max, using: &rng))
            h.authority = AuthorityID(authority)
            h.epoch = KeyEpoch(epoch)
            h.expiry = UInt32.random(in: .min ... .max, using: &rng)
            let key = AuthorityTable.key(authority: authority, epoch: epoch)
            XCTAssertEqual(AuthorityTable.wireKey(h.wire), AuthorityTable.wireKey(key: key), "\(authority)/\(epoch)")
            XCTAssertLessThan(AuthorityTable.wireKey(key: key), 1 << 48)
        }
        // A different authority or epoch gives a different wire key.
        let a = AuthorityTable.wireKey(key: AuthorityTable.key(authority: 7, epoch: 2))
        XCTAssertNotEqual(a, AuthorityTable.wireKey(key: AuthorityTable.key(authority: 7, epoch: 3)))
        XCTAssertNotEqual(a, AuthorityTable.wireKey(key: AuthorityTable.key(authority: 8, epoch: 2)))
        XCTAssertNotEqual(a, AuthorityTable.wireKey(key: AuthorityTable.key(authority: 2, epoch: 7)))
    }
}
