import Foundation
import XCTest
@testable import GovFwdCore
import Pipeline

/// Regression tests for hostile input, each over the real binary where the defect was seen
/// there: chained and jumbo frames, configurations and numbers that crashed the node, and key
/// material in messages.
final class HardeningTests: XCTestCase {
    typealias G = GovernedPipelineTests
    let config = GovFwdProcess.repository.appendingPathComponent("Tests/GovFwdTests/Fixtures/governed.yaml")

    /// What one run of the fixture node over `input` on port "in" sent out of each port.
    struct Run {
        var result: GovFwdProcess.Result
        var statistics: RunStatistics
        var out: [String: [[UInt8]]]
    }

    /// The fixture node (Fixtures/governed.yaml, or `config` with the same ports) over
    /// `frames` arriving on port "in", with `extra` application options.
    func runNode(_ name: String, _ frames: [[UInt8]], extra: [String] = [], config: URL? = nil) throws -> Run {
        let config = config ?? self.config
        let dir = try GovFwdProcess.scratch(name)
        let input = dir.appendingPathComponent("in.pcap")
        try writePcap(frames, to: input)
        let stats = dir.appendingPathComponent("stats.json")
        let ports = ["out", "ext", "legacy", "audit"]
        var vdevs = ["--vdev", "net_pcap0,rx_pcap=\(input.path)"]
        for (k, port) in ports.enumerated() {
            vdevs += ["--vdev", "net_pcap\(k + 1),tx_pcap=\(dir.appendingPathComponent("\(port).pcap").path)"]
        }
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + vdevs + [
            "--", "--config", config.path, "--now", "\(G.now)", "--idle-timeout", "0.5", "--stats-file", stats.path,
        ] + extra)
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        var out: [String: [[UInt8]]] = [:]
        for port in ports { out[port] = try pcapPackets(dir.appendingPathComponent("\(port).pcap")) }
        return Run(result: result, statistics: try RunStatistics.load(stats), out: out)
    }

    /// The fixture authority's key (Authority "ca", epoch 1) in a key file of mode 0600 in `dir`.
    static func keyFile(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("k.key")
        try "2b7e151628aed2a6abf7158809cf4f3c\n".write(to: url, atomically: true, encoding: .utf8)
        chmod(url.path, 0o600)
        return url
    }

    func writePcap(_ frames: [[UInt8]], to url: URL) throws {
        let writer = try PcapWriter(path: url.path)
        for (i, f) in frames.enumerated() { try writer.write(f, timestampNanoseconds: UInt64(i) * 1000) }
        try writer.close()
    }

    /// A valid governed frame of `size` bytes followed by `trailing` bytes that no length
    /// field counts (the MAC does not cover them), each trailing byte derived from `seed`.
    static func padded(_ fields: GovFields = G.fields(), size: Int = 160, trailing: Int, seed: Int) -> [UInt8] {
        var spec = FrameSpec()
        spec.frameSize = size
        return try! FrameBuilder.governed(spec, fields: fields, key: G.caKey)
            + (0..<trailing).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ seed ^ (seed >> 8)) }
    }

    // MARK: - Chained mbufs

    /// An AUDIT packet over 2048 bytes arrives as a chain: the copy must hold a reference to
    /// every segment, or the later segments are freed twice (a worker died of SIGSEGV, and
    /// frames left carrying other packets' bytes). 2000 such packets through a pool of 512
    /// mbufs make every freed segment come back for a later packet.
    func testAuditCopyOfChainedFrame() throws {
        let frames = (0..<2000).map { Self.padded(G.fields(constraints: 1 << 1), trailing: 2900, seed: $0) }
        let run = try runNode("audit-chained", frames, extra: ["--mbufs", "512"])
        let expected = frames.map(G.decrementHopBudget)
        XCTAssertTrue(run.out["out"]! == expected, "every forwarded frame is its own packet, whole")
        XCTAssertTrue(run.out["audit"]! == expected, "every audit copy is its own packet, whole")
        XCTAssertEqual(run.statistics.auditCopies, 2000)
        XCTAssertTrue(run.statistics.accountingOk)
        XCTAssertEqual(run.statistics.mempoolInUse, 0)
    }

    /// A 9000-byte governed frame is valid: its lengths are checked against the whole chain,
    /// its headers read from the first segment. explain agrees with the engine.
    func testJumboGovernedFrameIsForwarded() throws {
        var v6 = FrameSpec()
        v6.innerSource = IPAddress("2001:db8::1")!
        v6.innerDestination = IPAddress("2001:db8::2")!
        v6.outerSource = IPAddress("2001:db8:ff::1")!
        v6.outerDestination = IPAddress("2001:db8:ff::2")!
        v6.frameSize = 9000
        var v4 = FrameSpec()
        v4.frameSize = 9000
        var lie = try FrameBuilder.governed(v4, fields: G.fields(), key: G.caKey)
        lie[14 + 2] = 0x24   // outer IPv4 total length 9300: more than the frame
        lie[14 + 3] = 0x54
        var forged = try FrameBuilder.governed(v4, fields: G.fields(), key: G.caKey)
        forged[G.govOffset(forged) + 40] ^= 1
        let frames = [try FrameBuilder.governed(v4, fields: G.fields(), key: G.caKey),
                      try FrameBuilder.governed(v6, fields: G.fields(), key: G.caKey), lie, forged]
        let run = try runNode("jumbo", frames)
        XCTAssertTrue(run.out["out"]! == frames[0..<2].map(G.decrementHopBudget), "both jumbo frames forwarded whole")
        XCTAssertEqual(run.statistics.reasons["malformed_truncated_ip"], 1)
        XCTAssertEqual(run.statistics.reasons["bad_mac"], 1)
        XCTAssertEqual(run.statistics.mempoolInUse, 0)

        let dir = try GovFwdProcess.scratch("jumbo-explain")
        let input = dir.appendingPathComponent("in.pcap")
        try writePcap(frames, to: input)
        let ex = try GovFwdProcess.run(["explain", "--config", config.path, "--pcap", input.path, "--ingress", "in",
                                        "--now", "\(G.now)", "--json", "--output", dir.appendingPathComponent("x").path])
        XCTAssertEqual(ex.status, 0, ex.stderr)
        let reasons = ex.stdout.split(separator: "\n").map {
            (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["reason"] as? String
        }
        XCTAssertEqual(reasons, ["", "", "malformed_truncated_ip", "bad_mac"])
        let runtime = (try? FileManager.default.contentsOfDirectory(atPath: "/var/run/dpdk")) ?? []
        XCTAssertFalse(runtime.contains { $0.hasPrefix("govfwd-explain-") }, "explain leaves no runtime folder: \(runtime)")
        XCTAssertTrue(try pcapPackets(dir.appendingPathComponent("x/out.pcap")) == run.out["out"]!, "explain vs engine")
    }

    /// Leaving through a legacy port, a chained packet loses its carrier, its header and the
    /// bytes after the inner packet, in whichever segment they lie.
    func testStripOfChainedFrame() throws {
        let frames = (0..<40).map { Self.padded(G.fields(routeClass: 3), trailing: 3000 + $0, seed: $0) }
        let run = try runNode("strip-chained", frames)
        let expected = frames.map { frame -> [UInt8] in
            let inner = G.govOffset(frame) + 48
            let innerLength = Int(frame[inner + 2]) << 8 | Int(frame[inner + 3])
            return Array(frame[0..<12]) + [0x08, 0x00] + Array(frame[inner..<inner + innerLength])
        }
        XCTAssertTrue(run.out["legacy"]! == expected, "stripped to the inner packet, without the trailing bytes")
        XCTAssertEqual(run.statistics.mempoolInUse, 0)
    }

    // MARK: - Configuration input

    /// The fixture with `transform` applied, written to a scratch file.
    func fixture(_ name: String, _ transform: (String) -> String) throws -> URL {
        let dir = try GovFwdProcess.scratch(name)
        let url = dir.appendingPathComponent("node.yaml")
        try transform(try String(contentsOf: config, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A configuration nested thousands of levels deep overflowed the stack of the YAML
    /// parser: check-config crashed, and a SIGHUP with it killed the running node. It is
    /// refused, naming the limit, and a running node keeps its tables. So is a stream whose
    /// aliases expand to billions of values.
    func testDeeplyNestedConfigurationIsRefused() throws {
        let dir = try GovFwdProcess.scratch("deep")
        let deep = dir.appendingPathComponent("deep.yaml")
        try ("apiVersion: govfwd/v1\nkind: Node\nmetadata: {name: x}\nspec: " + String(repeating: "[", count: 20_000)
             + String(repeating: "]", count: 20_000) + "\n").write(to: deep, atomically: true, encoding: .utf8)
        let check = try GovFwdProcess.run(["check-config", deep.path])
        XCTAssertEqual(check.status, 1, check.stderr)
        XCTAssertTrue(check.stderr.contains("deep.yaml:4: nested more than 64 levels deep"), check.stderr)

        let laughs = dir.appendingPathComponent("laughs.yaml")
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        try text.write(to: laughs, atomically: true, encoding: .utf8)
        let expanded = try GovFwdProcess.run(["check-config", laughs.path])
        XCTAssertEqual(expanded.status, 1, expanded.stderr)
        XCTAssertTrue(expanded.stderr.contains("counting each alias as the values it repeats"), expanded.stderr)

        // SIGHUP with the deep file: refused, the node goes on forwarding with its tables.
        let node = try fixture("deep-reload") { $0 }
        let frames = (0..<64).map { _ in G.governed() }
        let input = node.deletingLastPathComponent().appendingPathComponent("in.pcap")
        try writePcap(frames, to: input)
        let stats = node.deletingLastPathComponent().appendingPathComponent("stats.json")
        var vdevs = ["--vdev", "net_pcap0,rx_pcap=\(input.path),infinite_rx=1"]
        for k in 1...4 { vdevs += ["--vdev", "net_null\(k),no-rx=1"] }
        let nullConfig = node.deletingLastPathComponent().appendingPathComponent("null.yaml")
        try String(contentsOf: node, encoding: .utf8).replacingOccurrences(of: "device: net_pcap", with: "device: net_null")
            .replacingOccurrences(of: "device: net_null0", with: "device: net_pcap0")
            .write(to: nullConfig, atomically: true, encoding: .utf8)
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + vdevs + [
            "--", "--config", nullConfig.path, "--now", "\(G.now)", "--duration", "3", "--stats-file", stats.path,
        ], timeout: 30) { pid in
            usleep(1_000_000)
            try? FileManager.default.removeItem(at: nullConfig)
            try? FileManager.default.copyItem(at: deep, to: nullConfig)
            kill(pid, SIGHUP)
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("SIGHUP: configuration refused, the running tables are kept"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nested more than 64 levels deep"), result.stderr)
        let s = try RunStatistics.load(stats)
        XCTAssertGreaterThan(s.tx, 0)
        XCTAssertEqual(s.dropped, 0, "the running tables forwarded every packet")
        XCTAssertEqual(s.mempoolInUse, 0)
    }

    /// A meter rate of 1.85e17 per second or more passed check-config, then killed the node
    /// with SIGFPE in rte_meter on the first metered packet. Rates and bursts above 10^15 are
    /// refused; the largest allowed rate meters packets without a fault, in the engine and
    /// in explain.
    func testHugeMeterRateIsRefused() throws {
        for rate in ["185000000000000000", "18446744073709551615", "1000000000000001"] {
            let url = try fixture("meter-\(rate.count)") { $0.replacingOccurrences(of: "packetsPerSecond: 1\n", with: "packetsPerSecond: \(rate)\n") }
            let check = try GovFwdProcess.run(["check-config", url.path])
            XCTAssertEqual(check.status, 1, rate)
            XCTAssertTrue(check.stderr.contains("spec.meters[0].packetsPerSecond"), check.stderr)
        }
        let url = try fixture("meter-max") {
            $0.replacingOccurrences(of: "packetsPerSecond: 1\n", with: "packetsPerSecond: 1000000000000000\n")
              .replacingOccurrences(of: "      burst: 1\n", with: "      burst: 1000000000000000\n")
        }
        XCTAssertEqual(try GovFwdProcess.run(["check-config", url.path]).status, 0)
        let metered = (0..<100).map { _ in G.governed(G.fields(scope: 102, constraints: 1 << 8)) }
        let run = try runNode("meter-max-run", metered, config: url)
        XCTAssertEqual(run.out["out"]!.count, 100, "every metered packet is green")
        let input = url.deletingLastPathComponent().appendingPathComponent("metered.pcap")
        try writePcap(metered, to: input)
        let ex = try GovFwdProcess.run(["explain", "--config", url.path, "--pcap", input.path, "--now", "\(G.now)"])
        XCTAssertEqual(ex.status, 0, ex.stderr)
        XCTAssertEqual(ex.stdout.split(separator: "\n").filter { $0.contains("forward out") }.count, 100)
    }

    /// A key written where a key file's path, a number or constraints belong was repeated in
    /// the error. None of these messages holds it, or any long run of its digits.
    func testKeyMaterialIsNeverEchoed() throws {
        let key = "2b7e151628aed2a6abf7158809cf4f3c"
        let dir = try GovFwdProcess.scratch("key-echo")
        let keyFile = try Self.keyFile(in: dir)
        let inPath = try fixture("key-echo-path") { $0.replacingOccurrences(of: "key: \(key)", with: "keyFile: \(key)") }
        let inConstraints = try fixture("key-echo-constraints") {
            $0.replacingOccurrences(of: "    trustLevel: 40\n", with: "    trustLevel: 40\n    constraints: \(key)\n")
        }
        let inRate = try fixture("key-echo-rate") {
            $0.replacingOccurrences(of: "    trustLevel: 40\n", with: "    trustLevel: 40\n    constraints: rate=\(key)\n")
        }
        let mint = ["mint", "--authority", "7", "--epoch", "1", "--scope", "1", "--capability-id", "1",
                    "--src", "10.0.0.1", "--dst", "10.0.0.2"]
        let runs: [(String, [String])] = [
            ("keyFile", ["check-config", inPath.path]),
            ("constraints", ["check-config", inConstraints.path]),
            ("rate class", ["check-config", inRate.path]),
            ("mint --key-file", mint + ["--key-file", key]),
            ("mint --scope", ["mint", "--key-file", keyFile.path, "--authority", "7", "--epoch", "1", "--scope", key,
                              "--capability-id", "1", "--src", "10.0.0.1", "--dst", "10.0.0.2"]),
            ("mint --constraints", mint + ["--key-file", keyFile.path, "--constraints", key]),
            ("craft --key-file", ["craft", "--output", dir.appendingPathComponent("x.pcap").path, "--key-file", key,
                                  "--authority", "7", "--epoch", "1", "--scope", "100"]),
            ("explain --now", ["explain", "--config", config.path, "--pcap", "/nonexistent", "--now", key]),
            ("check-config path", ["check-config", key]),
        ]
        for (what, arguments) in runs {
            let r = try GovFwdProcess.run(arguments)
            XCTAssertNotEqual(r.status, 0, what)
            let said = r.stdout + r.stderr
            XCTAssertFalse(said.isEmpty, what)
            XCTAssertFalse(Redaction.mayHoldKey(said, run: 16), "\(what) repeats key material: \(said)")
        }
        // The engine's own options: the argument parser repeats what it refuses.
        let engine = try GovFwdProcess.run(GovFwdProcess.eal() + ["--vdev", "net_null0", "--", "--forward-mode", "io",
                                                                  "--now", key])
        XCTAssertNotEqual(engine.status, 0)
        XCTAssertFalse(Redaction.mayHoldKey(engine.stdout + engine.stderr, run: 16), engine.stderr)
    }

    // MARK: - Command line

    /// Large, negative and non-finite numbers: refused with the option and its range, never a
    /// trap, a failed allocation, "Missing value" or a silently ignored value. A second node
    /// with the same --file-prefix says what holds it back, not "Success".
    func testOutOfRangeNumbersAreRefused() throws {
        let eal = GovFwdProcess.eal() + ["--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode", "io"]
        let cases: [([String], String)] = [
            (["--mbufs", "99999999999"], "--mbufs must be 64 to 16777215"),
            (["--rxq", "-1"], "--rxq must be 1 to 64, got -1"),
            (["--burst", "-5"], "--burst must be 1 to 32, got -5"),
            (["--duration", "nan"], "--duration must be a number of seconds"),
            (["--duration", "inf"], "--duration must be a number of seconds"),
            (["--idle-timeout", "nan"], "--idle-timeout must be a number of seconds"),
            (["--idle-timeout", "-1"], "--idle-timeout must be a number of seconds"),
            (["--stats-period", "1e300"], "--stats-period must be a number of seconds"),
            (["--link-timeout", "-inf"], "--link-timeout must be a number of seconds"),
        ]
        for (options, message) in cases {
            let r = try GovFwdProcess.run(eal + options)
            XCTAssertEqual(r.status, 1, options.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(message), "\(options): \(r.stderr)")
        }
        let dir = try GovFwdProcess.scratch("numbers")
        let keyFile = try Self.keyFile(in: dir)
        let craft = try GovFwdProcess.run(["craft", "--output", dir.appendingPathComponent("x.pcap").path, "--count",
                                           "100000000000", "--key-file", keyFile.path, "--authority", "7", "--epoch", "1",
                                           "--scope", "100"])
        XCTAssertEqual(craft.status, 64)
        XCTAssertTrue(craft.stderr.contains("--count must be 0 to 10000000"), craft.stderr)
        let negative = try GovFwdProcess.run(["craft", "--output", dir.appendingPathComponent("x.pcap").path, "--count",
                                              "-3", "--key-file", keyFile.path, "--authority", "7", "--epoch", "1",
                                              "--scope", "100"])
        XCTAssertTrue(negative.stderr.contains("--count must be 0 to 10000000, got -3"), negative.stderr)

        // Two processes, one --file-prefix.
        let prefix = ["-l", "0,1", "--no-pci", "--file-prefix", "govfwd-test-lock-\(getpid())", "--log-level", "*:warning",
                      "--no-huge", "-m", "256", "--vdev", "net_null0", "--vdev", "net_null1", "--",
                      "--forward-mode", "io"]
        var second: GovFwdProcess.Result?
        let first = try GovFwdProcess.run(prefix + ["--duration", "4"], timeout: 30) { _ in
            usleep(1_500_000)
            second = try? GovFwdProcess.run(prefix + ["--duration", "1"])
        }
        XCTAssertEqual(first.status, 0, first.stderr)
        let refused = try XCTUnwrap(second)
        XCTAssertEqual(refused.status, 1)
        XCTAssertFalse(refused.stderr.contains("Success"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("give each process its own --file-prefix"), refused.stderr)
    }

    // MARK: - Tools

    /// mint sealed headers that every node drops (reserved constraint bits, hop budget 0, an
    /// expiry in the past) with exit 0, and craft labelled expired packets "valid". Both
    /// refuse, naming the reason a node would give; mint seals them on request.
    func testMintRefusesHeadersNodesDrop() throws {
        let dir = try GovFwdProcess.scratch("mint-invalid")
        let keyFile = try Self.keyFile(in: dir)
        let mint = ["mint", "--key-file", keyFile.path, "--authority", "7", "--epoch", "1", "--scope", "100",
                    "--capability-id", "1", "--src", "10.0.0.1", "--dst", "10.0.0.2"]
        let cases: [([String], String)] = [
            (["--constraints", "0x8"], "reserved_constraint_bits"),
            (["--constraints", "0x01000000"], "reserved_constraint_bits"),
            (["--hop-budget", "0"], "hop_budget_exhausted"),
            (["--expiry", "1000"], "(expired)"),
        ]
        for (options, reason) in cases {
            let r = try GovFwdProcess.run(mint + options)
            XCTAssertEqual(r.status, 64, options.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(reason), r.stderr)
            let allowed = try GovFwdProcess.run(mint + options + ["--allow-invalid"])
            XCTAssertEqual(allowed.status, 0, allowed.stderr)
            XCTAssertEqual(allowed.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count, 96)
        }
        let craft = try GovFwdProcess.run(["craft", "--output", dir.appendingPathComponent("x.pcap").path, "--key-file",
                                           keyFile.path, "--authority", "7", "--epoch", "1", "--scope", "100",
                                           "--now", "1800000000", "--expiry", "1700000000"])
        XCTAssertEqual(craft.status, 64)
        XCTAssertTrue(craft.stderr.contains("--expiry 1700000000 is before --now"), craft.stderr)
    }
}
