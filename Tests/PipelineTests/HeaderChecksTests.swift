import Pipeline
import XCTest

final class HeaderChecksTests: XCTestCase {
    func header(expiry: UInt32) -> GovHeader {
        var h = GovHeader()
        h.expiry = expiry
        return h
    }

    func testExpiryBoundaries() {
        let h = header(expiry: 1000)
        XCTAssertNil(h.checkExpiry(now: 1000, skew: 0, maxLifetime: 60), "valid through the expiry second")
        XCTAssertEqual(h.checkExpiry(now: 1001, skew: 0, maxLifetime: 60), .expired)
        XCTAssertNil(h.checkExpiry(now: 1030, skew: 30, maxLifetime: 60))
        XCTAssertEqual(h.checkExpiry(now: 1031, skew: 30, maxLifetime: 60), .expired)
        XCTAssertNil(h.checkExpiry(now: 940, skew: 0, maxLifetime: 60), "exactly the maximum lifetime ahead")
        XCTAssertEqual(h.checkExpiry(now: 939, skew: 0, maxLifetime: 60), .lifetimeTooLong)
        XCTAssertNil(h.checkExpiry(now: 910, skew: 30, maxLifetime: 60))
        XCTAssertEqual(h.checkExpiry(now: 909, skew: 30, maxLifetime: 60), .lifetimeTooLong)
    }

    func testExpiryAtTheEdgesOfTheIntegers() {
        XCTAssertEqual(header(expiry: .max).checkExpiry(now: 0, skew: .max, maxLifetime: .max), nil)
        XCTAssertEqual(header(expiry: .max).checkExpiry(now: 0, skew: 0, maxLifetime: 0), .lifetimeTooLong)
        XCTAssertEqual(header(expiry: 0).checkExpiry(now: .max, skew: .max, maxLifetime: .max), .expired)
        XCTAssertNil(header(expiry: 0).checkExpiry(now: 0, skew: 0, maxLifetime: 0))
    }

    /// The parse stage's one-compare window accepts exactly what checkExpiry accepts.
    func testExpiryWindowAgreesWithCheckExpiry() {
        let edges: [UInt32] = [0, 1, 2, 29, 30, 31, 59, 60, 61, 909, 910, 940, 1000, 1030, 1031,
                               1_800_000_000, .max / 2, .max - 61, .max - 60, .max - 1, .max]
        var compared = 0
        for now in edges {
            for skew in [0, 1, 30, UInt32.max] as [UInt32] {
                for maxLifetime in [0, 60, 86_400, UInt32.max] as [UInt32] {
                    let window = ExpiryWindow(now: now, skew: skew, maxLifetime: maxLifetime)
                    var expiries = edges
                    for base in [UInt64(now), UInt64(now) + UInt64(maxLifetime) + UInt64(skew),
                                 UInt64(now) >= UInt64(skew) ? UInt64(now) - UInt64(skew) : 0] {
                        for d in [-1, 0, 1] as [Int64] {
                            let e = Int64(base) + d
                            if e >= 0 && e <= Int64(UInt32.max) { expiries.append(UInt32(e)) }
                        }
                    }
                    for expiry in expiries {
                        let reason = header(expiry: expiry).checkExpiry(now: UInt64(now), skew: skew, maxLifetime: maxLifetime)
                        XCTAssertEqual(window.contains(expiry), reason == nil,
                                       "now \(now) skew \(skew) max \(maxLifetime) expiry \(expiry): \(String(describing: reason))")
                        compared += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(compared, 3000)
    }

    func testFixedFieldChecks() {
        var h = GovHeader()
        h.verFlags = 0x10
        XCTAssertNil(h.checkVersion())
        XCTAssertNil(h.checkReservedBits())
        h.verFlags = 0x00
        XCTAssertEqual(h.checkVersion(), .badVersion)
        h.verFlags = 0x18
        XCTAssertNil(h.checkVersion())
        XCTAssertEqual(h.checkReservedBits(), .reservedBits)
        h.hdrLen = 6
        XCTAssertNil(h.checkHeaderLength(available: 48))
        XCTAssertEqual(h.checkHeaderLength(available: 47), .malformedHdrLen)
        h.hdrLen = 5
        XCTAssertEqual(h.checkHeaderLength(available: 1000), .malformedHdrLen)
        XCTAssertEqual(h.checkHopBudget(), .hopBudgetExhausted)
        h.hopBudget = 1
        XCTAssertNil(h.checkHopBudget())
        for bit in 0..<32 {
            h.constraints = Constraints(rawValue: 1 << UInt32(bit))
            let reserved = (3...7).contains(bit) || bit >= 24
            XCTAssertEqual(h.checkConstraints(), reserved ? .reservedConstraintBits : nil, "bit \(bit)")
        }
        h.nextProto = 4
        XCTAssertNil(h.checkNextProto())
        XCTAssertNil(h.checkNextProto(innerVersion: 4))
        XCTAssertEqual(h.checkNextProto(innerVersion: 6), .nextProtoMismatch)
        h.nextProto = 41
        XCTAssertNil(h.checkNextProto(innerVersion: 6))
        XCTAssertEqual(h.checkNextProto(innerVersion: 4), .nextProtoMismatch)
        h.nextProto = 6
        XCTAssertEqual(h.checkNextProto(), .nextProtoMismatch)
    }

    func testOptionWalk() {
        func check(_ options: [UInt8]) -> DropReason? {
            let gov = [UInt8](repeating: 0, count: 48) + options
            return gov.withUnsafeBytes { GovOptions.check($0.baseAddress!, headerLength: gov.count) }
        }
        XCTAssertNil(check([]))
        XCTAssertNil(check([0, 0, 0, 0, 0, 0, 0, 0]))
        XCTAssertNil(check([1, 6, 1, 2, 3, 4, 5, 6]))
        XCTAssertNil(check([0x7F, 0, 0, 0, 0, 0, 0, 0]), "unknown non-critical types are skipped")
        XCTAssertEqual(check([1, 7, 0, 0, 0, 0, 0, 0]), .malformedOption)
        XCTAssertEqual(check([0, 0, 0, 0, 0, 0, 0, 0x40]), .malformedOption)
        XCTAssertEqual(check([0x80, 0, 0, 0, 0, 0, 0, 0]), .unknownCriticalOption)
        XCTAssertEqual(check([0x81, 6, 0, 0, 0, 0, 0, 0]), .unknownCriticalOption)
    }
}
