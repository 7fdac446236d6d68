import Foundation
import ArgumentParser

/// The forwarding modes (`--forward-mode`), like testpmd's engines.
enum ForwardMode: String, ExpressibleByArgument, CaseIterable {
    /// The governed pipeline: parse, verify, classify, act (needs --config).
    case govern
    /// Pass-through to the topology's peer port, the I/O baseline.
    case io
    /// Ethernet addresses swapped, then to the peer port.
    case macswap
    /// Receive and free.
    case rxonly
    /// Generate from the frames of --tx-pcap on every peer port.
    case txonly

    static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// How received packets map to transmit ports in the fixed-topology modes (testpmd's
/// `--port-topology`).
enum PortTopology: String, ExpressibleByArgument, CaseIterable {
    /// Ports forward in pairs: 0 <-> 1, 2 <-> 3, ...
    case paired
    /// Each port forwards to the next one, the last back to the first.
    case chained
    /// Each port sends back out of itself.
    case loop
}

/// Application options, the part of the command line after `--`.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("forward-mode"),
            help: ArgumentHelp("govern: the governed pipeline (needs --config). Benchmark modes, testpmd style: io (every packet unchanged to the topology's peer port, the I/O baseline), macswap (Ethernet addresses swapped, then to the peer port), rxonly (receive and free), txonly (send the frames of --tx-pcap in a loop, e.g. governed traffic made by govfwd craft).",
                               valueName: "mode"))
    var forwardMode: ForwardMode = .govern

    @Option(name: .customLong("config"),
            help: ArgumentHelp("The node's YAML configuration (govern mode): ports, authorities, policies, revocations, gateway selectors. See docs/configuration.md.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("tx-pcap"),
            help: ArgumentHelp("txonly: the frames to send, in a loop (at most 65535 of them).", valueName: "file"))
    var txPcap: String?

    @Flag(name: .customLong("stage-cycles"),
          help: "Measure TSC cycles per packet of each stage and report them at exit: rx (the receive bursts that returned packets, in every mode that receives), and in govern mode parse, verify, classify, act and tx (transmit, grouped by port when needed, and free). Off: no clock is read.")
    var stageCycles = false

    @Option(name: .customLong("now"), parsing: .unconditional,
            help: ArgumentHelp("Pin the node's clock to this Unix time (seconds) for expiry checks, e.g. to replay a capture; default: the real clock.", valueName: "unix"))
    var now: UInt32?

    @Option(name: .customLong("port-topology"),
            help: ArgumentHelp("paired (0<->1, 2<->3), chained (0->1->...->0) or loop (each port to itself).", valueName: "kind"))
    var portTopology: PortTopology = .paired

    @Option(name: .customLong("ports"),
            help: ArgumentHelp("Comma-separated DPDK port ids to use in io mode (default: every port the EAL found; govern mode uses the configured ports).", valueName: "list"))
    var ports: String?

    @Option(name: .customLong("rxq"), parsing: .unconditional, help: ArgumentHelp("Receive queues per port.", valueName: "n"))
    var rxQueues: Int = 1

    @Option(name: .customLong("rxd"), parsing: .unconditional, help: ArgumentHelp("Receive descriptors per queue (adjusted to the PMD's limits).", valueName: "n"))
    var rxDescriptors: Int = 1024

    @Option(name: .customLong("txd"), parsing: .unconditional, help: ArgumentHelp("Transmit descriptors per queue (adjusted to the PMD's limits).", valueName: "n"))
    var txDescriptors: Int = 1024

    @Option(name: .customLong("burst"), parsing: .unconditional, help: ArgumentHelp("Packets per rx burst, 1 to 32.", valueName: "n"))
    var burst: Int = 32

    @Option(name: .customLong("mbufs"), parsing: .unconditional,
            help: ArgumentHelp("Mbufs in the pool (default: ports x queues x descriptors + lcores x (burst + cache), at least 8191).", valueName: "n"))
    var mbufs: Int?

    @Option(name: .customLong("mbuf-cache"), parsing: .unconditional, help: ArgumentHelp("Per-lcore mempool cache size, 0 to 512.", valueName: "n"))
    var mbufCache: Int = 256

    @Flag(name: .customLong("no-promisc"), help: "Do not put ports into promiscuous mode.")
    var noPromiscuous = false

    @Option(name: .customLong("link-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for every link to come up before forwarding (a link still down is reported, not fatal).", valueName: "s"))
    var linkTimeout: Double = 5

    @Option(name: .customLong("stats-period"), parsing: .unconditional,
            help: ArgumentHelp("Print port statistics every s seconds (0: only at exit).", valueName: "s"))
    var statsPeriod: Double = 0

    @Option(name: .customLong("max-packets"), parsing: .unconditional,
            help: ArgumentHelp("Stop once n packets have been received on all ports together (checked every millisecond, so a few bursts more may arrive).", valueName: "n"))
    var maxPackets: UInt64?

    @Option(name: .customLong("duration"), parsing: .unconditional, help: ArgumentHelp("Stop after s seconds of forwarding.", valueName: "s"))
    var duration: Double?

    @Option(name: .customLong("idle-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Stop once no packet has arrived for s seconds (useful with a finite pcap input).", valueName: "s"))
    var idleTimeout: Double?

    @Option(name: .customLong("stats-file"),
            help: ArgumentHelp("Also write the final statistics as JSON to this file.", valueName: "path"))
    var statsFile: String?

    mutating func validate() throws {
        guard rxQueues >= 1 && rxQueues <= 64 else { throw ValidationError("--rxq must be 1 to 64, got \(rxQueues)") }
        guard rxDescriptors >= 1 && rxDescriptors <= 65535 else { throw ValidationError("--rxd must be 1 to 65535, got \(rxDescriptors)") }
        guard txDescriptors >= 1 && txDescriptors <= 65535 else { throw ValidationError("--txd must be 1 to 65535, got \(txDescriptors)") }
        guard burst >= 1 && burst <= 32 else { throw ValidationError("--burst must be 1 to 32, got \(burst)") }
        guard mbufCache >= 0 && mbufCache <= 512 else { throw ValidationError("--mbuf-cache must be 0 to 512, got \(mbufCache)") }
        if let mbufs, !(64...Self.maximumMbufs).contains(mbufs) {
            throw ValidationError("--mbufs must be 64 to \(Self.maximumMbufs), got \(mbufs)")
        }
        try Self.check(seconds: statsPeriod, "--stats-period", zeroAllowed: true)
        try Self.check(seconds: linkTimeout, "--link-timeout", zeroAllowed: true)
        if let duration { try Self.check(seconds: duration, "--duration", zeroAllowed: false) }
        if let idleTimeout { try Self.check(seconds: idleTimeout, "--idle-timeout", zeroAllowed: false) }
        _ = try selectedPorts()
    }

    /// The largest --mbufs: 2^24 - 1 mbufs of about 2.2 KiB each hold 36 GiB.
    static let maximumMbufs = (1 << 24) - 1
    /// The longest time any option takes, in seconds (ten years).
    static let maximumSeconds = 315_360_000.0

    /// A time in seconds: a finite number from 0 (or just above it) to ``maximumSeconds``.
    static func check(seconds: Double, _ option: String, zeroAllowed: Bool) throws {
        guard seconds.isFinite, seconds <= maximumSeconds, zeroAllowed ? seconds >= 0 : seconds > 0 else {
            throw ValidationError("\(option) must be a number of seconds, \(zeroAllowed ? "0" : "more than 0") to "
                + "\(Int(maximumSeconds)), got \(seconds)")
        }
    }

    /// The `--ports` list, or nil for every port.
    func selectedPorts() throws -> [UInt16]? {
        guard let ports else { return nil }
        var ids: [UInt16] = []
        for item in ports.split(separator: ",", omittingEmptySubsequences: false) {
            guard let id = UInt16(item.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--ports: '\(item)' is not a port id (expected a list such as 0,1)")
            }
            guard !ids.contains(id) else { throw ValidationError("--ports: port \(id) is listed twice") }
            ids.append(id)
        }
        return ids
    }
}
