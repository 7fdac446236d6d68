import CDPDK
import Foundation
import Pipeline

/// What the main lcore keeps of the governed mode: each worker's current pipeline, the
/// hand-offs used to replace them when the configuration is reloaded (SIGHUP), and the
/// per-scope counts of the pipelines that were replaced.
final class GovernState {
    struct ScopeTotal {
        var scope: UInt32
        var forwarded: UInt64
        var dropped: UInt64
    }

    let configPath: String
    /// The ports as started: a reload may change everything but these.
    let ports: [PortConfig]
    let portIDs: [String: UInt16]
    private(set) var current: [GovernPipeline]
    let handoffs: [PipelineHandoff]
    private var carried: [UInt32: (UInt64, UInt64)] = [:]

    init(config: NodeConfig, path: String, portIDs: [String: UInt16], workers: Int) throws {
        configPath = path
        ports = config.ports
        self.portIDs = portIDs
        let tables = try GovernTables(config: config, portID: { portIDs[$0] })
        current = try (0..<workers).map { _ in try GovernPipeline(tables: tables, workers: workers) }
        handoffs = (0..<workers).map { _ in PipelineHandoff() }
    }

    /// SIGHUP: read and validate the file again, build new tables and pipelines, and hand
    /// them to the workers. On any error the running tables stay and the error is logged.
    func reload() {
        do {
            let config = try ConfigLoader.load(file: configPath)
            let running = Set(ports.map { "\($0.name)=\($0.device)" })
            let wanted = Set(config.ports.map { "\($0.name)=\($0.device)" })
            guard running == wanted else {
                throw SetupError("\(configPath): the ports changed (running: \(running.sorted().joined(separator: ", ")); file: \(wanted.sorted().joined(separator: ", "))); adding, removing or moving ports needs a restart")
            }
            let tables = try GovernTables(config: config, portID: { self.portIDs[$0] })
            let next = try current.map { _ in try GovernPipeline(tables: tables, workers: current.count) }
            for (handoff, pipeline) in zip(handoffs, next) { handoff.offer(pipeline) }
            // Workers switch between bursts; wait for them so the statistics stay whole.
            let deadline = Date().addingTimeInterval(1)
            while handoffs.contains(where: \.isPending) && Date() < deadline { usleep(1000) }
            current = next
            collectRetired()
            log("SIGHUP: configuration reloaded from \(configPath): \(config.authorities.count) authorities, \(config.policies.count) scope policies, \(config.revoked.count) revoked capability ids, \(config.gatewaySelectors.count) gateway selectors")
        } catch {
            log("SIGHUP: configuration refused, the running tables are kept:\n\(error)")
        }
    }

    /// Takes back the pipelines the workers let go of, keeping their per-scope counts.
    func collectRetired() {
        for handoff in handoffs {
            if let old = handoff.collectRetired() { fold(old, into: &carried) }
        }
    }

    /// Packets forwarded and dropped per scope, once their scope policy was found.
    func scopeTotals() -> [ScopeTotal] {
        var sums = carried
        for p in current { fold(p, into: &sums) }
        return sums.keys.sorted().map { ScopeTotal(scope: $0, forwarded: sums[$0]!.0, dropped: sums[$0]!.1) }
    }

    private func fold(_ p: GovernPipeline, into sums: inout [UInt32: (UInt64, UInt64)]) {
        let table = p.tables.policies
        for (policy, position) in zip(table.policies, table.positions) {
            let old = sums[policy.scopeID] ?? (0, 0)
            sums[policy.scopeID] = (old.0 &+ p.policyCounters[2 * position], old.1 &+ p.policyCounters[2 * position + 1])
        }
    }
}
