import Foundation
import XCTest

/// The engine over the af_packet PMD on a veth pair inside a network namespace the test
/// makes and removes: frames sent into one end come out of govfwd's other port unchanged.
final class AfPacketTests: XCTestCase {
    let namespace = "govfwd-test-\(getpid())"

    @discardableResult
    private func sh(_ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "needs root for a network namespace")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 with scapy")
        guard try sh(["ip", "netns", "add", namespace]) == 0 else { throw XCTSkip("cannot create a network namespace here") }
        for command in [["ip", "-n", namespace, "link", "add", "va", "type", "veth", "peer", "name", "vb"],
                        ["ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                        ["ip", "netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"],
                        ["ip", "-n", namespace, "link", "set", "va", "up"],
                        ["ip", "-n", namespace, "link", "set", "vb", "up"]] {
            XCTAssertEqual(try sh(command), 0, command.joined(separator: " "))
        }
    }

    override func tearDown() {
        _ = try? sh(["ip", "netns", "del", namespace])
    }

    func testFramesInjectedOnAVethComeOutUnchanged() throws {
        let dir = try GovFwdProcess.scratch("af-packet")
        let output = dir.appendingPathComponent("out.pcap")
        let injected = dir.appendingPathComponent("injected.pcap")
        // 50 frames with a marker payload, written to a pcap and sent into vb by scapy.
        let script = """
        from scapy.all import Ether, IP, UDP, Raw, wrpcap, sendp
        frames = [Ether(src='02:00:00:00:0a:01', dst='02:00:00:00:0a:02')/IP(src='198.51.100.1', dst='198.51.100.2')/UDP(sport=1000+i, dport=4742)/Raw(b'govfwd-af-packet-%03d' % i) for i in range(50)]
        wrpcap('\(injected.path)', frames)
        sendp(frames, iface='vb', verbose=False)
        """
        let engine = Process()
        engine.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        engine.arguments = ["ip", "netns", "exec", namespace, GovFwdProcess.binary.path] + GovFwdProcess.eal() + [
            "--vdev", "net_af_packet0,iface=va", "--vdev", "net_pcap0,tx_pcap=\(output.path)", "--",
            "--forward-mode", "io", "--duration", "4",
        ]
        let stderr = Pipe()
        engine.standardOutput = FileHandle.nullDevice
        engine.standardError = stderr
        let errors = Drained(stderr.fileHandleForReading)
        try engine.run()
        usleep(2_000_000)
        XCTAssertEqual(try sh(["ip", "netns", "exec", namespace, "/usr/bin/python3", "-c", script]), 0, "scapy could not send")
        engine.waitUntilExit()
        XCTAssertEqual(engine.terminationStatus, 0, String(decoding: errors.wait(), as: UTF8.self))

        let sent = try pcapPackets(injected)
        let received = try pcapPackets(output).filter { $0.count >= 12 && $0[6..<12].elementsEqual([0x02, 0, 0, 0, 0x0a, 0x01]) }
        XCTAssertEqual(sent.count, 50)
        XCTAssertTrue(received == sent, "got \(received.count) of \(sent.count) frames, in order and unchanged")
    }
}
