import ArgumentParser
import CDPDK
import Foundation
import Pipeline

/// `govfwd explain`: runs the governed pipeline's own stage code offline over a capture and
/// says, packet by packet, what the node would do and why. No port is needed: the EAL runs
/// on one lcore without hugepages, packets are copied into mbufs, and the configured ports
/// stand for themselves.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say what the node would do with each packet of a capture, and why.",
        discussion: """
        Output, one line per packet: index, verdict (forward with the egress port, or drop), the reason, and the \
        governance fields. With --json, one object per line with index, verdict, reason (empty when forwarded), \
        egress, audit, edits, scope, authority, epoch, route_class, trust, constraints, expiry, capability_id.
        Exit status: 0, or 1 when the configuration or the capture cannot be read.
        """)

    @Option(help: ArgumentHelp("The node's YAML configuration.", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The capture to explain (classic pcap, Ethernet).", valueName: "file"))
    var pcap: String

    @Option(help: ArgumentHelp("The configured port the packets arrive on (default: the first port of the configuration).", valueName: "name"))
    var ingress: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Unix time (seconds) to check expiry against (default: now).", valueName: "unix"))
    var now: UInt32?

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: ArgumentHelp("Also write what would leave each port, as <port>.pcap files in this folder (audit copies included).", valueName: "dir"))
    var output: String?

    func run() throws {
        let config: NodeConfig
        do {
            config = try ConfigLoader.load(file: self.config)
        } catch {
            throw ExplainError("\(error)")
        }
        var reader = try PcapReader(path: pcap)
        let records = try reader.readAll()
        let ingressName = ingress ?? config.ports.first?.name ?? ""
        guard let ingressIndex = config.ports.firstIndex(where: { $0.name == ingressName }) else {
            throw ExplainError("--ingress \(ingressName): no such port in \(self.config) (ports: \(config.ports.map(\.name).joined(separator: ", ")))")
        }

        try ExplainEAL.start()
        // The configured ports stand for themselves: port i of the configuration is id i.
        let ids = Dictionary(uniqueKeysWithValues: config.ports.enumerated().map { ($1.name, UInt16($0)) })
        let tables = try GovernTables(config: config, portID: { ids[$0] })
        let pipeline = try GovernPipeline(tables: tables)
        guard let pool = cdpdk_pktmbuf_pool_create("explain_pool", 4095, 0, cdpdk_socket_id()) else {
            throw ExplainError("cannot create an mbuf pool: \(dpdkError(cdpdk_errno()))")
        }
        defer { cdpdk_mempool_free(pool) }
        let clock = now ?? UInt32(Date().timeIntervalSince1970)

        var writers: [UInt16: PcapWriter] = [:]
        if let output {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for (name, id) in ids { writers[id] = try PcapWriter(path: "\(output)/\(name).pcap") }
        }

        var burst = [Mbuf?](repeating: nil, count: maxBurst)
        var index = 0
        var start = 0
        while start < records.count {
            let n = min(maxBurst, records.count - start)
            for j in 0..<n {
                // Chained as the pcap PMD chains a frame larger than one mbuf.
                let bytes = records[start + j].data
                guard let m = bytes.withUnsafeBytes({ makeMbufChain($0, pool: pool) }) else {
                    throw ExplainError("mbuf pool exhausted")
                }
                burst[j] = m
            }
            burst.withUnsafeMutableBufferPointer {
                pipeline.decide($0.baseAddress!, count: n, ingress: UInt16(ingressIndex), now: clock, tsc: cdpdk_rdtsc(),
                                stageCycles: nil)
            }
            for j in 0..<n {
                let line = ExplainLine(pipeline: pipeline, at: j, index: index, portName: tables.ports.name)
                print(json ? line.json() : line.text())
                if pipeline.verdicts[j] == 0, let m = pipeline.mbufs[j] {
                    let frame = mbufBytes(m)
                    try writers[pipeline.egress[j]]?.write(frame, timestampNanoseconds: records[start + j].timestampNanoseconds)
                    if pipeline.flags[j].contains(.audit) {
                        try writers[pipeline.auditEgress[j]]?.write(frame, timestampNanoseconds: records[start + j].timestampNanoseconds)
                    }
                }
                cdpdk_mbuf_free(pipeline.mbufs[j]!)
                index += 1
            }
            start += n
        }
        for w in writers.values { try w.close() }
        fflush(stdout)
    }
}

/// One packet's explanation.
struct ExplainLine {
    var index: Int
    var forwarded: Bool
    var reason: String
    var egress: String
    var audit: String
    var edits: [String]
    var header: GovHeader?

    init(pipeline: GovernPipeline, at i: Int, index: Int, portName: (UInt16) -> String) {
        self.index = index
        forwarded = pipeline.verdicts[i] == 0
        reason = forwarded ? "" : (DropReason(rawValue: pipeline.verdicts[i])?.name ?? "code_\(pipeline.verdicts[i])")
        egress = forwarded ? portName(pipeline.egress[i]) : ""
        let flags = pipeline.flags[i]
        audit = forwarded && flags.contains(.audit) ? portName(pipeline.auditEgress[i]) : ""
        var edits: [String] = []
        if flags.contains(.passed) { edits.append("passed_ungoverned") }
        if flags.contains(.pushed) { edits.append("pushed") }
        if flags.contains(.stripped) { edits.append("stripped") }
        if forwarded && !flags.contains(.passed) && !flags.contains(.pushed) && !flags.contains(.stripped) {
            edits.append("hop_budget_decremented")
        }
        self.edits = edits
        let p = pipeline.parsed[i]
        // The fields are shown whenever the fixed header was read.
        header = p.govLength > 0 || p.drop == nil ? p.header : nil
    }

    func text() -> String {
        var s = "\(index)".padded(6) + (forwarded ? "forward \(egress)" : "drop    \(reason)").padded(34)
        if let h = header {
            s += "scope=\(h.scope) authority=\(h.authority) epoch=\(h.epoch) route_class=\(h.routeClass) trust=\(h.trust)"
            s += " constraints=0x\(String(h.constraints.rawValue, radix: 16)) expiry=\(h.expiry) capability=\(h.capability)"
        }
        if !audit.isEmpty { s += " audit->\(audit)" }
        if !edits.isEmpty { s += " [\(edits.joined(separator: ","))]" }
        return s
    }

    func json() -> String {
        var fields: [(String, String)] = [
            ("index", "\(index)"), ("verdict", quote(forwarded ? "forward" : "drop")), ("reason", quote(reason)),
            ("egress", quote(egress)), ("audit", quote(audit)), ("edits", "[" + edits.map(quote).joined(separator: ",") + "]"),
        ]
        if let h = header {
            fields += [("scope", "\(h.scope.rawValue)"), ("authority", "\(h.authority.rawValue)"), ("epoch", "\(h.epoch.rawValue)"),
                       ("route_class", "\(h.routeClass.rawValue)"), ("trust", "\(h.trust.rawValue)"),
                       ("constraints", "\(h.constraints.rawValue)"), ("expiry", "\(h.expiry)"),
                       ("capability_id", "\(h.capability.rawValue)"), ("hop_budget", "\(h.hopBudget)")]
        } else {
            fields += [("scope", "null"), ("authority", "null"), ("capability_id", "null")]
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private func quote(_ s: String) -> String { "\"\(s)\"" }
}

struct ExplainError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The EAL for offline tools: one lcore, no devices, no hugepages, quiet.
enum ExplainEAL {
    static func start() throws {
        let arguments = ["govfwd-explain", "-l", "0", "--no-pci", "--no-huge", "-m", "128", "--no-telemetry",
                         "--file-prefix", "govfwd-explain-\(getpid())", "--log-level", "*:error"]
        guard initializeEAL(arguments) != nil else { throw ExplainError("EAL initialisation failed: \(dpdkError(cdpdk_errno()))") }
        EAL.removeRuntimeDirectory()
    }
}
