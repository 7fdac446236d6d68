import CDPDK
import Pipeline
import XCTest

/// Every vector of Vectors/gov-v1.json, built independently in Python, through the parser,
/// the header checks and the MAC, with its exact outcome and, when accepted, its fields.
final class GovVectorTests: XCTestCase {
    func testVectorFileCoversEveryTableFreeAndVerifyReason() throws {
        let vectors = try GovVector.loadAll()
        XCTAssertGreaterThanOrEqual(vectors.count, 28)
        let expected = Set(vectors.map(\.expect))
        for name in ["accept", "not_governed", "malformed_truncated_l2", "malformed_truncated_ip",
                     "malformed_outer_ip", "malformed_truncated_udp", "malformed_truncated_gov", "malformed_hdr_len",
                     "malformed_option", "malformed_inner", "bad_version", "reserved_bits", "next_proto_mismatch",
                     "unknown_critical_option", "hop_budget_exhausted", "reserved_constraint_bits",
                     "unknown_authority", "unknown_epoch", "expired", "lifetime_too_long", "bad_mac", "revoked"] {
            XCTAssertTrue(expected.contains(name), "no vector expects \(name)")
        }
        for v in vectors where v.expect != "accept" {
            XCTAssertNotNil(DropReason(name: v.expect), "\(v.name): unknown reason \(v.expect)")
        }
    }

    func testEveryVectorHasItsExactOutcome() throws {
        for v in try GovVector.loadAll() {
            let (outcome, _) = VectorDriver(v).run()
            let expected: Outcome = v.expect == "accept" ? .accept : .drop(DropReason(name: v.expect)!)
            XCTAssertEqual(outcome, expected, "\(v.name): \(v.description)")
        }
    }

    func testAcceptedVectorsParseToTheirFields() throws {
        let accepted = try GovVector.loadAll().filter { $0.expect == "accept" }
        XCTAssertGreaterThanOrEqual(accepted.count, 15)
        for v in accepted {
            let f = try XCTUnwrap(v.fields, "\(v.name) has no fields")
            let frame = v.frameBytes
            let (_, p) = VectorDriver(v).run()
            let carrier: Carrier = ["udp4": .udpIPv4, "udp6": .udpIPv6, "eth": .ethernet][f.carrier]!
            XCTAssertEqual(p.carrier, carrier, v.name)
            XCTAssertEqual(p.hasVLAN, f.vlan != nil, v.name)
            XCTAssertEqual(p.vlanID, f.vlan ?? 0, v.name)
            XCTAssertEqual(Int(p.govOffset), f.gov_offset, v.name)
            XCTAssertEqual(Int(p.govLength), f.gov_length, v.name)
            XCTAssertEqual(Int(p.innerOffset), f.inner_offset, v.name)
            XCTAssertEqual(p.udpOffset == 0, carrier == .ethernet, v.name)
            if carrier != .ethernet { XCTAssertEqual(Int(p.udpOffset) + 8, f.gov_offset, v.name) }
            let h = p.header
            XCTAssertEqual(h.verFlags, f.ver_flags, v.name)
            XCTAssertEqual(h.hdrLen, f.hdr_len, v.name)
            XCTAssertEqual(h.nextProto, f.next_proto, v.name)
            XCTAssertEqual(h.hopBudget, f.hop_budget, v.name)
            XCTAssertEqual(h.scope, ScopeID(f.scope), v.name)
            XCTAssertEqual(h.trust, TrustLevel(f.trust), v.name)
            XCTAssertEqual(h.routeClass, RouteClass(f.route_class), v.name)
            XCTAssertEqual(h.epoch, KeyEpoch(f.epoch), v.name)
            XCTAssertEqual(h.authority, AuthorityID(f.authority), v.name)
            XCTAssertEqual(h.constraints.rawValue, f.constraints, v.name)
            XCTAssertEqual(h.expiry, f.expiry, v.name)
            XCTAssertEqual(h.capability, CapabilityID(f.capability), v.name)
            XCTAssertEqual(HexBytes.encode(frame[p.macOffset..<p.macOffset + 16]), f.mac, v.name)
            XCTAssertEqual(p.innerVersion, f.inner_version, v.name)
            let n = p.innerAddressLength
            let src = IPAddress(bytes: Array(frame[Int(p.innerSourceOffset)..<Int(p.innerSourceOffset) + n]))
            let dst = IPAddress(bytes: Array(frame[Int(p.innerDestinationOffset)..<Int(p.innerDestinationOffset) + n]))
            XCTAssertEqual(src, IPAddress(f.inner_src), v.name)
            XCTAssertEqual(dst, IPAddress(f.inner_dst), v.name)
            frame.withUnsafeBytes { b in
                XCTAssertEqual(p.innerProtocol(in: b.baseAddress!), f.inner_protocol, v.name)
                XCTAssertEqual(p.innerDestinationPort(in: b.baseAddress!), f.inner_dst_port, v.name)
            }
        }
    }

    /// The MACs of all accepted vectors computed as one interleaved burst, mixing 3- and
    /// 4-block inputs and two keys, match the tags in the frames.
    func testAcceptedVectorsVerifyAsOneBurst() throws {
        let accepted = try GovVector.loadAll().filter { $0.expect == "accept" }
        let burst = MACBurst(capacity: accepted.count)
        let frames = accepted.map(\.frameBytes)
        var drivers: [VectorDriver] = []
        for (i, v) in accepted.enumerated() {
            let driver = VectorDriver(v)
            drivers.append(driver)
            frames[i].withUnsafeBytes { b in
                let p = GovParser(udpPort: v.udp_port).parse(b)
                let key = driver.keys[p.header.authority.rawValue]!.keys[p.header.epoch.rawValue]!
                burst.load(i, frame: b.baseAddress!, parsed: p, key: key.expanded)
            }
        }
        XCTAssertEqual(Set((0..<accepted.count).map { burst.blockCounts[$0] }), [3, 4])
        burst.compute(count: accepted.count)
        for (i, v) in accepted.enumerated() {
            frames[i].withUnsafeBytes { b in
                let p = GovParser(udpPort: v.udp_port).parse(b)
                XCTAssertTrue(burst.verify(i, against: b.baseAddress! + p.macOffset), v.name)
            }
        }
        withExtendedLifetime(drivers) {}
    }

    func testMACInputMatchesTheDesignLayout() throws {
        let v = try XCTUnwrap(try GovVector.loadAll().first { $0.name == "accept_hop_budget_changed" })
        let frame = v.frameBytes
        let p = frame.withUnsafeBytes { GovParser().parse($0) }
        var slot = [UInt8](repeating: 0xAA, count: 64)
        let blocks = frame.withUnsafeBytes { f in
            slot.withUnsafeMutableBytes { MACInput.write(frame: f.baseAddress!, parsed: p, into: $0.baseAddress!) }
        }
        XCTAssertEqual(blocks, 3)
        let g = Int(p.govOffset)
        var expected = Array(frame[g..<g + 32])
        XCTAssertEqual(expected[3], 3, "the frame carries hop_budget 3")
        expected[3] = 0
        expected += Array(frame[Int(p.innerSourceOffset)..<Int(p.innerSourceOffset) + 4])
        expected += Array(frame[Int(p.innerDestinationOffset)..<Int(p.innerDestinationOffset) + 4])
        expected += [UInt8](repeating: 0, count: 8)
        XCTAssertEqual(Array(slot[0..<48]), expected)
        XCTAssertEqual(Array(slot[48..<64]), [UInt8](repeating: 0xAA, count: 16), "an IPv4 input writes 48 bytes")
    }

    /// The wide-store writer the parse stage uses gives, for every vector the parser accepts
    /// (inner IPv4 and IPv6), the bytes of DESIGN 1.3 (`MACInput.bytes`) and writes nothing
    /// past them.
    func testWideMACInputWriterMatchesTheLayout() throws {
        var families: Set<UInt8> = []
        for v in try GovVector.loadAll() {
            let frame = v.frameBytes
            let p = frame.withUnsafeBytes { GovParser(udpPort: v.udp_port).parse($0) }
            guard p.drop == nil else { continue }
            families.insert(p.innerVersion)
            let g = Int(p.govOffset), n = p.innerAddressLength
            let s = Int(p.innerSourceOffset), d = Int(p.innerDestinationOffset)
            let expected = MACInput.bytes(header: Array(frame[g..<g + 32]), source: Array(frame[s..<s + n]),
                                          destination: Array(frame[d..<d + n]))
            var slot = [UInt8](repeating: 0xAA, count: 80)
            let blocks = frame.withUnsafeBytes { f in
                slot.withUnsafeMutableBytes {
                    MACInput.write(headerWire: p.headerWire, addresses: f.baseAddress! + s, innerVersion: p.innerVersion,
                                   into: $0.baseAddress!)
                }
            }
            XCTAssertEqual(Int(blocks) * 16, expected.count, v.name)
            XCTAssertEqual(Array(slot[0..<expected.count]), expected, v.name)
            XCTAssertEqual(Array(slot[expected.count...]), [UInt8](repeating: 0xAA, count: 80 - expected.count), v.name)
        }
        XCTAssertEqual(families, [4, 6])
    }
}
