import Foundation
import XCTest
import Pipeline

/// The malformed-packet corpus through the real binary over the pcap PMD: truncations at every
/// header boundary, length fields that lie, reserved bits, bad versions, options, forged MACs,
/// ungoverned traffic, frames chained over several mbufs, and valid packets among them. Each
/// kind of defect must be dropped with its own reason, and the valid packets forwarded.
///
/// The capture and its table are fixtures in `Fixtures/malformed/`, written together by
/// `tools/malformed-corpus.py` (the packets built from DESIGN.md section 1 in Python, sealed
/// with that script's own AES-CMAC). To add a kind, add it there and rerun the script. To see
/// what the node does with each packet: `govfwd explain --config <config> --pcap corpus.pcap
/// --ingress in --now 1800000000` (frames up to 2048 bytes).
final class MalformedCorpusTests: XCTestCase {
    /// `expected.json`.
    struct Expectations: Decodable {
        struct Kind: Decodable {
            var kind: String
            /// A drop reason's name (`DropReason.name`), or ``MalformedCorpusTests/forwarded``.
            var reason: String
            /// Packets of this kind in the capture, one after the other.
            var count: Int
            var description: String
        }
        /// The node's configuration, from the repository root.
        var config: String
        /// The configured port the capture arrives on.
        var ingress: String
        var now: UInt32
        var packets: Int
        var forwarded: Int
        var kinds: [Kind]
    }

    /// The outcome of a valid packet in `expected.json`.
    static let forwarded = "forwarded"

    /// The packets expected with one outcome, and the kinds they come from (for the failure messages).
    struct Outcome {
        var packets: UInt64 = 0
        var kinds: [String] = []

        var from: String { kinds.isEmpty ? "no kind expects it" : "expected from \(kinds.joined(separator: ", "))" }
    }

    let fixtures = GovFwdProcess.repository.appendingPathComponent("Tests/GovFwdTests/Fixtures/malformed")

    func testEveryMalformedKindIsDroppedWithItsReason() throws {
        let expected = try JSONDecoder().decode(
            Expectations.self, from: Data(contentsOf: fixtures.appendingPathComponent("expected.json")))
        let corpus = fixtures.appendingPathComponent("corpus.pcap")

        // The capture and the table are written together: they cannot drift apart.
        let total = expected.kinds.reduce(0) { $0 + $1.count }
        XCTAssertEqual(try pcapPackets(corpus).count, total,
                       "packets in corpus.pcap vs expected.json: rerun tools/malformed-corpus.py")
        XCTAssertEqual(expected.packets, total)
        XCTAssertEqual(Set(expected.kinds.map(\.kind)).count, expected.kinds.count, "kind names are unique")
        XCTAssertGreaterThanOrEqual(expected.kinds.count, 60, "distinct kinds")

        var outcomes: [String: Outcome] = [:]
        for k in expected.kinds {
            XCTAssertTrue(k.reason == Self.forwarded || DropReason(name: k.reason) != nil,
                          "\(k.kind): \"\(k.reason)\" is not a drop reason")
            XCTAssertGreaterThan(k.count, 0, k.kind)
            outcomes[k.reason, default: Outcome()].packets += UInt64(k.count)
            outcomes[k.reason, default: Outcome()].kinds.append(k.kind)
        }
        let forwarded = outcomes[Self.forwarded] ?? Outcome()
        XCTAssertEqual(UInt64(expected.forwarded), forwarded.packets)

        // The engine, the way the governed-pipeline test runs it: the capture arrives on "in"
        // (net_pcap0); every other configured port writes what leaves it.
        let dir = try GovFwdProcess.scratch("malformed-corpus")
        let stats = dir.appendingPathComponent("stats.json")
        func out(_ port: Int) -> URL { dir.appendingPathComponent("net_pcap\(port).pcap") }
        let config = GovFwdProcess.repository.appendingPathComponent(expected.config)
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(corpus.path)",
            "--vdev", "net_pcap1,tx_pcap=\(out(1).path)",
            "--vdev", "net_pcap2,tx_pcap=\(out(2).path)",
            "--vdev", "net_pcap3,tx_pcap=\(out(3).path)",
            "--vdev", "net_pcap4,tx_pcap=\(out(4).path)",
            "--", "--config", config.path, "--now", "\(expected.now)", "--idle-timeout", "1", "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout)
        let s = try RunStatistics.load(stats)

        // Every drop reason: exactly as many packets as the kinds that expect it (0 for the others).
        let hint = "(govfwd explain --config \(expected.config) --pcap \(corpus.path) --ingress \(expected.ingress)"
            + " --now \(expected.now) names each packet's reason)"
        for reason in DropReason.allCases.map(\.name) {
            let e = outcomes[reason] ?? Outcome()
            guard let counted = s.reasons[reason] else {
                XCTFail("the statistics have no counter for \(reason) (\(e.from))")
                continue
            }
            XCTAssertEqual(counted, e.packets, "drop reason \(reason): \(e.from) \(hint)")
        }

        // The valid packets leave through "out" (net_pcap1), nothing else leaves.
        let ingress = try XCTUnwrap(s.ports.first { $0.name == "net_pcap0" }, "the ingress port's statistics")
        XCTAssertEqual(ingress.rx, UInt64(total), "packets received")
        XCTAssertEqual(ingress.forwarded, forwarded.packets, "forwarded: \(forwarded.from) \(hint)")
        XCTAssertEqual(s.tx, forwarded.packets, "packets sent")
        XCTAssertEqual(s.dropped, UInt64(total) - forwarded.packets, "packets dropped")
        XCTAssertEqual(try pcapPackets(out(1)).count, Int(forwarded.packets), "packets out of net_pcap1 (\"out\")")
        for port in 2...4 {
            XCTAssertEqual(try pcapPackets(out(port)).count, 0, "packets out of net_pcap\(port)")
        }
        XCTAssertTrue(s.accountingOk, "rx == forwarded + dropped on every port")
        XCTAssertEqual(s.mempoolInUse, 0, "mbufs in use at exit")
    }
}
