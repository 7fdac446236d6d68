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
}
