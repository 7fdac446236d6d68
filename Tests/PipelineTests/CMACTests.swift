import CDPDK
import Crypto
@testable import Pipeline
import XCTest
import _CryptoExtras

/// The AES-NI CMAC of Sources/CDPDK/govcmac.c against RFC 4493, against itself (burst
/// against single message) and against swift-crypto's AES.CMAC (BoringSSL).
final class CMACTests: XCTestCase {
    let rfcKey = HexBytes.decode("2b7e151628aed2a6abf7158809cf4f3c")!
    let rfcMessage = HexBytes.decode("""
        6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
        30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710
        """)!

    func testCPUHasAESNI() {
        XCTAssertTrue(gov_cmac_cpu_supported())
    }

    /// RFC 4493 section 4: subkeys and the four examples (0, 16, 40 and 64 bytes).
    func testRFC4493Examples() throws {
        let key = try XCTUnwrap(CMACKey(bytes: rfcKey))
        let k1 = withUnsafeBytes(of: key.expanded.pointee.k1) { Array($0) }
        let k2 = withUnsafeBytes(of: key.expanded.pointee.k2) { Array($0) }
        XCTAssertEqual(HexBytes.encode(k1), "fbeed618357133667c85e08f7236a8de")
        XCTAssertEqual(HexBytes.encode(k2), "f7ddac306ae266ccf90bc11ee46d513b")
        let examples: [(Int, String)] = [
            (0, "bb1d6929e95937287fa37d129b756746"),
            (16, "070a16b46b4d4144f79bdd9dd04a287c"),
            (40, "dfa66747de9ae63030ca32611497c827"),
            (64, "51f0bebf7e3b9d92fc49741779363cfe"),
        ]
        for (length, tag) in examples {
            XCTAssertEqual(HexBytes.encode(key.tag(of: Array(rfcMessage[0..<length]))), tag, "length \(length)")
        }
    }

    func testFixedLengthEntryPointsMatchGeneric() throws {
        let key = try XCTUnwrap(CMACKey(bytes: rfcKey))
        var tag3 = [UInt8](repeating: 0, count: 16), tag4 = tag3
        rfcMessage.withUnsafeBufferPointer { m in
            gov_cmac_3(key.expanded, m.baseAddress!, &tag3)
            gov_cmac_4(key.expanded, m.baseAddress!, &tag4)
        }
        XCTAssertEqual(tag3, key.tag(of: Array(rfcMessage[0..<48])))
        XCTAssertEqual(HexBytes.encode(tag4), "51f0bebf7e3b9d92fc49741779363cfe")
    }

    func testTagEqualIsExact() {
        var rng = SeededRandom(seed: 1)
        let a = rng.bytes(16)
        XCTAssertTrue(gov_tag_equal(a, a))
        for byte in 0..<16 {
            for bit in 0..<8 {
                var b = a
                b[byte] ^= UInt8(1 << bit)
                XCTAssertFalse(gov_tag_equal(a, b), "byte \(byte) bit \(bit)")
            }
        }
    }

    /// The burst comparison the verify stage uses: every message's tag against its packet's,
    /// right only when all 16 bytes are; a flipped bit anywhere, in either half, makes it 0.
    /// Every path of the burst code: 3- and 4-block messages alternating (eight lanes, mixed
    /// lengths, compared after storing), 3 or 4 blocks under two keys (eight lanes, one length),
    /// 3 or 4 blocks under one key in 32, 24 or 20 messages (on a CPU with VAES, groups of
    /// sixteen, then the 8 left of 24 in eight lanes of one key and the 4 left of 20 in a
    /// partial group; without VAES, eight lanes and a partial group), and block counts out of
    /// range (computed one by one, clamped).
    func testComputeAndCompareFlagsEveryWrongBit() throws {
        var rng = SeededRandom(seed: 3)
        let keys = [CMACKey(bytes: rng.bytes(16))!, CMACKey(bytes: rng.bytes(16))!]
        let burst = MACBurst(capacity: 32)
        let packetTags = UnsafeMutablePointer<UInt8>.allocate(capacity: 32 * 16)
        defer { packetTags.deallocate() }
        struct Layout { var name: String; var count: Int; var blocks: (Int) -> UInt8; var key: (Int) -> Int }
        let layouts = [Layout(name: "alternating", count: 32, blocks: { $0 % 2 == 0 ? 3 : 4 }, key: { _ in 0 }),
                       Layout(name: "two keys", count: 32, blocks: { _ in 3 }, key: { $0 % 2 }),
                       Layout(name: "two keys, 4 blocks", count: 32, blocks: { _ in 4 }, key: { $0 % 2 }),
                       Layout(name: "3 blocks", count: 32, blocks: { _ in 3 }, key: { _ in 0 }),
                       Layout(name: "4 blocks", count: 32, blocks: { _ in 4 }, key: { _ in 0 }),
                       Layout(name: "24 of 3 blocks", count: 24, blocks: { _ in 3 }, key: { _ in 0 }),
                       Layout(name: "24 of 4 blocks", count: 24, blocks: { _ in 4 }, key: { _ in 0 }),
                       Layout(name: "20 of 3 blocks", count: 20, blocks: { _ in 3 }, key: { _ in 0 }),
                       Layout(name: "out of range", count: 32, blocks: { $0 % 3 == 0 ? 5 : 3 }, key: { _ in 0 })]
        for layout in layouts {
            let count = layout.count
            for i in 0..<count {
                burst.slot(i).copyMemory(from: rng.bytes(64), byteCount: 64)
                burst.blockCounts[i] = layout.blocks(i)
                burst.keys[i] = keys[layout.key(i)].expanded
                burst.packetTags[i] = UnsafePointer(packetTags + i * 16)
            }
            burst.compute(count: count)
            let computed = [UInt8](UnsafeRawBufferPointer(start: burst.tags, count: count * 16))
            for round in 0..<129 {
                // Round 0: every packet tag right. Then bit k = round - 1 of the 128 wrong (byte
                // k / 8, bit k % 8), in message k % count: every bit position once.
                packetTags.update(from: computed, count: count * 16)
                let wrong = round == 0 ? -1 : (round - 1) % count
                if wrong >= 0 { packetTags[wrong * 16 + (round - 1) / 8] ^= UInt8(1 << ((round - 1) % 8)) }
                burst.computeAndCompare(count: count)
                XCTAssertEqual([UInt8](UnsafeRawBufferPointer(start: burst.tags, count: count * 16)), computed, layout.name)
                for i in 0..<count {
                    XCTAssertEqual(burst.equal[i], i == wrong ? 0 : 1, "\(layout.name) round \(round) message \(i)")
                    XCTAssertEqual(burst.verify(i, against: packetTags + i * 16), i != wrong,
                                   "\(layout.name) round \(round) message \(i)")
                }
            }
        }
    }

    /// Thousands of random keys and messages of every length 0-100 bytes against BoringSSL.
    func testMatchesSwiftCryptoOnRandomInputs() throws {
        var rng = SeededRandom(seed: 4493)
        for i in 0..<4000 {
            let keyBytes = rng.bytes(16)
            let message = rng.bytes(i < 101 ? i : Int.random(in: 0...100, using: &rng))
            var reference = try AES.CMAC(key: SymmetricKey(data: keyBytes))
            reference.update(data: message)
            let expected = reference.finalize().withUnsafeBytes { Array($0) }
            let key = try XCTUnwrap(CMACKey(bytes: keyBytes))
            XCTAssertEqual(key.tag(of: message), expected, "key \(HexBytes.encode(keyBytes)) length \(message.count)")
        }
    }

    /// Random bursts of 0-32 messages mixing 1-4 blocks and three keys, plus uniform bursts
    /// that take the one-key fast paths (16 lanes on a CPU with VAES, 8 otherwise), and
    /// bursts uniform only for their first 20, against one message at a time.
    func testBurstMatchesSingleMessage() throws {
        var rng = SeededRandom(seed: 32)
        let keys = (0..<3).map { _ in CMACKey(bytes: rng.bytes(16))! }
        let burst = MACBurst(capacity: 32)
        for round in 0..<600 {
            let n = round < 3 ? [0, 1, 32][round] : Int.random(in: 1...32, using: &rng)
            // 0: mixed; 1: all 3 blocks one key; 2: all 4 blocks one key; 3: 3/4, mixed keys;
            // 4: 3 blocks, one key for the first 20, then any key.
            let kind = round % 5
            for i in 0..<n {
                let blocks: UInt8 = switch kind {
                case 0: UInt8.random(in: 1...4, using: &rng)
                case 1, 4: 3
                case 2: 4
                default: Bool.random(using: &rng) ? 3 : 4
                }
                let uniform = kind == 1 || kind == 2 || (kind == 4 && i < 20)
                let key = uniform ? keys[round % 3] : keys[Int.random(in: 0..<3, using: &rng)]
                burst.slot(i).copyMemory(from: rng.bytes(64), byteCount: 64)
                burst.blockCounts[i] = blocks
                burst.keys[i] = key.expanded
            }
            burst.compute(count: n)
            for i in 0..<n {
                var expected = [UInt8](repeating: 0, count: 16)
                gov_cmac(burst.keys[i]!, burst.slot(i).assumingMemoryBound(to: UInt8.self), 16 * Int(burst.blockCounts[i]),
                         &expected)
                let got = Array(UnsafeRawBufferPointer(start: burst.tag(i), count: 16))
                XCTAssertEqual(got, expected, "round \(round) message \(i) of \(n), \(burst.blockCounts[i]) blocks")
            }
        }
    }

    /// Bursts of 32 that are uniform except for one message (another key or length) at each
    /// position: the groups of sixteen (with VAES) or eight around it fall back correctly.
    func testBurstWithOneOddMessageAtEveryPosition() throws {
        var rng = SeededRandom(seed: 33)
        let keys = (0..<2).map { _ in CMACKey(bytes: rng.bytes(16))! }
        let burst = MACBurst(capacity: 32)
        for odd in 0..<32 {
            for oddLength in [false, true] {
                for i in 0..<32 {
                    burst.slot(i).copyMemory(from: rng.bytes(64), byteCount: 64)
                    burst.blockCounts[i] = i == odd && oddLength ? 4 : 3
                    burst.keys[i] = (i == odd && !oddLength ? keys[1] : keys[0]).expanded
                }
                burst.compute(count: 32)
                for i in 0..<32 {
                    var expected = [UInt8](repeating: 0, count: 16)
                    gov_cmac(burst.keys[i]!, burst.slot(i).assumingMemoryBound(to: UInt8.self),
                             16 * Int(burst.blockCounts[i]), &expected)
                    XCTAssertEqual(Array(UnsafeRawBufferPointer(start: burst.tag(i), count: 16)), expected,
                                   "odd message at \(odd) (\(oddLength ? "length" : "key")), message \(i)")
                }
            }
        }
    }

    /// A full group of one key (16 messages on the VAES path, 8 on the others) whose messages
    /// all begin with one block starts from the state an entry of `gov_cmac_first_blocks`
    /// holds for that block and key, one block in; on a miss it runs from the start and fills
    /// the next entry; a group whose messages begin differently leaves the entries alone.
    /// Sequences of bursts that change one thing at a time (the key; the first block of one
    /// message, at every position; the length; the count, so that groups of sixteen, eight and
    /// fewer form; the shared block; two blocks in turn, as from two ports, and more blocks in
    /// turn than there are entries; another key copied or expanded at the same address, as when
    /// a freed key's memory is reused; a key with id 0), through both entry points, against
    /// one message at a time.
    /// States planted in the entries show that the groups of sixteen and of eight do start
    /// from them, one entry per block.
    func testBurstsStartFromTheFirstBlockTheyShare() throws {
        var rng = SeededRandom(seed: 16)
        let keys = (0..<3).map { _ in CMACKey(bytes: rng.bytes(16))! }
        let burst = MACBurst(capacity: 32)
        let packetTags = UnsafeMutablePointer<UInt8>.allocate(capacity: 32 * 16)
        defer { packetTags.deallocate() }
        var shared = rng.bytes(16)
        var expected = [[UInt8]]()

        /// Fills `n` messages that begin with `shared` (message `odd`, or with `odd` -1 every
        /// message, with one bit of it flipped) and returns the tags computed one message at a time.
        func fill(_ n: Int, key: CMACKey, blocks: UInt8, odd: Int?) -> [[UInt8]] {
            (0..<n).map { i in
                var message = shared + rng.bytes(48)
                if i == odd || odd == -1 {
                    message[Int.random(in: 0..<16, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                }
                burst.slot(i).copyMemory(from: message, byteCount: 64)
                burst.blockCounts[i] = blocks
                burst.keys[i] = key.expanded
                var tag = [UInt8](repeating: 0, count: 16)
                gov_cmac(key.expanded, message, 16 * Int(blocks), &tag)
                return tag
            }
        }
        func tags(_ n: Int) -> [[UInt8]] { (0..<n).map { Array(UnsafeRawBufferPointer(start: burst.tag($0), count: 16)) } }
        func check(_ n: Int, key: CMACKey, blocks: UInt8, odd: Int? = nil, _ what: String) {
            expected = fill(n, key: key, blocks: blocks, odd: odd)
            if n % 2 == 0 {
                burst.compute(count: n)
            } else {
                // The verify stage's entry point, every third packet's tag wrong in its last byte.
                for i in 0..<n {
                    packetTags.advanced(by: i * 16).update(from: expected[i], count: 16)
                    if i % 3 == 0 { packetTags[i * 16 + 15] ^= 0x80 }
                    burst.packetTags[i] = UnsafePointer(packetTags + i * 16)
                }
                burst.computeAndCompare(count: n)
                for i in 0..<n { XCTAssertEqual(burst.equal[i], i % 3 == 0 ? 0 : 1, "\(what): message \(i) compared") }
            }
            XCTAssertEqual(tags(n), expected, what)
        }
        // `entries` lies at the start of gov_cmac_first_blocks.
        let entries = UnsafeMutableBufferPointer(
            start: UnsafeMutableRawPointer(burst.firstBlocks).assumingMemoryBound(to: gov_cmac_first_block.self),
            count: Int(GOV_CMAC_FIRST_BLOCKS))
        /// The entries that hold `block` under `key`.
        func holding(_ block: [UInt8], _ key: CMACKey) -> [Int] {
            entries.indices.filter {
                entries[$0].key_id == key.expanded.pointee.id && withUnsafeBytes(of: entries[$0].block) { Array($0) } == block
            }
        }

        for blocks: UInt8 in [3, 4] {
            check(32, key: keys[0], blocks: blocks, "\(blocks) blocks: first burst")
            XCTAssertEqual(holding(shared, keys[0]).count, 1, "the first burst fills an entry")
            check(32, key: keys[0], blocks: blocks, "\(blocks) blocks: shared")
            check(32, key: keys[1], blocks: blocks, "\(blocks) blocks: another key")
            check(32, key: keys[1], blocks: blocks, "\(blocks) blocks: the other key, shared")
            for odd in 0..<32 {
                check(32, key: keys[1], blocks: blocks, odd: odd, "\(blocks) blocks: one first block differs at \(odd)")
            }
            for n in [1, 7, 8, 9, 15, 16, 17, 24, 31, 32] {
                check(n, key: keys[1], blocks: blocks, "\(blocks) blocks: \(n) messages")
                check(n, key: keys[1], blocks: blocks, odd: n - 1, "\(blocks) blocks: \(n) messages, the last differs")
            }
            shared = rng.bytes(16)
            check(32, key: keys[1], blocks: blocks, "\(blocks) blocks: a new first block")
            check(24, key: keys[1], blocks: blocks, "\(blocks) blocks: the new first block, shared")
        }
        // Groups whose messages begin differently leave the entries alone: every first block
        // differs, or one in a group of eight.
        let before = (0..<entries.count).map { withUnsafeBytes(of: entries[$0]) { Array($0) } }
        check(32, key: keys[2], blocks: 3, odd: -1, "every first block differs, a new key")
        for odd in [0, 5, 7] { check(8, key: keys[2], blocks: 3, odd: odd, "one first block of 8 differs at \(odd), a new key") }
        XCTAssertEqual((0..<entries.count).map { withUnsafeBytes(of: entries[$0]) { Array($0) } }, before,
                       "groups that begin differently fill no entry")
        // Two first blocks in turn, then more in turn than there are entries.
        for count in [2, Int(GOV_CMAC_FIRST_BLOCKS) + 1] {
            let blocks = (0..<count).map { _ in rng.bytes(16) }
            for round in 0..<3 * count {
                shared = blocks[round % count]
                check(32, key: keys[0], blocks: 3, "\(count) first blocks in turn, round \(round)")
            }
        }
        check(32, key: keys[1], blocks: 4, "before the key's contents change")
        UnsafeMutablePointer(mutating: keys[1].expanded).update(from: keys[2].expanded, count: 1)
        check(32, key: keys[1], blocks: 4, "another expanded key copied to the same address")
        check(32, key: keys[1], blocks: 4, "the copied key, shared")
        rng.bytes(16).withUnsafeBufferPointer { gov_cmac_key_expand(UnsafeMutablePointer(mutating: keys[1].expanded), $0.baseAddress!) }
        check(32, key: keys[1], blocks: 4, "another key expanded at the same address")
        check(32, key: keys[1], blocks: 4, "the key expanded there, shared")

        // A key with id 0 (not expanded by gov_cmac_key_expand) uses no entry, not even an
        // empty one, which holds block 0 and state 0 under id 0.
        let bare = UnsafeMutablePointer<gov_cmac_key>.allocate(capacity: 1)
        defer { bare.deallocate() }
        rng.bytes(16).withUnsafeBufferPointer { gov_cmac_key_expand(bare, $0.baseAddress!) }
        bare.pointee.id = 0
        let empty = MACBurst(capacity: 32)
        for round in 0..<2 {
            var zeroTags = [[UInt8]]()
            for i in 0..<32 {
                let message = [UInt8](repeating: 0, count: 16) + rng.bytes(48)
                empty.slot(i).copyMemory(from: message, byteCount: 64)
                empty.blockCounts[i] = 3
                empty.keys[i] = UnsafePointer(bare)
                var tag = [UInt8](repeating: 0, count: 16)
                gov_cmac(bare, message, 48, &tag)
                zeroTags.append(tag)
            }
            empty.compute(count: 32)
            XCTAssertEqual((0..<32).map { Array(UnsafeRawBufferPointer(start: empty.tag($0), count: 16)) }, zeroTags,
                           "a key with id 0, first blocks of zeros, burst \(round)")
        }

        // Wrong states planted for two blocks used in turn (two ports' traffic): a group that
        // starts from one computes wrong tags, so the shared groups above did start from the
        // entries, one per block. Bursts of 32 (groups of sixteen with VAES, else of eight) and
        // of 8 (a group of eight).
        for n in [32, 8] {
            let two = [rng.bytes(16), rng.bytes(16)]
            for block in two {
                shared = block
                check(n, key: keys[0], blocks: 3, "\(n) messages: before the planted states")
            }
            for block in two {
                let held = holding(block, keys[0])
                XCTAssertEqual(held.count, 1, "\(n) messages: one entry holds each of two blocks in turn")
                for e in held { entries[e].state.0 ^= 1 }
            }
            for block in two {
                shared = block
                expected = fill(n, key: keys[0], blocks: 3, odd: nil)
                burst.compute(count: n)
                XCTAssertEqual(zip(tags(n), expected).filter { $0 == $1 }.count, 0,
                               "\(n) messages: every tag computed from the planted state")
            }
            for e in entries.indices { entries[e].key_id = 0 }
            burst.compute(count: n)
            XCTAssertEqual(tags(n), expected, "\(n) messages: once no entry holds a block, every tag is right again")
        }

        // Without the entries (NULL), as gov_cmac_burst allows: the same tags.
        expected = fill(32, key: keys[0], blocks: 4, odd: nil)
        gov_cmac_burst(burst.keys, burst.messages.assumingMemoryBound(to: UInt8.self), burst.blockCounts,
                       burst.tags.assumingMemoryBound(to: GovTagBytes.self), 32, nil)
        XCTAssertEqual(tags(32), expected, "no entries")
    }

    /// A block count outside 1..4 is computed alone and clamped to the 64-byte slot.
    func testBurstClampsOutOfRangeBlockCounts() throws {
        let key = try XCTUnwrap(CMACKey(bytes: rfcKey))
        let burst = MACBurst(capacity: 3)
        for i in 0..<3 {
            burst.slot(i).copyMemory(from: rfcMessage, byteCount: 64)
            burst.keys[i] = key.expanded
        }
        burst.blockCounts[0] = 0
        burst.blockCounts[1] = 200
        burst.blockCounts[2] = 3
        burst.compute(count: 3)
        func tag(_ i: Int) -> String { HexBytes.encode(UnsafeRawBufferPointer(start: burst.tag(i), count: 16)) }
        XCTAssertEqual(tag(0), "bb1d6929e95937287fa37d129b756746")
        XCTAssertEqual(tag(1), "51f0bebf7e3b9d92fc49741779363cfe")
        XCTAssertEqual(tag(2), HexBytes.encode(key.tag(of: Array(rfcMessage[0..<48]))))
    }

    func testKeyRefusesOtherLengthsAndNeverPrintsItself() {
        XCTAssertNil(CMACKey(bytes: [UInt8](repeating: 1, count: 15)))
        XCTAssertNil(CMACKey(hex: "00112233"))
        let key = CMACKey(hex: "2b7e1516 28aed2a6 abf71588 09cf4f3c\n")
        XCTAssertNotNil(key)
        XCTAssertEqual("\(key!)", "CMACKey(redacted)")
    }
}
