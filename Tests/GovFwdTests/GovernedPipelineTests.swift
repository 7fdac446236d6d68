import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// The governed pipeline through the real binary over the pcap PMD: one case per drop
/// reason and per action, the bytes that leave each port compared with the bytes built
/// independently here, the per-reason counters checked, and `explain` agreeing.
final class GovernedPipelineTests: XCTestCase {
    static let now: UInt32 = 1_800_000_000
    static let caKey = CMACKey(hex: "2b7e151628aed2a6abf7158809cf4f3c")!
    static let gatewayKey = CMACKey(hex: "603deb1015ca71be2b73aef0857d7781")!
    let config = GovFwdProcess.repository.appendingPathComponent("Tests/GovFwdTests/Fixtures/governed.yaml")

    enum Expect: Equatable {
        case forward(String)         // hop budget decremented, out of this port
        case audit(String, String)   // forwarded, and a copy to the audit port
        case strip(String)           // carrier and GOV removed
        case push(String)            // GOV pushed by the gateway
        case drop(String)
    }

    struct Case {
        var name: String
        var frame: [UInt8]
        var expect: Expect
    }

    static func fields(scope: UInt32 = 100, routeClass: UInt8 = 1, trust: UInt8 = 50, authority: UInt32 = 7,
                       epoch: UInt16 = 1, constraints: UInt32 = 0, expiry: UInt32 = now + 600,
                       capability: UInt64 = 0x42, hopBudget: UInt8 = 8) -> GovFields {
        GovFields(scope: ScopeID(scope), trust: TrustLevel(trust), routeClass: RouteClass(routeClass), epoch: KeyEpoch(epoch),
                  authority: AuthorityID(authority), constraints: Constraints(rawValue: constraints), expiry: expiry,
                  capability: CapabilityID(capability), hopBudget: hopBudget)
    }

    static func governed(_ f: GovFields = fields(), spec: FrameSpec = FrameSpec(), key: CMACKey = caKey) -> [UInt8] {
        var spec = spec
        if spec.frameSize == nil { spec.frameSize = 160 }
        return try! FrameBuilder.governed(spec, fields: f, key: key)
    }

    /// Every case, in capture order.
    static var cases: [Case] {
        var c: [Case] = []
        c.append(Case(name: "forward", frame: governed(), expect: .forward("out")))
        var v6 = FrameSpec()
        v6.carrier = .ethernet
        v6.vlanID = 42
        v6.innerSource = IPAddress("2001:db8::1")!
        v6.innerDestination = IPAddress("2001:db8::2")!
        c.append(Case(name: "forward_ipv6_eth_vlan", frame: governed(spec: v6), expect: .forward("out")))
        var outer6 = FrameSpec()
        outer6.outerSource = IPAddress("2001:db8:ff::1")!
        outer6.outerDestination = IPAddress("2001:db8:ff::2")!
        c.append(Case(name: "forward_outer_ipv6", frame: governed(spec: outer6), expect: .forward("out")))
        c.append(Case(name: "audit", frame: governed(fields(constraints: 1 << 1)), expect: .audit("out", "audit")))
        c.append(Case(name: "forward_external", frame: governed(fields(routeClass: 2)), expect: .forward("ext")))
        c.append(Case(name: "strip_legacy", frame: governed(fields(routeClass: 3)), expect: .strip("legacy")))
        var esp = FrameSpec()
        esp.innerPayload = .esp(spi: 0x1234, sequence: 1)
        c.append(Case(name: "encrypted_only_esp", frame: governed(fields(constraints: 1 << 2), spec: esp), expect: .forward("out")))
        var wg = FrameSpec()
        wg.innerPayload = .udp(sourcePort: 40000, destinationPort: 51820)
        c.append(Case(name: "encrypted_only_wireguard", frame: governed(fields(constraints: 1 << 2), spec: wg), expect: .forward("out")))
        var lab = FrameSpec()
        lab.innerSource = IPAddress(10, 9, 1, 1)
        lab.frameSize = 100
        c.append(Case(name: "push", frame: try! FrameBuilder.plain(lab), expect: .push("out")))
        var other = FrameSpec()
        other.innerSource = IPAddress(10, 8, 1, 1)
        other.frameSize = 100
        c.append(Case(name: "not_governed", frame: try! FrameBuilder.plain(other), expect: .drop("not_governed")))
        var eth = FrameSpec()
        eth.carrier = .ethernet
        c.append(Case(name: "malformed_truncated_gov", frame: Array(governed(spec: eth)[0..<(14 + 30)]), expect: .drop("malformed_truncated_gov")))
        c.append(Case(name: "malformed_truncated_ip", frame: Array(governed()[0..<(14 + 20 + 8 + 30)]), expect: .drop("malformed_truncated_ip")))
        var badVersion = fields(); badVersion.verFlags = 0x20
        c.append(Case(name: "bad_version", frame: governed(badVersion), expect: .drop("bad_version")))
        var reserved = fields(); reserved.verFlags = 0x11
        c.append(Case(name: "reserved_bits", frame: governed(reserved), expect: .drop("reserved_bits")))
        c.append(Case(name: "reserved_constraint_bits", frame: governed(fields(constraints: 1 << 3)), expect: .drop("reserved_constraint_bits")))
        c.append(Case(name: "hop_budget_exhausted", frame: governed(fields(hopBudget: 0)), expect: .drop("hop_budget_exhausted")))
        var critical = fields(); critical.options = [0x85, 0]
        c.append(Case(name: "unknown_critical_option", frame: governed(critical), expect: .drop("unknown_critical_option")))
        var proto = fields(); proto.nextProto = 41
        c.append(Case(name: "next_proto_mismatch", frame: governed(proto), expect: .drop("next_proto_mismatch")))
        c.append(Case(name: "unknown_authority", frame: governed(fields(authority: 99)), expect: .drop("unknown_authority")))
        c.append(Case(name: "unknown_epoch", frame: governed(fields(epoch: 5)), expect: .drop("unknown_epoch")))
        var forged = governed()
        forged[14 + 20 + 8 + 40] ^= 0x01
        c.append(Case(name: "bad_mac", frame: forged, expect: .drop("bad_mac")))
        c.append(Case(name: "expired", frame: governed(fields(expiry: now - 100)), expect: .drop("expired")))
        c.append(Case(name: "lifetime_too_long", frame: governed(fields(expiry: now + 7200)), expect: .drop("lifetime_too_long")))
        c.append(Case(name: "revoked", frame: governed(fields(capability: 0xdead)), expect: .drop("revoked")))
        c.append(Case(name: "scope_not_entitled", frame: governed(fields(scope: 300)), expect: .drop("scope_not_entitled")))
        c.append(Case(name: "trust_not_entitled", frame: governed(fields(trust: 250)), expect: .drop("trust_not_entitled")))
        c.append(Case(name: "route_class_not_entitled", frame: governed(fields(routeClass: 9)), expect: .drop("route_class_not_entitled")))
        c.append(Case(name: "no_policy", frame: governed(fields(scope: 103)), expect: .drop("no_policy")))
        c.append(Case(name: "policy_drop", frame: governed(fields(scope: 200)), expect: .drop("policy_drop")))
        c.append(Case(name: "trust_below_minimum", frame: governed(fields(scope: 101, trust: 20)), expect: .drop("trust_below_minimum")))
        c.append(Case(name: "no_export", frame: governed(fields(routeClass: 2, constraints: 1 << 0)), expect: .drop("no_export")))
        c.append(Case(name: "label_ceiling", frame: governed(fields(routeClass: 2, constraints: 2 << 16)), expect: .drop("label_ceiling")))
        c.append(Case(name: "encrypted_only", frame: governed(fields(constraints: 1 << 2)), expect: .drop("encrypted_only")))
        c.append(Case(name: "meter_green", frame: governed(fields(scope: 102, constraints: 1 << 8)), expect: .forward("out")))
        c.append(Case(name: "rate_exceeded", frame: governed(fields(scope: 102, constraints: 1 << 8)), expect: .drop("rate_exceeded")))
        return c
    }

    /// What the test expects to leave through `port`, in order, built here from the input.
    static func expectedOutput(_ cases: [Case], port: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for c in cases {
            switch c.expect {
            case .forward(let p) where p == port: out.append(decrementHopBudget(c.frame))
            case .audit(let p, let a) where p == port || a == port: out.append(decrementHopBudget(c.frame))
            case .strip(let p) where p == port: out.append(stripped(c.frame))
            case .push(let p) where p == port: out.append(pushed(c.frame))
            default: break
            }
        }
        return out
    }

    static func decrementHopBudget(_ frame: [UInt8]) -> [UInt8] {
        var f = frame
        let gov = govOffset(f)
        f[gov + 3] -= 1
        recomputeUDPChecksum(&f)
        return f
    }

    /// Recomputes a non-zero outer UDP checksum from scratch (pseudo-header, RFC 768 / 8200).
    static func recomputeUDPChecksum(_ f: inout [UInt8]) {
        let type = Int(f[12]) << 8 | Int(f[13])
        guard type == 0x0800 || type == 0x86DD else { return }
        let ip = 14
        let v6 = type == 0x86DD
        let udp = v6 ? ip + 40 : ip + Int(f[ip] & 0x0F) * 4
        guard f[udp + 6] != 0 || f[udp + 7] != 0 else { return }
        let length = Int(f[udp + 4]) << 8 | Int(f[udp + 5])
        var pseudo: [UInt8] = v6 ? Array(f[ip + 8..<ip + 40]) : Array(f[ip + 12..<ip + 20])
        pseudo += v6 ? [0, 0, UInt8(length >> 8), UInt8(length & 0xFF), 0, 0, 0, 17] : [0, 17, UInt8(length >> 8), UInt8(length & 0xFF)]
        f[udp + 6] = 0
        f[udp + 7] = 0
        var segment = Array(f[udp..<udp + length])
        if segment.count % 2 == 1 { segment.append(0) }
        var sum: UInt32 = 0
        for bytes in [pseudo, segment] {
            for k in stride(from: 0, to: bytes.count, by: 2) { sum += UInt32(bytes[k]) << 8 | UInt32(bytes[k + 1]) }
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        var checksum = ~UInt16(sum)
        if checksum == 0 { checksum = 0xFFFF }
        f[udp + 6] = UInt8(checksum >> 8)
        f[udp + 7] = UInt8(checksum & 0xFF)
    }

    static func govOffset(_ f: [UInt8]) -> Int {
        var l2 = 14
        var type = Int(f[12]) << 8 | Int(f[13])
        if type == 0x8100 { l2 = 18; type = Int(f[16]) << 8 | Int(f[17]) }
        switch type {
        case 0x88B5: return l2
        case 0x0800: return l2 + Int(f[l2] & 0x0F) * 4 + 8
        default: return l2 + 40 + 8
        }
    }

    /// Ethernet addresses, the inner IPv4 EtherType, then the inner packet.
    static func stripped(_ frame: [UInt8]) -> [UInt8] {
        let gov = govOffset(frame)
        let inner = gov + Int(frame[gov + 1]) * 8
        return Array(frame[0..<12]) + [0x08, 0x00] + Array(frame[inner...])
    }

    /// The gateway's header, built with the test's own builder and key.
    static func pushed(_ frame: [UInt8]) -> [UInt8] {
        var f = fields(scope: 100, routeClass: 1, trust: 40, authority: 9001, epoch: 1, expiry: now + 300, capability: 0x6f01)
        f.nextProto = 4
        let source = IPAddress(bytes: Array(frame[14 + 12..<14 + 16]))!
        let destination = IPAddress(bytes: Array(frame[14 + 16..<14 + 20]))!
        let gov = GovHeaderBuilder.sealed(f, source: source, destination: destination, key: gatewayKey)
        return Array(frame[0..<12]) + [0x88, 0xB5] + gov + Array(frame[14...])
    }

    func testEveryReasonAndAction() throws {
        let dir = try GovFwdProcess.scratch("governed")
        let cases = Self.cases
        let input = dir.appendingPathComponent("in.pcap")
        try writePcap(cases.map(\.frame), to: input)
        // Ungoverned traffic arriving on the legacy port is passed unchanged to "out".
        var plain = FrameSpec()
        plain.innerSource = IPAddress(172, 16, 0, 9)
        plain.frameSize = 90
        let passed = [try FrameBuilder.plain(plain)]
        let legacyInput = dir.appendingPathComponent("legacy-in.pcap")
        try writePcap(passed, to: legacyInput)

        let stats = dir.appendingPathComponent("stats.json")
        func out(_ name: String) -> URL { dir.appendingPathComponent("\(name).pcap") }
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(input.path)",
            "--vdev", "net_pcap1,tx_pcap=\(out("out").path)",
            "--vdev", "net_pcap2,tx_pcap=\(out("ext").path)",
            "--vdev", "net_pcap3,rx_pcap=\(legacyInput.path),tx_pcap=\(out("legacy").path)",
            "--vdev", "net_pcap4,tx_pcap=\(out("audit").path)",
            "--", "--config", config.path, "--now", "\(Self.now)", "--idle-timeout", "0.5", "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        // Bytes out of every port. "out" also carries the passed packet, from another ingress port.
        var outPackets = try pcapPackets(out("out"))
        let passedOut = outPackets.filter { $0 == passed[0] }
        outPackets.removeAll { $0 == passed[0] }
        XCTAssertEqual(passedOut.count, 1, "the ungoverned packet on the legacy port is passed unchanged")
        assertPackets(outPackets, Self.expectedOutput(cases, port: "out"), port: "out", cases: cases)
        assertPackets(try pcapPackets(out("ext")), Self.expectedOutput(cases, port: "ext"), port: "ext", cases: cases)
        assertPackets(try pcapPackets(out("legacy")), Self.expectedOutput(cases, port: "legacy"), port: "legacy", cases: cases)
        assertPackets(try pcapPackets(out("audit")), Self.expectedOutput(cases, port: "audit"), port: "audit", cases: cases)

        // Counters: one per reason, exactly.
        let s = try RunStatistics.load(stats)
        var expectedReasons: [String: UInt64] = [:]
        for c in cases { if case .drop(let r) = c.expect { expectedReasons[r, default: 0] += 1 } }
        for (name, n) in s.reasons where n > 0 || expectedReasons[name] != nil {
            XCTAssertEqual(n, expectedReasons[name] ?? 0, "reason \(name)")
        }
        let drops = UInt64(expectedReasons.values.reduce(0, +))
        XCTAssertEqual(s.rx, UInt64(cases.count + passed.count))
        XCTAssertEqual(s.dropped, drops)
        XCTAssertEqual(s.tx, UInt64(cases.count + passed.count) - drops)
        XCTAssertEqual(s.auditCopies, 1)

        // Per scope: packets forwarded, and dropped once their policy was found.
        let afterPolicy: Set<String> = ["policy_drop", "trust_below_minimum", "no_export", "label_ceiling",
                                        "encrypted_only", "rate_exceeded"]
        var expectedScopes: [UInt32: (forwarded: UInt64, dropped: UInt64)] = [:]
        for c in cases {
            let scope: UInt32
            if case .push = c.expect { scope = 100 } else {
                let parsed = c.frame.withUnsafeBytes { GovParser().parse($0) }
                guard parsed.govLength > 0 else { continue }
                scope = parsed.header.scope.rawValue
            }
            switch c.expect {
            case .drop(let reason) where afterPolicy.contains(reason): expectedScopes[scope, default: (0, 0)].dropped += 1
            case .drop: break
            default: expectedScopes[scope, default: (0, 0)].forwarded += 1
            }
        }
        for line in s.scopes {
            let e = expectedScopes[line.scope] ?? (0, 0)
            XCTAssertEqual(line.forwarded, e.forwarded, "scope \(line.scope) forwarded")
            XCTAssertEqual(line.dropped, e.dropped, "scope \(line.scope) dropped")
        }
        XCTAssertEqual(Set(s.scopes.map(\.scope)), [100, 101, 102, 200], "one line per configured scope")
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)

        // explain, on the same capture, says the same and would send the same bytes.
        let explained = dir.appendingPathComponent("explained")
        let ex = try GovFwdProcess.run(["explain", "--config", config.path, "--pcap", input.path, "--ingress", "in",
                                        "--now", "\(Self.now)", "--json", "--output", explained.path])
        XCTAssertEqual(ex.status, 0, ex.stderr)
        let lines = ex.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.count, cases.count)
        for (c, line) in zip(cases, lines) {
            switch c.expect {
            case .drop(let reason):
                XCTAssertEqual(line["verdict"] as? String, "drop", c.name)
                XCTAssertEqual(line["reason"] as? String, reason, c.name)
            case .forward(let p), .strip(let p), .push(let p), .audit(let p, _):
                XCTAssertEqual(line["verdict"] as? String, "forward", c.name)
                XCTAssertEqual(line["egress"] as? String, p, c.name)
                XCTAssertEqual(line["reason"] as? String, "", c.name)
            }
        }
        for port in ["ext", "legacy", "audit"] {
            XCTAssertTrue(try pcapPackets(explained.appendingPathComponent("\(port).pcap")) == pcapPackets(out(port)), "explain vs engine on \(port)")
        }
        XCTAssertTrue(try pcapPackets(explained.appendingPathComponent("out.pcap")) == outPackets, "explain vs engine on out")
    }

    /// Bursts whose packets all leave by one port go out without grouping: forwarded packets
    /// keep their order among the drops, and every drop is counted by reason. The same with
    /// `--stage-cycles` (each stage its own walk of the burst), which also reports every stage.
    func testOneEgressBurstsKeepOrderAndCountDrops() throws {
        try oneEgressRun(stageCycles: false)
        try oneEgressRun(stageCycles: true)
    }

    private func oneEgressRun(stageCycles: Bool) throws {
        let dir = try GovFwdProcess.scratch(stageCycles ? "one-egress-stages" : "one-egress")
        var forged = Self.governed(Self.fields(capability: 0x43))
        forged[Self.govOffset(forged) + 48 + 12] ^= 0x01   // the inner source address, which the MAC covers
        let kinds: [(frame: [UInt8], reason: String?)] = [
            (Self.governed(Self.fields(capability: 0x44)), nil),
            (forged, "bad_mac"),
            (Self.governed(Self.fields(expiry: Self.now - 60)), "expired"),
            (Self.governed(Self.fields(scope: 200)), "policy_drop"),
            (Self.governed(Self.fields(authority: 8)), "unknown_authority"),
        ]
        // 264 packets: two full bursts with nothing to drop (sent as received), then 200 with
        // drops scattered among them (gathered before sending).
        var rng = SplitMix64(seed: 11)
        let picks = [Int](repeating: 0, count: 64)
            + (0..<200).map { _ in Int.random(in: 0..<10, using: &rng) < 6 ? 0 : Int.random(in: 1..<kinds.count, using: &rng) }
        let input = dir.appendingPathComponent("in.pcap")
        try writePcap(picks.map { kinds[$0].frame }, to: input)
        let stats = dir.appendingPathComponent("stats.json")
        let outFile = dir.appendingPathComponent("out.pcap")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(input.path)",
            "--vdev", "net_pcap1,tx_pcap=\(outFile.path)",
            "--vdev", "net_pcap2,tx_pcap=\(dir.appendingPathComponent("ext.pcap").path)",
            "--vdev", "net_pcap3,tx_pcap=\(dir.appendingPathComponent("legacy.pcap").path)",
            "--vdev", "net_pcap4,tx_pcap=\(dir.appendingPathComponent("audit.pcap").path)",
            "--", "--config", config.path, "--now", "\(Self.now)", "--idle-timeout", "0.5", "--stats-file", stats.path,
        ] + (stageCycles ? ["--stage-cycles"] : []))
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)

        let expected = picks.filter { kinds[$0].reason == nil }.map { Self.decrementHopBudget(kinds[$0].frame) }
        XCTAssertGreaterThan(expected.count, 144)
        assertPackets(try pcapPackets(outFile), expected, port: "out", cases: [])
        let s = try RunStatistics.load(stats)
        for (k, kind) in kinds.enumerated() {
            guard let reason = kind.reason else { continue }
            XCTAssertEqual(s.reasons[reason], UInt64(picks.filter { $0 == k }.count), reason)
        }
        XCTAssertEqual(s.rx, UInt64(picks.count))
        XCTAssertEqual(s.tx, UInt64(expected.count))
        XCTAssertEqual(s.dropped, UInt64(picks.count - expected.count))
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)
        if stageCycles {
            let stages = try XCTUnwrap(s.stageCyclesPerPacket, "--stage-cycles reports the stages")
            // Reported are the stages that took cycles: all six, in order on the summary line.
            XCTAssertEqual(Set(stages.keys), ["rx", "parse", "verify", "classify", "act", "tx"])
            XCTAssertNotNil(result.stdout.range(of: #"cycles per packet: rx [0-9.]+, parse [0-9.]+, verify [0-9.]+, classify [0-9.]+, act [0-9.]+, tx [0-9.]+; total"#,
                                                 options: .regularExpression), result.stdout)
        } else {
            XCTAssertNil(s.stageCyclesPerPacket)
        }
    }

    private func assertPackets(_ actual: [[UInt8]], _ expected: [[UInt8]], port: String, cases: [Case]) {
        XCTAssertEqual(actual.count, expected.count, "packets out of \(port)")
        for (i, (a, e)) in zip(actual, expected).enumerated() where a != e {
            let diff = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
            XCTFail("\(port) packet \(i): differs at byte \(diff) (lengths \(a.count), \(e.count))")
        }
    }

    private func writePcap(_ frames: [[UInt8]], to url: URL) throws {
        let writer = try PcapWriter(path: url.path)
        for (i, f) in frames.enumerated() { try writer.write(f, timestampNanoseconds: UInt64(i) * 1000) }
        try writer.close()
    }
}
