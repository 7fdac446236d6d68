import Foundation
import Pipeline
import XCTest

@testable import GovFwdCore

/// `govfwd mint`, `govfwd craft` and the pcap reader and writer, run in process.
final class ToolsTests: XCTestCase {
    var folder: URL!
    var keyPath: String!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("govfwd-tools-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        keyPath = folder.appendingPathComponent("auth7.key").path
        try "000102030405060708090a0b0c0d0e0f\n".write(toFile: keyPath, atomically: false, encoding: .utf8)
        chmod(keyPath, 0o600)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    // MARK: - pcap

    func testPcapRoundTripInBothResolutions() throws {
        for nanoseconds in [false, true] {
            let path = folder.appendingPathComponent("rt-\(nanoseconds).pcap").path
            let writer = try PcapWriter(path: path, nanosecondResolution: nanoseconds)
            let frames: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 0xAB, count: 1500)]
            for (i, frame) in frames.enumerated() {
                try writer.write(frame, timestampNanoseconds: 1_750_000_000_123_456_789 + UInt64(i))
            }
            try writer.close()
            var reader = try PcapReader(path: path)
            XCTAssertEqual(reader.nanosecondResolution, nanoseconds)
            let records = try reader.readAll()
            XCTAssertEqual(records.map(\.data), frames)
            XCTAssertEqual(records.map(\.originalLength), frames.map(\.count))
            XCTAssertEqual(records[0].timestampNanoseconds, nanoseconds ? 1_750_000_000_123_456_789 : 1_750_000_000_123_456_000)
        }
    }

    /// A big-endian file, as written on another machine: magic and fields byte-swapped.
    func testPcapReadsTheOtherByteOrder() throws {
        var bytes: [UInt8] = [0xA1, 0xB2, 0x3C, 0x4D, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 1]
        bytes += [0x68, 0x4E, 0xA8, 0x90, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0, 0, 60, 0xDE, 0xAD]
        var reader = try PcapReader(bytes: bytes)
        let record = try XCTUnwrap(try reader.next())
        XCTAssertEqual(record.data, [0xDE, 0xAD])
        XCTAssertEqual(record.originalLength, 60)
        XCTAssertEqual(record.timestampNanoseconds, 1_749_985_424 * 1_000_000_000 + 7)
        XCTAssertNil(try reader.next())
    }

    func testPcapErrorsNameTheProblem() throws {
        XCTAssertThrowsError(try PcapReader(bytes: [1, 2, 3], name: "x.pcap")) {
            XCTAssertEqual("\($0)", "x.pcap is not a pcap file: 3 bytes, shorter than its header")
        }
        XCTAssertThrowsError(try PcapReader(bytes: [0x0A, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 0, count: 20), name: "n.pcapng")) {
            XCTAssertTrue("\($0)".contains("pcapng"))
        }
        var header: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0xFF, 0xFF, 0, 0]
        XCTAssertThrowsError(try PcapReader(bytes: header + [101, 0, 0, 0], name: "raw.pcap")) {
            XCTAssertEqual("\($0)", "raw.pcap has link type 101, not Ethernet (1)")
        }
        header += [1, 0, 0, 0]
        var cut = try PcapReader(bytes: header + [0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 1, 2], name: "cut.pcap")
        XCTAssertThrowsError(try cut.next()) {
            XCTAssertEqual("\($0)", "cut.pcap is cut short in the record at byte 24 (10 bytes announced, 2 left)")
        }
    }

    // MARK: - mint

    /// The same fields and flow as vector accept_udp4_inner4 (tools/make-vectors.py) give the
    /// same 48 bytes. The vectors' clock is in the past, so their expiry needs --allow-invalid.
    func testMintPrintsTheVectorsHeader() throws {
        let command = try MintCommand.parse([
            "--key-file", keyPath, "--authority", "7", "--epoch", "3", "--scope", "0x10002", "--trust", "50",
            "--route-class", "2", "--constraints", "audit,rate=3,label=2", "--expiry", "1750003600",
            "--capability-id", "0x1122334455667788", "--src", "10.1.0.1", "--dst", "10.2.0.2", "--allow-invalid",
        ])
        let output = try captureStandardOutput { try command.run() }
        XCTAssertEqual(output, "1006040800010002320200030000000700020302684eef901122334455667788"
            + "af16c2fcf56be101bdf61e5c4155d895\n")
    }

    func testMintJSONHasEveryFieldAndNoKey() throws {
        let command = try MintCommand.parse([
            "--key-file", keyPath, "--authority", "7", "--epoch", "3", "--scope", "1", "--expiry", "4000000000",
            "--capability-id", "5", "--src", "fd00::1", "--dst", "fd00::2", "--constraints", "0x00020301", "--json",
        ])
        let output = try captureStandardOutput { try command.run() }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        XCTAssertEqual(json["next_proto"] as? Int, 41)
        XCTAssertEqual(json["constraints_names"] as? String, "no-export,rate=3,label=2")
        XCTAssertEqual(json["expiry_utc"] as? String, "2096-10-02T07:06:40Z")
        XCTAssertEqual((json["header"] as? String)?.count, 96)
        XCTAssertFalse(output.contains("000102030405060708090a0b0c0d0e0f"))
    }

    func testMintRefusesAKeyFileOthersCanRead() throws {
        chmod(keyPath, 0o644)
        let command = try MintCommand.parse([
            "--key-file", keyPath, "--authority", "7", "--epoch", "3", "--scope", "1", "--capability-id", "5",
            "--src", "10.0.0.1", "--dst", "10.0.0.2",
        ])
        XCTAssertThrowsError(try command.run()) {
            XCTAssertEqual("\($0)", "key file \(keyPath!) is accessible by group or others (mode 0644); run: chmod 600 \(keyPath!)")
        }
    }

    func testExpiryArguments() throws {
        XCTAssertEqual(try ToolArguments.expiry("+90s", now: 1000), 1090)
        XCTAssertEqual(try ToolArguments.expiry("+30m", now: 1000), 2800)
        XCTAssertEqual(try ToolArguments.expiry("+1h", now: 1000), 4600)
        XCTAssertEqual(try ToolArguments.expiry("+2d", now: 1000), 173_800)
        XCTAssertEqual(try ToolArguments.expiry("1750000000", now: 1000), 1_750_000_000)
        XCTAssertThrowsError(try ToolArguments.expiry("+1w", now: 0))
        XCTAssertThrowsError(try ToolArguments.expiry("4294967296", now: 0))
        XCTAssertThrowsError(try ToolArguments.expiry("+99999999999d", now: 0))
        XCTAssertEqual(try ToolArguments.integer("0xff", option: "--x", as: UInt8.self), 255)
        XCTAssertThrowsError(try ToolArguments.integer("256", option: "--x", as: UInt8.self))
    }

    // MARK: - craft

    func craftArguments(_ output: String, mix: String = "valid=90,forged=4,expired=2,revoked=2,malformed=1,ungoverned=1",
                        extra: [String] = []) -> [String] {
        ["--output", output, "--count", "200", "--size", "160", "--key-file", keyPath, "--authority", "7",
         "--epoch", "3", "--scope", "1", "--trust", "5", "--route-class", "2", "--now", "1750000000",
         "--expiry", "+1h", "--flows", "7", "--capability-base", "1000", "--revoked-base", "0xdead0000",
         "--revoked-count", "4", "--mix", mix] + extra
    }

    /// Every frame of a crafted mix gets the outcome its kind promises, the counts follow
    /// the mix, and the same flags give the same bytes.
    func testCraftWritesTheMixDeterministically() throws {
        for extra in [[], ["--ip", "6", "--carrier", "eth", "--vlan", "12"]] {
            let a = folder.appendingPathComponent("a.pcap").path, b = folder.appendingPathComponent("b.pcap").path
            let summary = try captureStandardOutput { try CraftCommand.parse(craftArguments(a, extra: extra)).run() }
            _ = try captureStandardOutput { try CraftCommand.parse(craftArguments(b, extra: extra)).run() }
            XCTAssertEqual(FileManager.default.contents(atPath: a), FileManager.default.contents(atPath: b))
            XCTAssertEqual(summary, "wrote 200 frames of 160 bytes to \(a): valid 180, forged 8, expired 4, "
                + "revoked 4 (ids 0xdead0000-0xdead0003), malformed 2, ungoverned 2\n")

            var reader = try PcapReader(path: a)
            let key = CMACKey(hex: "000102030405060708090a0b0c0d0e0f")!
            var outcomes: [String: Int] = [:]
            var sources = Set<[UInt8]>()
            for record in try reader.readAll() {
                let outcome = record.data.withUnsafeBytes { frame -> String in
                    let p = GovParser().parse(frame)
                    if let reason = p.drop { return reason.name }
                    XCTAssertEqual(record.data.count, 160)
                    sources.insert(Array(record.data[Int(p.innerSourceOffset)..<Int(p.innerSourceOffset) + p.innerAddressLength]))
                    if let reason = p.header.checkExpiry(now: 1_750_000_000, skew: 30, maxLifetime: 86400) { return reason.name }
                    let burst = MACBurst(capacity: 1)
                    burst.load(0, frame: frame.baseAddress!, parsed: p, key: key.expanded)
                    burst.compute(count: 1)
                    if !burst.verify(0, against: frame.baseAddress! + p.macOffset) { return "bad_mac" }
                    if (0xdead0000..<0xdead0004).contains(p.header.capability.rawValue) { return "revoked" }
                    return "accept"
                }
                outcomes[outcome, default: 0] += 1
            }
            XCTAssertEqual(outcomes, ["accept": 180, "bad_mac": 8, "expired": 4, "revoked": 4,
                                      "malformed_truncated_gov": 2, "not_governed": 2], "\(extra)")
            XCTAssertEqual(sources.count, 7, "--flows 7")
        }
    }

    func testCraftSaysWhatSizeTheHeadersNeed() throws {
        let path = folder.appendingPathComponent("small.pcap").path
        XCTAssertThrowsError(try CraftCommand.parse(craftArguments(path, extra: ["--size", "100"])).run()) {
            XCTAssertTrue("\($0)".hasPrefix("--size 100: IPv4 UDP carrier frames need at least 118 bytes"), "\($0)")
        }
    }

    func testMixCounts() throws {
        let counts = try CraftMix(parsing: "valid=1,forged=1,expired=1").counts(total: 10)
        XCTAssertEqual(counts.values.reduce(0, +), 10)
        XCTAssertEqual(Set(counts.values), [0, 3, 4])
        XCTAssertEqual(try CraftMix(parsing: "valid=5,forged=1").counts(total: 6)[.forged], 1)
        XCTAssertEqual(try CraftMix(parsing: "valid=90%,forged=10%").counts(total: 50)[.forged], 5)
        XCTAssertThrowsError(try CraftMix(parsing: "valid=1,loud=2"))
        XCTAssertThrowsError(try CraftMix(parsing: "valid=0"))
    }

    // MARK: - Helpers

    /// Runs `body` with the process's standard output sent to a pipe, and returns what it printed.
    func captureStandardOutput(_ body: () throws -> Void) throws -> String {
        fflush(stdout)
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let saved = dup(STDOUT_FILENO)
        dup2(fds[1], STDOUT_FILENO)
        close(fds[1])
        var thrown: Error?
        do { try body() } catch { thrown = error }
        fflush(stdout)
        dup2(saved, STDOUT_FILENO)
        close(saved)
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        if let thrown { throw thrown }
        return String(decoding: data, as: UTF8.self)
    }
}
