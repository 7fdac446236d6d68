import ArgumentParser
import Foundation
import Pipeline

/// `govfwd craft`: writes a pcap of governed traffic, with chosen shares of packets that a
/// node must drop, for test runs and benchmarks (e.g. a pcap vdev with `infinite_rx=1`).
///
/// ```
/// $ govfwd craft --output mix.pcap --count 1000 --size 128 --key-file auth7.key \
///       --authority 7 --epoch 3 --scope 1 --trust 50 --route-class 2 --now 1750000000 \
///       --flows 16 --mix valid=90,forged=4,expired=2,revoked=2,malformed=1,ungoverned=1
/// wrote 1000 frames of 128 bytes to mix.pcap: valid 900, forged 40, expired 20, revoked 20 ...
/// ```
/// The same flags and `--seed` give the same file, byte for byte.
struct CraftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "craft",
        abstract: "Write a pcap of governed traffic, with chosen shares of invalid packets.",
        discussion: """
            Kinds and the drop a node gives them: valid (accepted), forged (bad_mac: one MAC bit \
            flipped), expired (expired: expiry one hour before --now), revoked (revoked: capability \
            ids from --revoked-base, --revoked-count of them, for the configuration to list), \
            malformed (malformed_truncated_gov: 24 bytes of header), ungoverned (not_governed: \
            the inner packet alone). --mix weights are percentages or counts: each kind gets \
            count * weight / sum, rounded so that the total is --count.
            """)

    @Option(help: "The pcap file to write.")
    var output: String

    @Option(parsing: .unconditional, help: "Frames to write, at most 10000000.")
    var count: Int = 1000

    @Option(parsing: .unconditional, help: "Whole frame size in bytes, without FCS (malformed frames are shorter).")
    var size: Int = 128

    @Option(parsing: .unconditional, help: "IP version of the inner packet and of the outer header: 4 or 6.")
    var ip: Int = 4

    @Option(help: "Carrier: udp (outer IP/UDP) or eth (EtherType 0x88B5).")
    var carrier: String = "udp"

    @Option(parsing: .unconditional, help: "Add one 802.1Q tag with this VLAN ID.")
    var vlan: UInt16?

    @Option(parsing: .unconditional, help: "UDP destination port of the carrier.")
    var udpPort: UInt16 = GovWire.udpPort

    @OptionGroup var governance: GovernanceOptions

    @Option(parsing: .unconditional, help: "The node's clock for expiries, Unix seconds (default: now).")
    var now: UInt64?

    @Option(parsing: .unconditional, help: "Distinct inner flows (source addresses), used in turn.")
    var flows: Int = 1

    @Option(help: "First capability_id of valid packets; ids count up from it (decimal or 0x hex).")
    var capabilityBase: String = "1"

    @Option(help: "First revoked capability_id (decimal or 0x hex).")
    var revokedBase: String = "0xdead0000"

    @Option(parsing: .unconditional, help: "How many revoked ids, from --revoked-base, revoked packets use in turn.")
    var revokedCount: Int = 16

    @Option(help: "Kinds and weights: valid, forged, expired, revoked, malformed, ungoverned.")
    var mix: String = "valid=100"

    @Option(parsing: .unconditional, help: "Seed of the order of kinds and of the forged bits.")
    var seed: UInt64 = 1

    /// The most frames one capture holds (about 1.2 GB of 118-byte frames).
    static let maximumCount = 10_000_000

    func run() throws {
        let spec = try frameSpec()
        let clock = now ?? UInt64(Date().timeIntervalSince1970)
        var fields = try governance.fields(now: clock)
        // "valid" frames must be valid: the other kinds come from --mix.
        try GovernanceOptions.checkAccepted(fields, now: clock, clock: now == nil ? "the current time" : "--now")
        let key = try KeyFile.load(governance.keyFile)
        let capabilityBase = try ToolArguments.integer(self.capabilityBase, option: "--capability-base", as: UInt64.self)
        let revokedBase = try ToolArguments.integer(self.revokedBase, option: "--revoked-base", as: UInt64.self)
        guard (0...Self.maximumCount).contains(count) else {
            throw ValidationError("--count must be 0 to \(Self.maximumCount), got \(count)")
        }
        guard flows >= 1 else { throw ValidationError("--flows must be at least 1") }
        guard revokedCount >= 1 else { throw ValidationError("--revoked-count must be at least 1") }
        let minimum = FrameBuilder.minimumSize(spec, govLength: GovWire.fixedLength)
        guard size >= minimum, size <= FrameBuilder.maximumSize else {
            throw ValidationError("--size \(size): \(describe(spec)) frames need at least \(minimum) bytes "
                + "(Ethernet\(vlan == nil ? "" : ", 802.1Q"), carrier, 48-byte header, inner IP and UDP headers), "
                + "and at most \(FrameBuilder.maximumSize)")
        }

        let counts = try CraftMix(parsing: mix).counts(total: count)
        var rng = SplitMix64(seed: seed)
        var kinds = CraftMix.Kind.allCases.flatMap { [CraftMix.Kind](repeating: $0, count: counts[$0] ?? 0) }
        kinds.shuffle(using: &rng)

        let writer = try PcapWriter(path: output)
        var next: [CraftMix.Kind: UInt64] = [:]
        for (i, kind) in kinds.enumerated() {
            var packet = spec
            packet.innerSource = spec.innerSource.adding(UInt32(i % flows))
            let n = next[kind, default: 0]
            next[kind] = n + 1
            fields.capability = CapabilityID(capabilityBase &+ UInt64(i))
            let frame: [UInt8]
            switch kind {
            case .valid:
                frame = try FrameBuilder.governed(packet, fields: fields, key: key)
            case .forged:
                var forged = try FrameBuilder.governed(packet, fields: fields, key: key)
                let mac = FrameBuilder.govOffset(packet) + GovWire.Offset.mac
                let bit = Int(rng.next() % UInt64(GovWire.macLength * 8))
                forged[mac + bit / 8] ^= UInt8(1 << (bit % 8))
                frame = forged
            case .expired:
                var old = fields
                old.expiry = UInt32(clamping: clock > 3600 ? clock - 3600 : 0)
                frame = try FrameBuilder.governed(packet, fields: old, key: key)
            case .revoked:
                var revoked = fields
                revoked.capability = CapabilityID(revokedBase &+ n % UInt64(revokedCount))
                frame = try FrameBuilder.governed(packet, fields: revoked, key: key)
            case .malformed:
                let gov = GovHeaderBuilder.sealed(fields, source: packet.innerSource, destination: packet.innerDestination,
                                                  key: key)
                frame = FrameBuilder.carrier(packet, payload: Array(gov[0..<24]))
            case .ungoverned:
                var plain = packet
                plain.innerPayload = .udp(sourcePort: 40000, destinationPort: 443)
                frame = try FrameBuilder.plain(plain)
            }
            try writer.write(frame, timestampNanoseconds: clock * 1_000_000_000 + UInt64(i) * 1000)
        }
        try writer.close()

        var summary = CraftMix.Kind.allCases.filter { (counts[$0] ?? 0) > 0 }.map { kind -> String in
            var part = "\(kind.rawValue) \(counts[kind]!)"
            if kind == .revoked {
                let last = revokedBase &+ UInt64(min(revokedCount, counts[kind]!) - 1)
                part += String(format: " (ids 0x%llx-0x%llx)", revokedBase, last)
            }
            return part
        }
        if summary.isEmpty { summary = ["nothing"] }
        print("wrote \(kinds.count) frames of \(size) bytes to \(output): " + summary.joined(separator: ", "))
    }

    /// The frame of every packet before its kind is applied.
    private func frameSpec() throws -> FrameSpec {
        var spec = FrameSpec()
        switch carrier.lowercased() {
        case "udp": spec.carrier = .udp
        case "eth", "ethernet": spec.carrier = .ethernet
        default: throw ValidationError("--carrier: '\(carrier)' is neither udp nor eth")
        }
        switch ip {
        case 4:
            spec.outerSource = IPAddress(192, 0, 2, 1)
            spec.outerDestination = IPAddress(192, 0, 2, 2)
            spec.innerSource = IPAddress(10, 1, 0, 1)
            spec.innerDestination = IPAddress(10, 2, 0, 2)
        case 6:
            spec.outerSource = IPAddress("2001:db8::1")!
            spec.outerDestination = IPAddress("2001:db8::2")!
            spec.innerSource = IPAddress("fd00:1::1")!
            spec.innerDestination = IPAddress("fd00:2::2")!
        default:
            throw ValidationError("--ip: \(ip) is neither 4 nor 6")
        }
        if let vlan {
            guard vlan <= 0x0FFF else { throw ValidationError("--vlan: \(vlan) is not a VLAN ID (0-4095)") }
            spec.vlanID = vlan
        }
        spec.udpDestinationPort = udpPort
        spec.frameSize = size
        return spec
    }

    private func describe(_ spec: FrameSpec) -> String {
        spec.carrier == .udp ? "IPv\(ip) UDP carrier" : "IPv\(ip) Ethernet carrier"
    }
}

/// The `--mix` of `craft`: a weight per kind of packet.
struct CraftMix {
    enum Kind: String, CaseIterable {
        case valid, forged, expired, revoked, malformed, ungoverned
    }

    var weights: [Kind: Int] = [:]

    init(parsing text: String) throws {
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, let kind = Kind(rawValue: pieces[0].lowercased()) else {
                throw ValidationError("--mix: '\(part)' is not KIND=WEIGHT with KIND one of "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard let weight = Int(pieces[1].hasSuffix("%") ? String(pieces[1].dropLast()) : pieces[1]), weight >= 0 else {
                throw ValidationError("--mix: weight '\(pieces[1])' of \(kind.rawValue) is not a whole number")
            }
            weights[kind, default: 0] += weight
        }
        guard weights.values.reduce(0, +) > 0 else { throw ValidationError("--mix: the weights add up to 0") }
    }

    /// Packets of each kind out of `total`: proportional to the weights, rounded by largest
    /// remainder so that they add up to `total` exactly.
    func counts(total: Int) -> [Kind: Int] {
        let sum = weights.values.reduce(0, +)
        var counts: [Kind: Int] = [:]
        var remainders: [(Kind, Int)] = []
        for kind in Kind.allCases {
            let product = total * (weights[kind] ?? 0)
            counts[kind] = product / sum
            remainders.append((kind, product % sum))
        }
        var left = total - counts.values.reduce(0, +)
        for (kind, _) in remainders.sorted(by: { $0.1 > $1.1 }) where left > 0 {
            counts[kind]! += 1
            left -= 1
        }
        return counts
    }
}

