import ArgumentParser
import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// Every configuration in configs/ loads, and reads as its comments say.
final class ConfigExamplesTests: XCTestCase {
    typealias F = ConfigFixture

    override func setUpWithError() throws {
        try F.protectKeyFiles()
    }

    func load(_ name: String) throws -> NodeConfig {
        do {
            return try ConfigLoader.load(file: F.configs.appendingPathComponent(name).path)
        } catch {
            XCTFail("\(name):\n\(error)")
            throw error
        }
    }

    func testEveryBundledConfigurationLoads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: F.configs.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        XCTAssertTrue(names.contains("two-port.yaml") && names.contains("gateway.yaml") && names.contains("boundary.yaml"))
        for name in names {
            let config = try load(name)
            XCTAssertFalse(config.ports.isEmpty, name)
            let command = try CheckConfigCommand.parse([F.configs.appendingPathComponent(name).path])
            XCTAssertNoThrow(try command.run(), name)
        }
    }

    func testTwoPort() throws {
        let config = try load("two-port.yaml")
        XCTAssertEqual(config.settings.nodeName, "fwd-a")
        XCTAssertEqual(config.settings.udpPort, 4742)
        XCTAssertEqual(config.settings.clockSkewSeconds, 5)
        XCTAssertEqual(config.settings.wireGuardPort, 51820)
        XCTAssertEqual(config.ports, [
            PortConfig(name: "in", device: .ethdevName("net_pcap0"), boundary: .internal),
            PortConfig(name: "out", device: .ethdevName("net_pcap1"), boundary: .internal),
        ])
        let authority = try XCTUnwrap(config.authority(id: 7))
        XCTAssertEqual(authority.epochs, [1, 2])
        XCTAssertEqual(authority.keys[1]?.bytes, hexBytes("2b7e151628aed2a6abf7158809cf4f3c"))
        XCTAssertEqual(authority.keys[2]?.bytes, hexBytes("6bc1bee22e409f96e93d7e117393172a"), "from keys/")
        XCTAssertEqual(authority.scopes, .only([100, 101, 200]))
        XCTAssertEqual(authority.routeClasses, .only([1, 2]))
        XCTAssertEqual(authority.maxTrustLevel, 200)
        XCTAssertEqual(authority.maxLifetimeSeconds, 3600)
        XCTAssertEqual(config.policies.count, 4)
        XCTAssertEqual(config.policy(scopeID: 100, routeClass: 2)?.meters, [
            RateMeter(rateClass: 1, unit: .packets, committedRate: 100_000, burst: 2_000),
            RateMeter(rateClass: 2, unit: .bytes, committedRate: 125_000_000, burst: 1 << 20),
        ])
        XCTAssertEqual(config.policy(scopeID: 200, routeClass: 1)?.action, .drop)
        XCTAssertEqual(config.policy(scopeID: 101, routeClass: 1)?.minTrustLevel, 50)
        XCTAssertEqual(config.revoked, [0x1001, 0x1002, 4242])
        XCTAssertEqual(config.gatewaySelectors, [])
    }

    func testGateway() throws {
        let config = try load("gateway.yaml")
        let local = try XCTUnwrap(config.settings.localAuthority)
        XCTAssertEqual(local.authorityID, 9001)
        XCTAssertEqual(local.keyEpoch, 1)
        XCTAssertEqual(local.key.bytes, hexBytes("603deb1015ca71be2b73aef0857d7781"))
        XCTAssertEqual(config.port(named: "office")?.boundary, .gateway)
        XCTAssertEqual(config.port(named: "office")?.ungoverned, .push)
        XCTAssertEqual(config.port(named: "printers")?.ungoverned, .pass(egressPort: "office"))
        XCTAssertEqual(config.authority(id: 7)?.scopes, .all)
        XCTAssertEqual(config.gatewaySelectors.map(\.name), ["office-web", "office-dns", "office-v6"])
        let web = config.gatewaySelectors[0]
        XCTAssertEqual(web.ingressPort, "office")
        XCTAssertEqual(web.source?.description, "192.168.10.0/24")
        XCTAssertEqual(web.ipProtocol, 6)
        XCTAssertEqual(web.destinationPorts, 443...443)
        XCTAssertEqual(web.push, PushedCapability(scopeID: 100, routeClass: 1, trustLevel: 40,
                                                  constraints: Constraints(rateClass: 1).rawValue,
                                                  lifetimeSeconds: 300, capabilityID: 0x6f0001))
        XCTAssertEqual(config.gatewaySelectors[1].destination?.description, "10.20.0.53/32")
        let v6 = config.gatewaySelectors[2]
        XCTAssertEqual(v6.source?.description, "2001:db8:10::/48")
        XCTAssertEqual(v6.source?.contains(hexBytes("20010db8001000ff0000000000000001")), true)
        XCTAssertEqual(v6.source?.contains(hexBytes("20010db8001100000000000000000001")), false)
        XCTAssertEqual(v6.push.constraints, Constraints(noExport: true, label: 1).rawValue)
    }

    func testBoundary() throws {
        let config = try load("boundary.yaml")
        let peer = try XCTUnwrap(config.port(named: "peer"))
        XCTAssertEqual(peer.boundary, .external)
        XCTAssertEqual(peer.labelCeiling, 1)
        XCTAssertEqual(peer.auditPort, "audit")
        XCTAssertEqual(config.port(named: "audit")?.device, .index(2))
        XCTAssertEqual(config.settings.clockSkewSeconds, 2)
        XCTAssertEqual(config.policy(scopeID: 500, routeClass: 1)?.meters.map(\.rateClass), [1, 2, 3])
        XCTAssertEqual(config.policy(scopeID: 500, routeClass: 1)?.meters[2].burst, 1 << 20)
        XCTAssertEqual(config.revoked, [31337, 0x7a0001, 0x7a0002], "from boundary-revoked.txt")
        XCTAssertEqual(config.authority(id: 12)?.maxLifetimeSeconds, 900)
    }

    func testSummary() throws {
        let summary = try load("two-port.yaml").summary
        XCTAssertTrue(summary.hasPrefix("Node \"fwd-a\" (UDP carrier port 4742, clock skew 5s): 2 ports "
            + "(in: internal net_pcap0; out: internal net_pcap1), 1 authority (corp-ca id 7, epochs 1, 2), "
            + "4 scope policies with 2 meters, 3 revoked capability ids, 0 gateway selectors."), summary)
    }

    func testCheckConfigCommand() throws {
        let good = F.configs.appendingPathComponent("gateway.yaml").path
        var command = try CheckConfigCommand.parse([good])
        XCTAssertNoThrow(try command.run())

        let folder = try F.scratch("check-config")
        let bad = folder.appendingPathComponent("bad.yaml")
        try "apiVersion: govfwd/v1\nkind: Port\nmetadata: {name: a}\nspec: {device: x, boundary: inside}\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        command = try CheckConfigCommand.parse([bad.path])
        XCTAssertThrowsError(try command.run()) { error in
            XCTAssertEqual((error as? ExitCode)?.rawValue, 1)
        }
        XCTAssertThrowsError(try CheckConfigCommand.parse([]))
    }

    func testKeyFilePermissions() throws {
        let folder = try F.scratch("key-permissions")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("keys"),
                                                withIntermediateDirectories: true)
        let keyPath = folder.appendingPathComponent("keys/ca.key").path
        try "603deb1015ca71be2b73aef0857d7781\n".write(toFile: keyPath, atomically: true, encoding: .utf8)
        let yaml = ConfigFixture.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Authority
            metadata: {name: ca}
            spec:
              id: 7
              keys:
                - epoch: 1
                  keyFile: keys/ca.key   #@
              scopes: all
              maxTrustLevel: 200
              routeClasses: all
              maxLifetime: 1h
            """)
        let line = try XCTUnwrap(F.markedLine(yaml))
        let prefix = "test.yaml:\(line): Authority \"ca\": spec.keys[0].keyFile: "

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
        XCTAssertEqual(F.errors(yaml, folder: folder), [prefix + "key file \(keyPath) is accessible by group or "
            + "others (mode 0644); run: chmod 600 \(keyPath)"])

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        XCTAssertEqual(F.errors(yaml, folder: folder), [])
        let config = try ConfigLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: folder.path)
        XCTAssertEqual(config.authorities[0].keys[1]?.bytes, hexBytes("603deb1015ca71be2b73aef0857d7781"))

        // Exactly 16 bytes: a raw key.
        try Data(hexBytes("f0e1d2c3b4a5968778695a4b3c2d1e0f")).write(to: URL(fileURLWithPath: keyPath))
        XCTAssertEqual(try ConfigLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: folder.path)
            .authorities[0].keys[1]?.bytes, hexBytes("f0e1d2c3b4a5968778695a4b3c2d1e0f"))

        try "not a key\n".write(toFile: keyPath, atomically: false, encoding: .utf8)
        XCTAssertEqual(F.errors(yaml, folder: folder), [prefix + "key file \(keyPath): expected 32 hexadecimal "
            + "characters (0-9, a-f), found another character"])

        try FileManager.default.removeItem(atPath: keyPath)
        XCTAssertEqual(F.errors(yaml, folder: folder), [prefix + "cannot read key file \(keyPath): No such file or directory"])
    }

    func testRevokedFile() throws {
        let folder = try F.scratch("revoked-file")
        try "# ids\n1\n0x2  # two\n\nthree\n4\n".write(to: folder.appendingPathComponent("revoked.txt"),
                                                   atomically: true, encoding: .utf8)
        let yaml = ConfigFixture.stream(F.portA, """
            apiVersion: govfwd/v1
            kind: Revocations
            metadata: {name: r}
            spec:
              capabilities: [4, 5]
              revokedFile: revoked.txt   #@
            """)
        let line = try XCTUnwrap(F.markedLine(yaml))
        XCTAssertEqual(F.errors(yaml, folder: folder), ["test.yaml:\(line): Revocations \"r\": spec.revokedFile: "
            + "revoked.txt line 5: expected a capability id (decimal, or hexadecimal after 0x), got \"three\""])
        try "# ids\n1\n0x2  # two\n\n4\n".write(to: folder.appendingPathComponent("revoked.txt"),
                                             atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(yaml: yaml, file: "test.yaml", baseDirectory: folder.path)
        XCTAssertEqual(config.revoked, [1, 2, 4, 5])
    }

    func testEveryErrorIsReportedInFileOrder() {
        let yaml = ConfigFixture.stream("""
            apiVersion: govfwd/v1
            kind: Port
            metadata: {name: a}
            spec: {device: net_null0, boundary: inside, labelCeiling: 300}
            """, """
            apiVersion: govfwd/v1
            kind: ScopePolicy
            metadata: {name: p1}
            spec: {scope: 100, routeClass: 1, action: forward, egress: nowhere, minTrust: 3}
            """)
        XCTAssertEqual(F.errors(yaml), [
            "test.yaml:4: Port \"a\": spec.boundary: expected one of internal, external, legacy, gateway, got \"inside\"",
            "test.yaml:4: Port \"a\": spec.labelCeiling: expected an integer from 0 to 255, got \"300\"",
            "test.yaml:9: ScopePolicy \"p1\": spec.minTrust: unknown field; did you mean \"minTrustLevel\"?",
            "test.yaml:9: ScopePolicy \"p1\": spec.egress: no Port named \"nowhere\"",
        ])
    }

    func testValues() {
        XCTAssertEqual(parseDuration("90"), 90)
        XCTAssertEqual(parseDuration("1h30m"), 5400)
        XCTAssertEqual(parseDuration("2d"), 172_800)
        XCTAssertNil(parseDuration("1h30"))
        XCTAssertNil(parseDuration("0x10"))
        XCTAssertEqual(parseQuantity("64Ki"), 65536)
        XCTAssertEqual(parseQuantity("2M"), 2_000_000)
        XCTAssertNil(parseQuantity("99999999999999999999"))
        XCTAssertEqual(parseInteger("0xffffffffffffffff", as: UInt64.self), .max)
        XCTAssertNil(parseInteger("-1", as: UInt64.self))
        XCTAssertNil(parseInteger("+1", as: UInt64.self))
        XCTAssertEqual(parsePortRange("80"), 80...80)
        XCTAssertNil(parsePortRange("80-"))
        XCTAssertEqual(try? parseIPPrefix("10.0.0.1").get().description, "10.0.0.1/32")
        XCTAssertEqual(try? parseIPPrefix("2001:db8::/32").get().description, "2001:db8::/32")
        XCTAssertEqual(try? parseIPPrefix("::/0").get().description, "::/0")
        XCTAssertEqual(formatDuration(3661), "1h1m1s")
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
