import Pipeline
import XCTest

final class WireTypesTests: XCTestCase {
    func testConstraintsBitsAndText() throws {
        let c = Constraints(noExport: true, audit: true, encryptedOnly: true, rateClass: 3, label: 2)
        XCTAssertEqual(c.rawValue, 0x0002_0307)
        XCTAssertEqual(c.description, "no-export,audit,encrypted-only,rate=3,label=2")
        XCTAssertEqual(try Constraints(parsing: "audit,no-export,encrypted-only,rate=3,label=2"), c)
        XCTAssertEqual(try Constraints(parsing: "0x00020301").rawValue, 0x0002_0301)
        XCTAssertEqual(try Constraints(parsing: "770").rawValue, 770)
        XCTAssertEqual(try Constraints(parsing: "none"), Constraints())
        XCTAssertEqual(try Constraints(parsing: " label = 9 ".replacingOccurrences(of: " ", with: "")).label, 9)
        XCTAssertThrowsError(try Constraints(parsing: "audit,loud")) {
            XCTAssertTrue("\($0)".hasPrefix("unknown constraint 'loud'"))
        }
        XCTAssertThrowsError(try Constraints(parsing: "rate=300"))
        XCTAssertThrowsError(try Constraints(parsing: ""))
        XCTAssertEqual(Constraints(rawValue: 0x8000_0008).description, "reserved=0x80000008")
        XCTAssertTrue(Constraints(rawValue: 0x8000_0000).hasReservedBits)
        XCTAssertFalse(Constraints(rawValue: 0x00FF_FF07).hasReservedBits)
    }

    func testIPAddress() {
        XCTAssertEqual(IPAddress("192.0.2.1")?.bytes, [192, 0, 2, 1])
        XCTAssertEqual(IPAddress("2001:db8::1")?.bytes.count, 16)
        XCTAssertEqual(IPAddress("2001:db8::1")?.description, "2001:db8::1")
        XCTAssertEqual(IPAddress(10, 0, 0, 255).adding(1).description, "10.0.1.0")
        XCTAssertNil(IPAddress("10.0.0"))
        XCTAssertNil(IPAddress(bytes: [1, 2, 3]))
    }

    func testBigEndianLoads() {
        let bytes: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x11]
        bytes.withUnsafeBytes { b in
            let p = b.baseAddress!
            XCTAssertEqual(p.loadBigEndian(at: 1, as: UInt16.self), 0x3456)
            XCTAssertEqual(p.loadBigEndian(at: 1, as: UInt32.self), 0x3456_789A)
            XCTAssertEqual(p.loadBigEndian(at: 1, as: UInt64.self), 0x3456_789A_BCDE_F011)
        }
    }

    /// RFC 1624's update equals recomputing, e.g. after decrementing hop_budget under an
    /// outer UDP checksum.
    func testIncrementalChecksumUpdate() {
        var rng = SeededRandom(seed: 1624)
        for _ in 0..<2000 {
            var data = rng.bytes(2 * Int.random(in: 2...40, using: &rng))
            let before = InternetChecksum.finish(InternetChecksum.sum(data))
            let word = 2 * Int.random(in: 0..<(data.count / 2), using: &rng)
            let old = data.bigEndian(at: word, as: UInt16.self)
            let new = UInt16.random(in: 0...0xFFFF, using: &rng)
            data.setBigEndian(new, at: word)
            let after = InternetChecksum.finish(InternetChecksum.sum(data))
            // Equal as one's-complement values: 0x0000 and 0xFFFF both mean zero.
            let updated = InternetChecksum.update(before, old: old, new: new)
            XCTAssertTrue(updated == after || (updated | after == 0xFFFF && updated & after == 0), "\(updated) vs \(after)")
        }
    }

    func testHex() {
        XCTAssertEqual(HexBytes.decode("00 ff\nA0"), [0, 255, 160])
        XCTAssertNil(HexBytes.decode("0"))
        XCTAssertNil(HexBytes.decode("zz"))
        XCTAssertEqual(HexBytes.encode([0, 255, 160]), "00ffa0")
    }

    /// `ParsedPacket` keeps the header as its wire words: decoding them gives the fields the
    /// byte-wise reader gives, and encoding the fields gives the words back.
    func testHeaderWireWordsRoundTrip() {
        var random = SeededRandom(seed: 0x7769_7265)
        for _ in 0..<10_000 {
            let bytes = random.bytes(32)
            bytes.withUnsafeBytes { raw in
                let loaded = GovHeader(loadingFrom: raw.baseAddress!)
                let wire = raw.baseAddress!.loadUnaligned(as: SIMD4<UInt64>.self)
                XCTAssertEqual(GovHeader(wire: wire), loaded)
                XCTAssertEqual(loaded.wire, wire)
                var parsed = ParsedPacket()
                parsed.header = loaded
                XCTAssertEqual(parsed.headerWire, wire)
                XCTAssertEqual(parsed.header, loaded)
            }
        }
    }
}
