import Foundation
import XCTest
import Pipeline
@testable import GovFwdCore

/// SIGHUP reloads the configuration: a valid file replaces the tables between bursts, an
/// invalid one is refused and the running tables stay.
final class ReloadTests: XCTestCase {
    static let now: UInt32 = 1_800_000_000

    static func config(action: String) -> String {
        """
        apiVersion: govfwd/v1
        kind: Port
        metadata: {name: in}
        spec: {device: net_pcap0, boundary: internal}
        ---
        apiVersion: govfwd/v1
        kind: Port
        metadata: {name: out}
        spec: {device: net_null1, boundary: internal}
        ---
        apiVersion: govfwd/v1
        kind: Authority
        metadata: {name: ca}
        spec:
          id: 7
          keys: [{epoch: 1, key: 2b7e151628aed2a6abf7158809cf4f3c}]
          scopes: all
          maxTrustLevel: 255
          routeClasses: all
          maxLifetime: 1h
        ---
        apiVersion: govfwd/v1
        kind: ScopePolicy
        metadata: {name: s100}
        spec: {scope: 100, routeClass: 1, \(action)}
        """
    }

    func testSighupSwapsTablesAndRefusesABadFile() throws {
        let dir = try GovFwdProcess.scratch("reload")
        let configURL = dir.appendingPathComponent("node.yaml")
        try Self.config(action: "action: forward, egress: out").write(to: configURL, atomically: true, encoding: .utf8)

        let key = CMACKey(hex: "2b7e151628aed2a6abf7158809cf4f3c")!
        let fields = GovFields(scope: ScopeID(100), trust: TrustLevel(50), routeClass: RouteClass(1), epoch: KeyEpoch(1),
                               authority: AuthorityID(7), expiry: Self.now + 600, capability: CapabilityID(9))
        var spec = FrameSpec()
        spec.frameSize = 128
        let frame = try FrameBuilder.governed(spec, fields: fields, key: key)
        let capture = dir.appendingPathComponent("in.pcap")
        let writer = try PcapWriter(path: capture.path)
        for i in 0..<64 { try writer.write(frame, timestampNanoseconds: UInt64(i)) }
        try writer.close()

        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(capture.path),infinite_rx=1", "--vdev", "net_null1,no-rx=1", "--",
            "--config", configURL.path, "--now", "\(Self.now)", "--duration", "4", "--stats-file", stats.path,
        ], timeout: 30) { pid in
            usleep(1_500_000)
            try? Self.config(action: "action: drop").write(to: configURL, atomically: true, encoding: .utf8)
            kill(pid, SIGHUP)
            usleep(700_000)
            try? Self.config(action: "action: forward, egress: nowhere").write(to: configURL, atomically: true, encoding: .utf8)
            kill(pid, SIGHUP)
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("SIGHUP: configuration reloaded from \(configURL.path)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("SIGHUP: configuration refused, the running tables are kept"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nowhere"), "the refusal names the bad field's value: \(result.stderr)")
        let s = try RunStatistics.load(stats)
        XCTAssertGreaterThan(s.tx, 0, "forwarded before the reload")
        XCTAssertGreaterThan(s.reasons["policy_drop"] ?? 0, 0, "dropped by the reloaded policy")
        XCTAssertEqual(s.rx, s.tx + s.dropped)
        XCTAssertEqual(s.dropped, s.reasons["policy_drop"] ?? 0, "nothing but the policy dropped packets")
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)
    }
}
