import CDPDK
import Foundation
import Pipeline

/// Sums the per-lcore counter blocks and prints testpmd-style statistics.
struct Statistics {
    let ports: [Port]
    let counters: [LcoreCounters]
    /// The worker lcore of each counter block.
    var lcores: [UInt32] = []
    /// Governed mode: packets forwarded and dropped per scope.
    var governed: GovernState? = nil

    func port(_ id: UInt16) -> PortCounters {
        var sum = PortCounters()
        for c in counters { sum += c.ports[Int(id)] }
        return sum
    }

    func reason(_ code: UInt8) -> UInt64 {
        counters.reduce(0) { $0 &+ $1.reasons[Int(code)] }
    }

    func totalRx() -> UInt64 {
        ports.reduce(0) { $0 &+ port($1.id).rxPackets }
    }

    /// One periodic report: per-port packets and rates since the previous report.
    func printPeriodic(elapsed: Double, interval: Double, previous: inout [UInt16: PortCounters]) {
        var lines = ["---- port statistics at \(String(format: "%.1f", elapsed)) s ----"]
        for p in ports {
            let now = port(p.id)
            let before = previous[p.id] ?? PortCounters()
            let rxRate = Double(now.rxPackets &- before.rxPackets) / interval / 1e6
            let txRate = Double(now.txPackets &- before.txPackets) / interval / 1e6
            let hw = Ports.hardwareStats(p.id)
            lines.append("  port \(p.id) \(p.name.padded(12))" + String(format: " rx %12llu (%7.3f Mpps)  tx %12llu (%7.3f Mpps)  dropped %10llu  rx-missed %llu  tx-errors %llu",
                                now.rxPackets, rxRate, now.txPackets, txRate, now.dropped, hw.imissed, hw.oerrors))
            previous[p.id] = now
        }
        print(lines.joined(separator: "\n"))
        fflush(stdout)
    }
}

/// The final accounting of a run, printed at exit and optionally written as JSON.
struct FinalReport {
    struct PortLine: Codable {
        var id: UInt16
        var name: String
        var driver: String
        var rx: UInt64
        var forwarded: UInt64
        var dropped: UInt64
        var tx: UInt64
        var auditCopies: UInt64
        var txFull: UInt64
        var generated: UInt64
        var hwRxPackets: UInt64
        var hwTxPackets: UInt64
        var hwRxMissed: UInt64
        var hwRxErrors: UInt64
        var hwTxErrors: UInt64
        var hwRxNoMbuf: UInt64
    }
    struct Body: Codable {
        var mode: String
        var seconds: Double
        var ports: [PortLine]
        var reasons: [String: UInt64]
        var rx: UInt64
        var generated: UInt64
        var tx: UInt64
        var dropped: UInt64
        var auditCopies: UInt64
        /// Seconds from the first received packet to the last, the interval `rxMpps` is over.
        var activeSeconds: Double
        var rxMpps: Double
        var accountingOK: Bool
        var mempoolInUse: Int
        var mempoolSize: Int
        /// With --stage-cycles: TSC cycles per packet of each stage.
        var stageCyclesPerPacket: [String: Double]?
        var scopes: [ScopeLine]
        var lcores: [LcoreLine]
    }
    struct ScopeLine: Codable {
        var scope: UInt32
        var forwarded: UInt64
        var dropped: UInt64
    }
    struct LcoreLine: Codable {
        var lcore: UInt32
        var rx: UInt64
        var forwarded: UInt64
        var dropped: UInt64
        var busyPolls: UInt64
        var idlePolls: UInt64
    }
    var body: Body

    init(mode: String, seconds: Double, activeSeconds: Double, statistics: Statistics) {
        var lines: [PortLine] = []
        for p in statistics.ports {
            let c = statistics.port(p.id)
            let hw = Ports.hardwareStats(p.id)
            lines.append(PortLine(id: p.id, name: p.name, driver: p.driver, rx: c.rxPackets, forwarded: c.forwarded,
                                  dropped: c.dropped, tx: c.txPackets, auditCopies: c.auditCopies, txFull: c.txFull, generated: c.generated,
                                  hwRxPackets: hw.ipackets, hwTxPackets: hw.opackets, hwRxMissed: hw.imissed,
                                  hwRxErrors: hw.ierrors, hwTxErrors: hw.oerrors, hwRxNoMbuf: hw.rx_nombuf))
        }
        var reasons: [String: UInt64] = [:]
        for r in DropReason.allCases {
            reasons[r.name] = statistics.reason(r.rawValue)
        }
        let rx = lines.reduce(0) { $0 + $1.rx }
        let tx = lines.reduce(0) { $0 + $1.tx }
        let dropped = lines.reduce(0) { $0 + $1.dropped }
        let generated = lines.reduce(0) { $0 + $1.generated }
        let ok = rx + generated == tx + dropped && lines.allSatisfy { $0.rx + $0.generated == $0.forwarded + $0.dropped }
        body = Body(mode: mode, seconds: seconds, ports: lines, reasons: reasons, rx: rx, generated: generated, tx: tx, dropped: dropped,
                    auditCopies: lines.reduce(0) { $0 + $1.auditCopies },
                    activeSeconds: activeSeconds, rxMpps: activeSeconds > 0 ? Double(rx) / activeSeconds / 1e6 : 0, accountingOK: ok,
                    mempoolInUse: -1, mempoolSize: 0,
                    scopes: (statistics.governed?.scopeTotals() ?? []).map { ScopeLine(scope: $0.scope, forwarded: $0.forwarded, dropped: $0.dropped) },
                    lcores: zip(statistics.lcores, statistics.counters).map { lcore, c in
                        var sum = PortCounters()
                        for p in statistics.ports { sum += c.ports[Int(p.id)] }
                        return LcoreLine(lcore: lcore, rx: sum.rxPackets, forwarded: sum.forwarded, dropped: sum.dropped,
                                         busyPolls: c.polls[0], idlePolls: c.polls[1])
                    })
    }

    mutating func addStageCycles(_ blocks: [StageCycles]) {
        guard !blocks.isEmpty else { return }
        let packets = blocks.reduce(UInt64(0)) { $0 + $1.packets[0] }
        guard packets > 0 else { return }
        var perPacket: [String: Double] = [:]
        // Every stage the mode has (only rx outside govern mode).
        for stage in StageCycles.Stage.allCases {
            let total = blocks.reduce(UInt64(0)) { $0 + $1.cycles[stage.rawValue] }
            if total > 0 { perPacket[stage.name] = Double(total) / Double(packets) }
        }
        body.stageCyclesPerPacket = perPacket
    }

    func printed() -> String {
        var out = ["==== final statistics: \(body.mode) mode, \(String(format: "%.3f", body.seconds)) s ===="]
        out.append("  port name             rx           forwarded    dropped      tx           audit      hw-rx-missed")
        for p in body.ports {
            out.append("  \(String(p.id).padded(4)) \(p.name.padded(16))" + String(format: " %-12llu %-12llu %-12llu %-12llu %-10llu %llu", p.rx,
                              p.forwarded, p.dropped, p.tx, p.auditCopies, p.hwRxMissed))
        }
        let nonzero = body.reasons.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if nonzero.isEmpty {
            out.append("  drop reasons: none")
        } else {
            out.append("  drop reasons:")
            for (name, n) in nonzero { out.append("    \(name.padded(28)) \(n)") }
        }
        if !body.scopes.isEmpty {
            out.append("  per scope (packets whose policy was found): " + body.scopes.map {
                "scope \($0.scope): forwarded \($0.forwarded), dropped \($0.dropped)" }.joined(separator: "; "))
        }
        if body.lcores.count > 1 {
            out.append("  per lcore: " + body.lcores.map {
                "lcore \($0.lcore): rx \($0.rx), forwarded \($0.forwarded), dropped \($0.dropped)" }.joined(separator: "; "))
        }
        if body.activeSeconds >= 0.01 {
            out.append(String(format: "  rate: %.3f Mpps received over %.3f s of traffic", body.rxMpps, body.activeSeconds))
        } else {
            out.append("  rate: not measured (all packets arrived within a few milliseconds)")
        }
        if let stages = body.stageCyclesPerPacket {
            let order = StageCycles.Stage.allCases.map(\.name).filter { stages[$0] != nil }
            let total = stages.values.reduce(0, +)
            out.append("  cycles per packet: " + order.map { "\($0) " + String(format: "%.1f", stages[$0] ?? 0) }.joined(separator: ", ")
                       + String(format: "; total %.1f", total))
        }
        out.append("  accounting: rx \(body.rx)\(body.generated > 0 ? " + generated \(body.generated)" : "") == tx \(body.tx) + dropped \(body.dropped)\(body.auditCopies > 0 ? " (audit copies \(body.auditCopies) apart)" : ""): \(body.accountingOK ? "ok" : "MISMATCH")")
        let verdict = body.mempoolInUse == 0 ? "ok" : body.mempoolInUse > 0 ? "LEAK" : "DOUBLE FREE (more mbufs returned than taken)"
        out.append("  mempool: \(body.mempoolInUse) of \(body.mempoolSize) mbufs in use: \(verdict)")
        return out.joined(separator: "\n")
    }

    func write(json path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(body).write(to: URL(fileURLWithPath: path))
    }
}

extension String {
    /// Left-aligned in a column of `width` characters (never truncated).
    func padded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
