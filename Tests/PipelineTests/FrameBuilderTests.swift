import Pipeline
import XCTest

/// The builder's frames parse back to what was asked, with correct checksums, and verify.
final class FrameBuilderTests: XCTestCase {
    let key = CMACKey(hex: "000102030405060708090a0b0c0d0e0f")!

    func fields() -> GovFields {
        GovFields(scope: ScopeID(0x0001_0002), trust: TrustLevel(50), routeClass: RouteClass(2), epoch: KeyEpoch(3),
                  authority: AuthorityID(7), constraints: Constraints(audit: true, rateClass: 3, label: 2),
                  expiry: 1_750_003_600, capability: CapabilityID(0x1122_3344_5566_7788))
    }

    /// The header bytes of DESIGN 1.2, one field at a time, and the MAC of 1.3 equal to the
    /// one the Python vectors computed for the same fields and flow (accept_udp4_inner4).
    func testSealedHeaderBytes() throws {
        let gov = GovHeaderBuilder.sealed(fields(), source: IPAddress(10, 1, 0, 1), destination: IPAddress(10, 2, 0, 2),
                                          key: key)
        XCTAssertEqual(gov.count, 48)
        XCTAssertEqual(HexBytes.encode(gov[0..<32]),
                       "10" + "06" + "04" + "08" + "00010002" + "32" + "02" + "0003" + "00000007" + "00020302"
                           + "684eef90" + "1122334455667788")
        let v = try XCTUnwrap(try GovVector.loadAll().first { $0.name == "accept_udp4_inner4" })
        XCTAssertEqual(v.fields?.expiry, 1_750_003_600)
        XCTAssertEqual(HexBytes.encode(gov[32..<48]), v.fields?.mac)
    }

    func testEveryCarrierAndFamilyParsesAndVerifies() throws {
        for carrier in FrameSpec.CarrierKind.allCases {
            for outer in [IPAddress(192, 0, 2, 1), IPAddress("2001:db8::1")!] {
                for inner in [IPAddress(10, 0, 0, 1), IPAddress("fd00::1")!] {
                    for vlan in [nil, UInt16(42)] {
                        var spec = FrameSpec()
                        spec.carrier = carrier
                        spec.vlanID = vlan
                        spec.outerSource = outer
                        spec.outerDestination = outer.adding(1)
                        spec.innerSource = inner
                        spec.innerDestination = inner.adding(1)
                        spec.frameSize = 200
                        let frame = try FrameBuilder.governed(spec, fields: fields(), key: key)
                        let label = "\(carrier) outer \(outer) inner \(inner) vlan \(vlan.map(String.init) ?? "-")"
                        XCTAssertEqual(frame.count, 200, label)
                        try checkFrame(frame, spec: spec, label: label)
                    }
                }
            }
        }
    }

    /// The inner protocol and UDP destination port, read from `frame` as the classify stage reads them.
    private func innerFields(_ p: ParsedPacket, _ frame: [UInt8]) -> (protocol: UInt8, port: UInt16) {
        frame.withUnsafeBytes { (p.innerProtocol(in: $0.baseAddress!), p.innerDestinationPort(in: $0.baseAddress!)) }
    }

    private func checkFrame(_ frame: [UInt8], spec: FrameSpec, label: String) throws {
        let p = frame.withUnsafeBytes { GovParser().parse($0) }
        XCTAssertNil(p.drop, label)
        XCTAssertEqual(p.header.scope, ScopeID(0x0001_0002), label)
        XCTAssertEqual(p.header.constraints, Constraints(audit: true, rateClass: 3, label: 2), label)
        XCTAssertEqual(p.hasVLAN, spec.vlanID != nil, label)
        XCTAssertEqual(p.vlanID, spec.vlanID ?? 0, label)
        XCTAssertEqual(p.innerVersion, spec.innerSource.version, label)
        XCTAssertEqual(innerFields(p, frame).protocol, 17, label)
        XCTAssertEqual(innerFields(p, frame).port, 443, label)
        XCTAssertEqual(Int(p.packetEnd), frame.count, label)
        let burst = MACBurst(capacity: 1)
        frame.withUnsafeBytes { b in
            burst.load(0, frame: b.baseAddress!, parsed: p, key: key.expanded)
            burst.compute(count: 1)
            XCTAssertTrue(burst.verify(0, against: b.baseAddress! + p.macOffset), label)
        }
        // Checksums: the outer IPv4 header sums to 0xFFFF; the outer UDP is 0 over IPv4 and
        // verifies over IPv6; the inner IP and UDP checksums verify.
        let l3 = Int(p.l3Offset)
        if p.carrier == .udpIPv4 {
            XCTAssertEqual(InternetChecksum.finish(InternetChecksum.sum(Array(frame[l3..<l3 + 20]))), 0, label)
            XCTAssertEqual(frame.bigEndian(at: Int(p.udpOffset) + 6, as: UInt16.self), 0, label)
        }
        if p.carrier == .udpIPv6 {
            XCTAssertTrue(udpChecksumVerifies(frame, ip: l3, udp: Int(p.udpOffset), end: Int(p.packetEnd), v6: true), label)
        }
        let inner = Int(p.innerOffset)
        let innerL4 = inner + (p.innerVersion == 4 ? 20 : 40)
        if p.innerVersion == 4 {
            XCTAssertEqual(InternetChecksum.finish(InternetChecksum.sum(Array(frame[inner..<inner + 20]))), 0, label)
        }
        XCTAssertTrue(udpChecksumVerifies(frame, ip: inner, udp: innerL4, end: frame.count, v6: p.innerVersion == 6), label)
    }

    private func udpChecksumVerifies(_ frame: [UInt8], ip: Int, udp: Int, end: Int, v6: Bool) -> Bool {
        let addressLength = v6 ? 16 : 4
        let addresses = Array(frame[(ip + (v6 ? 8 : 12))..<(ip + (v6 ? 8 : 12) + 2 * addressLength)])
        var pseudo = addresses
        if v6 { pseudo.appendBigEndian(UInt32(end - udp)); pseudo += [0, 0, 0, 17] } else {
            pseudo += [0, 17]
            pseudo.appendBigEndian(UInt16(end - udp))
        }
        let sum = InternetChecksum.sum(Array(frame[udp..<end]), initial: InternetChecksum.sum(pseudo))
        return InternetChecksum.finish(sum) == 0
    }

    func testSizesAndTheirErrors() throws {
        var spec = FrameSpec()
        XCTAssertEqual(FrameBuilder.minimumSize(spec, govLength: 48), 14 + 20 + 8 + 48 + 20 + 8)
        spec.frameSize = 117
        XCTAssertThrowsError(try FrameBuilder.governed(spec, fields: fields(), key: key)) { error in
            XCTAssertEqual(error as? FrameBuilder.SizeError, FrameBuilder.SizeError(requested: 117, minimum: 118, maximum: 65535))
            XCTAssertEqual("\(error)", "frame size 117 is too small: these headers need at least 118 bytes")
        }
        spec.frameSize = 118
        XCTAssertEqual(try FrameBuilder.governed(spec, fields: fields(), key: key).count, 118)
        spec.carrier = .ethernet
        spec.innerSource = IPAddress("fd00::1")!
        spec.innerDestination = IPAddress("fd00::2")!
        XCTAssertEqual(FrameBuilder.minimumSize(spec, govLength: 48), 14 + 48 + 40 + 8)
    }

    func testESPAndPlainFrames() throws {
        var spec = FrameSpec()
        spec.innerPayload = .esp(spi: 0x1000, sequence: 9)
        spec.frameSize = 300
        let frame = try FrameBuilder.governed(spec, fields: fields(), key: key)
        let p = frame.withUnsafeBytes { GovParser().parse($0) }
        XCTAssertNil(p.drop)
        XCTAssertEqual(innerFields(p, frame).protocol, IPProtocol.esp)
        XCTAssertEqual(innerFields(p, frame).port, 0)
        XCTAssertEqual(frame.bigEndian(at: Int(p.innerOffset) + 20, as: UInt32.self), 0x1000)

        // WireGuard: UDP to 51820, which a later IPv4 fragment does not show (no UDP header).
        spec.innerPayload = .udp(sourcePort: 1, destinationPort: 51820)
        var wireGuard = try FrameBuilder.governed(spec, fields: fields(), key: key)
        let w = wireGuard.withUnsafeBytes { GovParser().parse($0) }
        XCTAssertNil(w.drop)
        XCTAssertEqual(innerFields(w, wireGuard).protocol, IPProtocol.udp)
        XCTAssertEqual(innerFields(w, wireGuard).port, 51820)
        wireGuard[Int(w.innerOffset) + 7] = 0x10                      // fragment offset 16 (128 bytes)
        let later = wireGuard.withUnsafeBytes { GovParser().parse($0) }
        XCTAssertNil(later.drop)
        XCTAssertEqual(innerFields(later, wireGuard).protocol, IPProtocol.udp)
        XCTAssertEqual(innerFields(later, wireGuard).port, 0)

        spec.innerPayload = .udp(sourcePort: 1, destinationPort: GovWire.udpPort)
        let plain = try FrameBuilder.plain(spec)
        XCTAssertEqual(plain.count, 300)
        // Inner UDP to the governance port without a governance header: parsed as a carrier,
        // and its zero payload is not a version 1 header.
        XCTAssertEqual(plain.withUnsafeBytes { GovParser().parse($0) }.drop, .badVersion)
        spec.innerPayload = .udp(sourcePort: 1, destinationPort: 443)
        XCTAssertEqual(try FrameBuilder.plain(spec).withUnsafeBytes { GovParser().parse($0) }.drop, .notGoverned)
    }

    func testOptionsArePaddedAndHdrLenFollows() {
        var f = fields()
        f.options = [0x05, 1, 0xAB]
        let gov = GovHeaderBuilder.unsealed(f, innerVersion: 6)
        XCTAssertEqual(gov.count, 56)
        XCTAssertEqual(gov[1], 7)
        XCTAssertEqual(gov[2], 41)
        XCTAssertEqual(Array(gov[48...]), [0x05, 1, 0xAB, 0, 0, 0, 0, 0])
    }
}
