import Foundation
import XCTest

/// The testpmd-style benchmark modes: macswap, rxonly, txonly.
final class BenchModesTests: XCTestCase {
    let capture = GovFwdProcess.repository.appendingPathComponent("configs/captures/demo-io.pcap")

    /// macswap: every packet out of the peer port with its Ethernet addresses swapped.
    func testMacSwapSwapsAddresses() throws {
        let dir = try GovFwdProcess.scratch("macswap")
        let output = dir.appendingPathComponent("out.pcap")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(capture.path)", "--vdev", "net_pcap1,tx_pcap=\(output.path)", "--",
            "--forward-mode", "macswap", "--idle-timeout", "0.5",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let input = try pcapPackets(capture)
        let expected = input.map { Array($0[6..<12]) + Array($0[0..<6]) + Array($0[12...]) }
        XCTAssertEqual(try pcapPackets(output).count, input.count)
        XCTAssertTrue(try pcapPackets(output) == expected)
    }

    /// rxonly: everything received is freed and counted as rxonly_discard.
    func testRxOnlyCountsDiscards() throws {
        let dir = try GovFwdProcess.scratch("rxonly")
        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(capture.path)", "--vdev", "net_pcap1,rx_pcap=\(capture.path)", "--",
            "--forward-mode", "rxonly", "--idle-timeout", "0.5", "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let s = try RunStatistics.load(stats)
        XCTAssertEqual(s.rx, 2000)
        XCTAssertEqual(s.tx, 0)
        XCTAssertEqual(s.reasons["rxonly_discard"], 2000)
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)
    }

    /// txonly: the frames of --tx-pcap, in order and in a loop, on the peer ports.
    func testTxOnlySendsTheTemplatesInALoop() throws {
        let dir = try GovFwdProcess.scratch("txonly")
        let output = dir.appendingPathComponent("out.pcap")
        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,tx_pcap=\(output.path)", "--",
            "--forward-mode", "txonly", "--port-topology", "loop", "--tx-pcap", capture.path, "--duration", "0.2",
            "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let templates = try pcapPackets(capture)
        let sent = try pcapPackets(output)
        XCTAssertGreaterThan(sent.count, templates.count, "more than one pass over the templates")
        for (i, frame) in sent.enumerated() where frame != templates[i % templates.count] {
            XCTFail("frame \(i) is not template \(i % templates.count)")
            break
        }
        let s = try RunStatistics.load(stats)
        XCTAssertEqual(s.tx, UInt64(sent.count))
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)
    }
}
