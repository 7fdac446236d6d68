import Foundation
import XCTest

/// The engine in io mode over the pcap and null PMDs, and its command-line errors.
final class IOForwardingTests: XCTestCase {
    let capture = GovFwdProcess.repository.appendingPathComponent("configs/captures/demo-io.pcap")

    /// A capture in on port 0, `tx_pcap` out on port 1 (paired): every packet comes out
    /// byte for byte, in order, and every packet is accounted for.
    func testPcapPairedForwardsEveryPacketUnchanged() throws {
        let dir = try GovFwdProcess.scratch("pcap-paired")
        try forwardCapture(memory: GovFwdProcess.memoryOptions, into: dir)
    }

    /// The same with --no-huge, whatever the machine has.
    func testPcapWithoutHugepages() throws {
        let dir = try GovFwdProcess.scratch("pcap-nohuge")
        try forwardCapture(memory: ["--no-huge", "-m", "512"], into: dir)
    }

    /// And with hugepages, where the machine has them.
    func testPcapWithHugepages() throws {
        try XCTSkipUnless(GovFwdProcess.hugepagesAvailable, "no free hugepages on this machine")
        let dir = try GovFwdProcess.scratch("pcap-huge")
        try forwardCapture(memory: ["--in-memory"], into: dir)
    }

    private func forwardCapture(memory: [String], into dir: URL) throws {
        let output = dir.appendingPathComponent("out.pcap")
        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal(memory: memory) + [
            "--vdev", "net_pcap0,rx_pcap=\(capture.path)", "--vdev", "net_pcap1,tx_pcap=\(output.path)", "--",
            "--forward-mode", "io", "--idle-timeout", "0.5", "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let input = try pcapPackets(capture)
        let forwarded = try pcapPackets(output)
        XCTAssertEqual(input.count, 1000)
        XCTAssertEqual(forwarded.count, input.count)
        XCTAssertTrue(forwarded == input, "output packets differ from the input")
        let s = try RunStatistics.load(stats)
        XCTAssertEqual(s.rx, UInt64(input.count))
        XCTAssertEqual(s.tx, UInt64(input.count))
        XCTAssertEqual(s.dropped, 0)
        XCTAssertEqual(s.ports[0].rx, UInt64(input.count))
        XCTAssertEqual(s.ports[0].forwarded, UInt64(input.count))
        XCTAssertEqual(s.ports[1].tx, UInt64(input.count))
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.mempoolInUse, 0)
        XCTAssertTrue(result.stdout.contains("accounting: rx 1000 == tx 1000 + dropped 0: ok"), result.stdout)
    }

    /// One pcap port in loop topology sends everything back out of itself.
    func testLoopTopologyOnOnePort() throws {
        let dir = try GovFwdProcess.scratch("pcap-loop")
        let output = dir.appendingPathComponent("out.pcap")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_pcap0,rx_pcap=\(capture.path),tx_pcap=\(output.path)", "--",
            "--forward-mode", "io", "--port-topology", "loop", "--idle-timeout", "0.5",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(try pcapPackets(output) == pcapPackets(capture))
    }

    /// Null PMD for two seconds: a rate above zero, a clean exit, no mbuf left in use.
    func testNullPMDForwardsAndExitsClean() throws {
        let dir = try GovFwdProcess.scratch("null")
        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode", "io", "--duration", "2", "--stats-file", stats.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let s = try RunStatistics.load(stats)
        XCTAssertGreaterThan(s.rx, 100_000)
        XCTAssertGreaterThan(s.rxMpps, 0.1)
        XCTAssertTrue(s.accountingOk)
        XCTAssertEqual(s.rx, s.tx + s.dropped)
        XCTAssertEqual(s.mempoolInUse, 0)
    }

    /// --max-packets stops the run by itself, after at least that many packets.
    func testMaxPacketsStopsTheRun() throws {
        let dir = try GovFwdProcess.scratch("max-packets")
        let stats = dir.appendingPathComponent("stats.json")
        let result = try GovFwdProcess.run(GovFwdProcess.eal() + [
            "--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode", "io", "--max-packets", "200000", "--stats-file", stats.path,
        ], timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        let s = try RunStatistics.load(stats)
        XCTAssertGreaterThanOrEqual(s.rx, 200_000)
        XCTAssertEqual(s.mempoolInUse, 0)
        XCTAssertTrue(result.stderr.contains("--max-packets 200000"), result.stderr)
    }

    /// SIGINT and SIGTERM stop the run cleanly: final statistics, accounting, pool empty.
    func testSignalsStopCleanly() throws {
        for signal in [SIGINT, SIGTERM] {
            let result = try GovFwdProcess.run(GovFwdProcess.eal() + ["--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode", "io"],
                                               timeout: 30) { pid in
                usleep(1_500_000)
                kill(pid, signal)
            }
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stderr.contains("signal \(signal) received"), result.stderr)
            XCTAssertTrue(result.stdout.contains("mempool: 0 of"), result.stdout)
            XCTAssertTrue(result.stdout.contains(": ok\n"), result.stdout)
        }
    }

    /// Set-up errors exit non-zero with one line naming what is wrong.
    func testSetupErrorsNameTheProblem() throws {
        let cases: [(name: String, arguments: [String], message: String)] = [
            ("unknown option", GovFwdProcess.eal() + ["--vdev", "net_null0", "--", "--bogus"], "Unknown option '--bogus'"),
            ("no ports", GovFwdProcess.eal() + ["--", "--forward-mode", "io"], "no ports: the EAL found no device"),
            ("one lcore", GovFwdProcess.eal(lcores: "0") + ["--vdev", "net_null0", "--", "--forward-mode", "io"], "no worker lcore"),
            ("odd ports paired", GovFwdProcess.eal() + ["--vdev", "net_null0", "--", "--forward-mode", "io"], "paired needs an even number of ports"),
            ("govern without config", GovFwdProcess.eal() + ["--vdev", "net_null0", "--"], "govern needs --config"),
            ("bad config", GovFwdProcess.eal() + ["--vdev", "net_null0", "--", "--config", "/nonexistent.yaml"], "/nonexistent.yaml"),
            ("missing port", GovFwdProcess.eal() + ["--vdev", "net_null0", "--vdev", "net_null1", "--", "--forward-mode", "io", "--ports", "0,5"], "port 5 does not exist"),
            ("bad burst", GovFwdProcess.eal() + ["--vdev", "net_null0", "--", "--burst", "64"], "--burst must be 1 to 32"),
            ("bad lcore list", GovFwdProcess.eal(lcores: "0,999") + ["--"], "EAL initialisation failed"),
            ("too many rx queues", GovFwdProcess.eal() + ["--vdev", "net_pcap0,rx_pcap=\(capture.path)", "--vdev", "net_null1", "--", "--forward-mode", "io", "--rxq", "40"], "rx queues requested"),
        ]
        for c in cases {
            let result = try GovFwdProcess.run(c.arguments, timeout: 30)
            XCTAssertNotEqual(result.status, 0, c.name)
            let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(last.hasPrefix("govfwd: ") && last.contains(c.message), "\(c.name): \(result.stderr)")
        }
    }

    /// --help explains the application options and never needs the EAL.
    func testHelpExplainsOptions() throws {
        let result = try GovFwdProcess.run(["--help"])
        XCTAssertEqual(result.status, 0)
        for option in ["--forward-mode", "--port-topology", "--rxq", "--rxd", "--txd", "--stats-period", "--max-packets",
                       "--duration", "--idle-timeout", "--vdev", "--no-huge"] {
            XCTAssertTrue(result.stdout.contains(option), "help does not mention \(option)")
        }
    }
}
