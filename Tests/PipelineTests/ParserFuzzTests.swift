import Glibc
import Pipeline
import XCTest

/// The parser reads untrusted bytes: on any input it must not trap, must not read outside
/// the frame, and must report offsets inside the frame. Each frame is placed against an
/// inaccessible guard page (alternately right after its end and right before its start),
/// so a read out of bounds faults instead of passing unnoticed.
final class ParserFuzzTests: XCTestCase {
    /// Three pages: guard, data, guard.
    final class GuardedPage {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base: UnsafeMutableRawPointer

        init() {
            base = mmap(nil, 3 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
            precondition(base != MAP_FAILED)
            precondition(mprotect(base, pageSize, PROT_NONE) == 0)
            precondition(mprotect(base + 2 * pageSize, pageSize, PROT_NONE) == 0)
        }

        deinit { munmap(base, 3 * pageSize) }

        /// Copies `bytes` against the end (or the start) of the data page.
        func place(_ bytes: [UInt8], atEnd: Bool) -> UnsafeRawPointer {
            let data = base + pageSize
            let start = atEnd ? data + pageSize - bytes.count : data
            bytes.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            return UnsafeRawPointer(start)
        }
    }

    /// Seeds: every vector frame plus builder frames of both carriers and families.
    func seeds() throws -> [[UInt8]] {
        var seeds = try GovVector.loadAll().map(\.frameBytes)
        let key = CMACKey(bytes: [UInt8](repeating: 7, count: 16))!
        for carrier in FrameSpec.CarrierKind.allCases {
            for outer in [IPAddress(192, 0, 2, 1), IPAddress("2001:db8::1")!] {
                for inner in [IPAddress(10, 0, 0, 1), IPAddress("fd00::1")!] {
                    var spec = FrameSpec()
                    spec.carrier = carrier
                    spec.outerSource = outer
                    spec.outerDestination = outer.adding(1)
                    spec.innerSource = inner
                    spec.innerDestination = inner.adding(1)
                    spec.vlanID = inner.isIPv4 ? 5 : nil
                    var fields = GovFields(authority: AuthorityID(1), expiry: 100)
                    fields.options = [1, 2, 0, 0, 0x05, 1, 9]
                    seeds.append(try FrameBuilder.governed(spec, fields: fields, key: key))
                }
            }
        }
        return seeds
    }

    /// The smallest frames of the two layouts at fixed offsets (IPv4 and IPv6, each carrying its
    /// own family), with the hop budget 8, whose one set bit a single flip clears.
    func fixedLayoutFrames(udpPort: UInt16 = GovWire.udpPort) throws -> [(ipv6: Bool, frame: [UInt8])] {
        let key = CMACKey(bytes: [UInt8](repeating: 7, count: 16))!
        return try [false, true].map { ipv6 in
            var spec = FrameSpec()
            spec.udpDestinationPort = udpPort
            if ipv6 {
                spec.outerSource = IPAddress("2001:db8::1")!
                spec.outerDestination = IPAddress("2001:db8::2")!
                spec.innerSource = IPAddress("fd00::1")!
                spec.innerDestination = IPAddress("fd00::2")!
            }
            let fields = GovFields(authority: AuthorityID(1), expiry: 100, hopBudget: 8)
            return (ipv6, try FrameBuilder.governed(spec, fields: fields, key: key))
        }
    }

    func testParserSurvivesMutatedAndTruncatedFrames() throws {
        let page = GuardedPage()
        let seeds = try seeds()
        var rng = SeededRandom(seed: 0x60F)
        var slot = [UInt8](repeating: 0, count: 64)
        var outcomes = [Int](repeating: 0, count: 256)
        let parsers = [GovParser(), GovParser(udpPort: 6081)]
        let iterations = 200_000
        var fastPath = 0
        var fixedPath = 0
        for iteration in 0..<iterations {
            var frame = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            mutate(&frame, &rng)
            if frame.count > page.pageSize { frame.removeLast(frame.count - page.pageSize) }
            if frame.isEmpty { continue }
            let p = page.place(frame, atEnd: iteration & 1 == 0)
            let parser = parsers[iteration % 7 == 0 ? 1 : 0]
            let parsed = parser.parse(p, length: frame.count)
            outcomes[Int(parsed.drop?.rawValue ?? 0)] += 1
            // The fast paths give what the general parser gives.
            XCTAssertEqual(parsed, parser.parseGeneral(p, length: frame.count), "frame \(iteration)")
            var common = ParsedPacket()
            if parser.parseCommon(p, length: frame.count, into: &common) {
                fastPath += 1
                XCTAssertNil(common.drop)
                XCTAssertEqual(common, parsed)
            }
            var fixed = ParsedPacket()
            if parser.parseFixedIPv4(p, length: frame.count, into: &fixed)
                || parser.parseFixedIPv6(p, length: frame.count, into: &fixed) {
                fixedPath += 1
                XCTAssertEqual(fixed, parser.parseGeneral(p, length: frame.count), "frame \(iteration)")
            }
            guard parsed.drop == nil else { continue }
            // Accepted: every offset lies in the frame, and the MAC input can be assembled.
            XCTAssertLessThanOrEqual(Int(parsed.packetEnd), frame.count)
            XCTAssertLessThanOrEqual(Int(parsed.govOffset) + Int(parsed.govLength), Int(parsed.innerOffset))
            XCTAssertLessThanOrEqual(Int(parsed.innerDestinationOffset) + parsed.innerAddressLength, frame.count)
            XCTAssertLessThanOrEqual(parsed.macOffset + 16, frame.count)
            let blocks = slot.withUnsafeMutableBytes { MACInput.write(frame: p, parsed: parsed, into: $0.baseAddress!) }
            XCTAssertTrue(blocks == 3 || blocks == 4)
            // The inner protocol and port are read from the frame after parsing: inside it
            // (the guard pages fault otherwise), and a port only for UDP. (Their values are
            // checked against known frames in FrameBuilderTests and GovVectorTests.)
            let port = parsed.innerDestinationPort(in: p)
            if port != 0 { XCTAssertEqual(parsed.innerProtocol(in: p), IPProtocol.udp, "frame \(iteration)") }
        }
        // The mutations reach deep into the parser: many reasons occur, and some frames pass.
        let seen = outcomes.indices.filter { outcomes[$0] > 0 }
        XCTAssertGreaterThan(outcomes[0], 1000, "accepted")
        XCTAssertGreaterThan(fastPath, 500, "accepted by the fast path")
        XCTAssertGreaterThan(fixedPath, 100, "accepted by the layouts at fixed offsets")
        XCTAssertLessThan(fixedPath, fastPath, "the fast path also takes other lengths and families")
        XCTAssertLessThan(fastPath, outcomes[0], "some accepted layouts take the general path (tags, options, Ethernet carrier)")
        XCTAssertGreaterThanOrEqual(seen.count, 15, "distinct outcomes: \(seen)")
    }

    func testParserSurvivesRandomBytesAndEveryLength() throws {
        let page = GuardedPage()
        var rng = SeededRandom(seed: 99)
        for length in 0...300 {
            for _ in 0..<20 {
                var frame = rng.bytes(length)
                if length >= 14, Bool.random(using: &rng) {
                    let types: [UInt16] = [0x0800, 0x86DD, 0x88B5, 0x8100]
                    let t = types[Int.random(in: 0..<4, using: &rng)]
                    frame[12] = UInt8(t >> 8)
                    frame[13] = UInt8(t & 0xFF)
                }
                let p = length == 0 ? UnsafeRawPointer(page.base + page.pageSize) : page.place(frame, atEnd: length & 1 == 0)
                XCTAssertEqual(GovParser().parse(p, length: length), GovParser().parseGeneral(p, length: length))
            }
        }
        // Nonsense lengths are clamped, never trusted.
        let p = page.place([0, 0], atEnd: true)
        XCTAssertEqual(GovParser().parse(p, length: -5).drop, .malformedTruncatedL2)
        XCTAssertEqual(GovParser().parse(UnsafeRawBufferPointer(start: nil, count: 0)).drop, .malformedTruncatedL2)
    }

    /// Truncating a valid frame at every length gives a drop, never an acceptance of the
    /// partial packet (the Ethernet carrier has no length field, so it is cut inside the
    /// inner packet's announced length).
    func testEveryTruncationOfAValidFrameIsDropped() throws {
        let page = GuardedPage()
        for frame in try seeds().suffix(8) + fixedLayoutFrames().map(\.frame) {
            XCTAssertNil(frame.withUnsafeBytes { GovParser().parse($0) }.drop)
            for length in 0..<frame.count {
                let cut = Array(frame[0..<length])
                let p = cut.isEmpty ? UnsafeRawPointer(page.base + page.pageSize) : page.place(cut, atEnd: true)
                let parsed = GovParser().parse(p, length: length)
                XCTAssertNotNil(parsed.drop, "accepted a frame cut to \(length) of \(frame.count) bytes")
                if let reason = parsed.drop { XCTAssertTrue(reason.isMalformed, "\(reason.name) at \(length)") }
            }
        }
    }

    /// The fast path takes only the exact common layout. A governed frame just outside it (an
    /// inner IPv4 header with options, bytes after the inner packet inside the UDP payload, a
    /// UDP datagram shorter than its IP packet) goes to the general parser, which accepts it
    /// with the offsets it has, and the MAC input (addresses where they lie) is unchanged.
    func testLayoutsLeftToTheGeneralParserAreAccepted() throws {
        let key = CMACKey(bytes: [UInt8](repeating: 7, count: 16))!
        let frame = try FrameBuilder.governed(FrameSpec(), fields: GovFields(authority: AuthorityID(1), expiry: 100),
                                              key: key)
        let ip = 14, udp = 34, inner = 90
        func grow(_ f: inout [UInt8], _ at: Int, by n: Int) {
            let v = (Int(f[at]) << 8 | Int(f[at + 1])) + n
            f[at] = UInt8(v >> 8)
            f[at + 1] = UInt8(v & 0xFF)
        }
        // Four NOP options after the inner header: IHL 6, every length 4 more.
        var options = frame
        options.insert(contentsOf: [1, 1, 1, 1], at: inner + 20)
        options[inner] = 0x46
        for at in [ip + 2, udp + 4, inner + 2] { grow(&options, at, by: 4) }
        // Four bytes after the inner packet, inside the UDP payload.
        var trailing = frame + [0xEE, 0xEE, 0xEE, 0xEE]
        for at in [ip + 2, udp + 4] { grow(&trailing, at, by: 4) }
        // Four bytes after the UDP datagram, inside the IP packet.
        var shortUDP = frame + [0xEE, 0xEE, 0xEE, 0xEE]
        grow(&shortUDP, ip + 2, by: 4)

        let reference = frame.withUnsafeBytes { GovParser().parse($0) }
        XCTAssertNil(reference.drop)
        var common = ParsedPacket()
        XCTAssertTrue(frame.withUnsafeBytes { GovParser().parseCommon($0.baseAddress!, length: frame.count, into: &common) })
        for (name, f, end) in [("inner options", options, options.count), ("trailing bytes", trailing, trailing.count),
                               ("short UDP", shortUDP, frame.count)] {
            f.withUnsafeBytes { raw in
                let parser = GovParser()
                var fast = ParsedPacket()
                XCTAssertFalse(parser.parseCommon(raw.baseAddress!, length: f.count, into: &fast), name)
                let parsed = parser.parse(raw)
                XCTAssertNil(parsed.drop, name)
                XCTAssertEqual(parsed, parser.parseGeneral(raw.baseAddress!, length: f.count), name)
                XCTAssertEqual(Int(parsed.packetEnd), end, name)
                XCTAssertEqual(parsed.innerSourceOffset, reference.innerSourceOffset, name)
                XCTAssertEqual(parsed.headerWire, reference.headerWire, name)
            }
        }
    }

    /// The layouts at fixed offsets decide exactly as the general parser does. Each bit of a
    /// governed frame of each layout (under either UDP port) is flipped in turn: where the
    /// fixed path accepts the result, the general parser accepts it with the same result;
    /// where the general parser drops it, or finds another layout, the fixed path refuses it.
    /// The bytes it must test (EtherType, IP version, lengths, fragment and protocol or next
    /// header, port, the header's version, length, next protocol, hop budget and reserved
    /// constraint bits, the inner header's version and length) are each found to matter, and
    /// the others (addresses, TTL, checksums, the header's other fields) are each found not to.
    func testFixedLayoutsDecideAsTheGeneralParserBitByBit() throws {
        struct Layout {
            let ipv6: Bool
            /// Offsets of the bytes where some flipped bit makes the fixed path refuse.
            let tested: Set<Int>
            /// Bits of tested bytes that are not tested: (offset, bits).
            let untested: [(Int, UInt8)]
        }
        let layouts = [
            // IP at 14, UDP at 34, the header at 42, the inner header at 90.
            Layout(ipv6: false, tested: [12, 13, 14, 16, 17, 20, 21, 23, 36, 37, 38, 39, 42, 43, 44, 45, 58, 61, 90, 92, 93],
                   untested: [(20, 0xC0), (61, 0x07)]),
            // IP at 14, UDP at 54, the header at 62, the inner header at 110.
            Layout(ipv6: true, tested: [12, 13, 14, 18, 19, 20, 56, 57, 58, 59, 62, 63, 64, 65, 78, 81, 110, 114, 115],
                   untested: [(14, 0x0F), (81, 0x07), (110, 0x0F)]),
        ]
        for layout in layouts {
            for port in [GovWire.udpPort, 6081] {
                let frame = try fixedLayoutFrames(udpPort: port)[layout.ipv6 ? 1 : 0].frame
                let parser = GovParser(udpPort: port)
                let name = "IPv\(layout.ipv6 ? 6 : 4), port \(port)"
                func fixed(_ f: [UInt8]) -> ParsedPacket? {
                    var out = ParsedPacket()
                    let taken = f.withUnsafeBytes {
                        layout.ipv6 ? parser.parseFixedIPv6($0.baseAddress!, length: f.count, into: &out)
                            : parser.parseFixedIPv4($0.baseAddress!, length: f.count, into: &out)
                    }
                    return taken ? out : nil
                }
                XCTAssertEqual(fixed(frame), frame.withUnsafeBytes { parser.parseGeneral($0.baseAddress!, length: frame.count) },
                               name)
                var refused = Set<Int>()
                for bit in 0..<(frame.count * 8) {
                    var f = frame
                    f[bit / 8] ^= UInt8(1 << (bit % 8))
                    let general = f.withUnsafeBytes { parser.parseGeneral($0.baseAddress!, length: f.count) }
                    if let accepted = fixed(f) {
                        XCTAssertEqual(accepted, general, "\(name), bit \(bit)")
                    } else {
                        refused.insert(bit / 8)
                    }
                }
                XCTAssertEqual(refused, layout.tested, name)
                for (offset, bits) in layout.untested {
                    for b in 0..<8 where bits & (1 << b) != 0 {
                        var f = frame
                        f[offset] ^= UInt8(1 << b)
                        XCTAssertNotNil(fixed(f), "\(name), byte \(offset) bit \(b)")
                    }
                }
                // The frame of one layout is not taken by the other's fixed path.
                var other = ParsedPacket()
                XCTAssertFalse(frame.withUnsafeBytes {
                    layout.ipv6 ? parser.parseFixedIPv4($0.baseAddress!, length: frame.count, into: &other)
                        : parser.parseFixedIPv6($0.baseAddress!, length: frame.count, into: &other)
                }, name)
                // A frame longer than its IP packet (Ethernet padding) is left to the other paths.
                let padded = frame + [0, 0]
                XCTAssertNil(fixed(padded), name)
                XCTAssertTrue(padded.withUnsafeBytes { parser.parseCommon($0.baseAddress!, length: padded.count, into: &other) })
            }
        }
    }

    /// Each layout at fixed offsets is taken down to its minimum length, an inner header with
    /// no payload (110 bytes over IPv4, 150 over IPv6), and one byte shorter (the lengths
    /// agreeing) it is refused and the general parser drops the frame as `malformed_inner`.
    func testFixedLayoutsAtTheirMinimumLength() throws {
        func set16(_ f: inout [UInt8], _ at: Int, _ value: Int) {
            f[at] = UInt8(value >> 8)
            f[at + 1] = UInt8(value & 0xFF)
        }
        for (ipv6, full) in try fixedLayoutFrames() {
            let parser = GovParser()
            // The fields that say how long the outer packet, the UDP datagram and the inner
            // packet are, and the bytes each counts beyond the field's own start.
            let fields = ipv6 ? [(18, 54), (58, 54), (114, 150)] : [(16, 14), (38, 34), (92, 90)]
            let minimum = ipv6 ? 150 : 110
            for length in [minimum, minimum - 1] {
                var f = Array(full[0..<length])
                for (at, before) in fields { set16(&f, at, max(length - before, 0)) }
                var fixed = ParsedPacket()
                let taken = f.withUnsafeBytes {
                    ipv6 ? parser.parseFixedIPv6($0.baseAddress!, length: length, into: &fixed)
                        : parser.parseFixedIPv4($0.baseAddress!, length: length, into: &fixed)
                }
                let general = f.withUnsafeBytes { parser.parseGeneral($0.baseAddress!, length: length) }
                let name = "IPv\(ipv6 ? 6 : 4), \(length) bytes"
                if length == minimum {
                    XCTAssertTrue(taken, name)
                    XCTAssertNil(general.drop, name)
                    XCTAssertEqual(fixed, general, name)
                } else {
                    XCTAssertFalse(taken, name)
                    XCTAssertEqual(general.drop, .malformedInner, name)
                    XCTAssertEqual(f.withUnsafeBytes { parser.parse($0) }, general, name)
                }
            }
        }
    }

    /// A length above 65535 is refused by the fixed layouts before any length field is read:
    /// the fields are compared 16 bits wide, so a frame 65536 bytes longer than its fields say
    /// would otherwise match them. (Only the bound is tested: it refuses before any read, so
    /// the frame need not be that long.)
    func testFixedLayoutsRefuseLengthsAbove65535() throws {
        for (ipv6, frame) in try fixedLayoutFrames() {
            let parser = GovParser()
            var fixed = ParsedPacket()
            for extra in [0, 65536] {
                let taken = frame.withUnsafeBytes {
                    ipv6 ? parser.parseFixedIPv6($0.baseAddress!, length: frame.count + extra, into: &fixed)
                        : parser.parseFixedIPv4($0.baseAddress!, length: frame.count + extra, into: &fixed)
                }
                XCTAssertEqual(taken, extra == 0, "IPv\(ipv6 ? 6 : 4), \(frame.count) + \(extra) bytes")
            }
        }
    }

    /// `ParsedPacket` is one cache line, the header's words in its second half, as the
    /// declaration's comment says (the parse stage's stores and the burst array count on it).
    func testParsedPacketFillsOneCacheLine() {
        XCTAssertEqual(MemoryLayout<ParsedPacket>.stride, 64)
        XCTAssertEqual(MemoryLayout<ParsedPacket>.offset(of: \.headerWire), 32)
    }

    private func mutate(_ frame: inout [UInt8], _ rng: inout SeededRandom) {
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0:  // truncate
                frame.removeLast(Int.random(in: 0...frame.count, using: &rng))
            case 1:  // append
                frame += rng.bytes(Int.random(in: 1...64, using: &rng))
            case 2, 3:  // flip bits
                if !frame.isEmpty {
                    frame[Int.random(in: 0..<frame.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                }
            case 4:  // random byte at a header-ish offset
                if !frame.isEmpty {
                    let at = Int.random(in: 0..<min(frame.count, 140), using: &rng)
                    frame[at] = UInt8.random(in: 0...255, using: &rng)
                }
            case 5:  // extreme values into a 16-bit field (lengths, ports)
                if frame.count >= 2 {
                    let at = Int.random(in: 0..<(frame.count - 1), using: &rng)
                    let v: UInt16 = [0, 1, 7, 8, 0xFFFF, 0x8000, UInt16(frame.count)][Int.random(in: 0..<7, using: &rng)]
                    frame[at] = UInt8(v >> 8)
                    frame[at + 1] = UInt8(v & 0xFF)
                }
            case 6:  // hdr_len or option bytes of a governance header at a likely offset
                for g in [14, 18, 42, 46, 62, 66] where frame.count > g + 50 {
                    if Bool.random(using: &rng) { frame[g + 1] = UInt8.random(in: 0...12, using: &rng) }
                    if Bool.random(using: &rng) { frame[g + 48] = UInt8.random(in: 0...255, using: &rng) }
                }
            default:  // delete a range
                if frame.count > 2 {
                    let a = Int.random(in: 0..<frame.count, using: &rng)
                    let b = Int.random(in: a...min(frame.count, a + 16), using: &rng)
                    frame.removeSubrange(a..<b)
                }
            }
        }
    }
}
