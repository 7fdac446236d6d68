import CDPDK
import Foundation
import Pipeline

/// One forwarding run: ports up, workers launched, the main lcore watching and printing
/// statistics, then an orderly shutdown with the final accounting.
struct ForwardingRun {
    let options: RunOptions

    /// Exit status of a run whose accounting or mempool check failed.
    static let invariantFailure: Int32 = 70

    func run() throws -> Int32 {
        if options.forwardMode == .govern && options.config == nil {
            throw SetupError("--forward-mode govern needs --config FILE (or use --forward-mode io); see govfwd --help")
        }
        var templates: TxTemplates? = nil
        if options.forwardMode == .txonly {
            guard let path = options.txPcap else { throw SetupError("--forward-mode txonly needs --tx-pcap FILE (e.g. made by govfwd craft)") }
            var reader = try PcapReader(path: path)
            let frames = try reader.readAll().map(\.data).filter { $0.count <= 2048 }
            guard !frames.isEmpty, frames.count <= 65535 else {
                throw SetupError("--tx-pcap \(path): needs 1 to 65535 frames of at most 2048 bytes, has \(frames.count)")
            }
            templates = TxTemplates(frames: frames)
        }
        guard gov_cmac_cpu_supported() else { throw SetupError("this CPU has no AES-NI; GovFwd needs it for the governance MAC") }
        let workers = EAL.workerLcores()
        guard !workers.isEmpty else {
            throw SetupError("no worker lcore: give the EAL at least two lcores (e.g. -l 0,1); the main lcore prints statistics, workers forward")
        }
        var config: NodeConfig? = nil
        if options.forwardMode == .govern, let path = options.config {
            config = try ConfigLoader.load(file: path)
        }
        let ports: [Port]
        if let config {
            ports = try Ports.discover(selected: try config.ports.map { try Ports.resolve($0.device, for: $0.name) })
        } else {
            ports = try Ports.discover(selected: try options.selectedPorts())
        }
        let portIDs = ports.map(\.id)
        let peers = try (config == nil ? options.portTopology : .loop).peers(of: portIDs)
        let streams = assignStreams(ports: portIDs, rxQueues: options.rxQueues, peers: peers, workers: workers.count)
        let active = streams.enumerated().filter { !$0.element.isEmpty }
        if active.count < workers.count {
            log("\(workers.count) worker lcores but only \(ports.count * options.rxQueues) rx queues: \(workers.count - active.count) lcores stay idle")
        }

        // Pool: every descriptor of every queue, plus each lcore's cache and a burst in flight.
        let txQueues = workers.count
        let cache = min(options.mbufCache, Int(cdpdk_mempool_cache_max()))
        let perPort = options.rxQueues * options.rxDescriptors + txQueues * options.txDescriptors
        let needed = ports.count * perPort + (workers.count + 1) * (options.burst + cache) + 1024
        let poolSize = options.mbufs ?? max(needed, 8191)
        let pool = try "govfwd_mbuf_pool".withCString { name -> Mempool in
            guard let pool = cdpdk_pktmbuf_pool_create(name, UInt32(poolSize), UInt32(cache), cdpdk_socket_id()) else {
                throw SetupError("cannot create the mbuf pool (\(poolSize) mbufs of \(cdpdk_mbuf_default_buf_size()) bytes): \(dpdkError(cdpdk_errno())); reserve more hugepages, use --no-huge, or lower --mbufs/--rxd/--txd")
            }
            return pool
        }
        defer { cdpdk_mempool_free(pool) }

        // Tables and workers before any port starts: a configuration that cannot be built is
        // refused while nothing runs yet.
        var governed: GovernState? = nil
        if let config, let path = options.config {
            let ids = Dictionary(uniqueKeysWithValues: zip(config.ports.map(\.name), portIDs))
            governed = try GovernState(config: config, path: path, portIDs: ids, workers: workers.count)
        }
        let stageCycles = workers.map { _ in options.stageCycles ? StageCycles() : nil }
        let counters = workers.map { _ in LcoreCounters() }
        let bodies = try workers.enumerated().map { i, lcore in
            try makeWorker(index: i, lcore: lcore, streams: streams[i], counters: counters[i], governed: governed,
                           stageCycles: stageCycles[i], templates: templates, pool: pool)
        }

        var started: [Port] = []
        do {
            for port in ports {
                try Ports.start(port, rxQueues: options.rxQueues, txQueues: txQueues, rxDescriptors: options.rxDescriptors,
                                txDescriptors: options.txDescriptors, pool: pool, promiscuous: !options.noPromiscuous)
                started.append(port)
            }
        } catch {
            Ports.stopAndClose(started)
            throw error
        }
        Ports.waitForLinks(ports, timeout: options.linkTimeout)

        let statistics = Statistics(ports: ports, counters: counters, lcores: workers, governed: governed)
        log("forwarding in \(options.forwardMode.rawValue) mode, \(config == nil ? "topology \(options.portTopology.rawValue)" : "egress by policy"), \(ports.count) ports, \(workers.count) worker lcores, pool of \(poolSize) mbufs; Ctrl-C stops")

        var launcher = LcoreLauncher()
        let start = Date()
        do {
            for (lcore, body) in zip(workers, bodies) { try launcher.launch(on: lcore, body) }
        } catch {
            requestStop()
            launcher.waitAll()
            Ports.stopAndClose(ports)
            throw error
        }

        let traffic = watch(statistics: statistics, start: start, governed: governed)
        launcher.waitAll()
        governed?.collectRetired()
        let seconds = Date().timeIntervalSince(start)
        if cdpdk_stop_signal() != 0 { log("signal \(cdpdk_stop_signal()) received, stopped") }

        let activeSeconds = traffic.first.map { traffic.last.timeIntervalSince($0) } ?? 0
        var report = FinalReport(mode: options.forwardMode.rawValue, seconds: seconds, activeSeconds: activeSeconds, statistics: statistics)
        report.addStageCycles(stageCycles.compactMap { $0 })
        Ports.stopAndClose(ports)
        // Not clamped at 0: a double free shows as a negative count.
        report.body.mempoolInUse = cdpdk_mempool_in_use_signed(pool)
        report.body.mempoolSize = poolSize
        print(report.printed())
        fflush(stdout)
        if let path = options.statsFile { try report.write(json: path) }
        return report.body.accountingOK && report.body.mempoolInUse == 0 ? 0 : Self.invariantFailure
    }

    /// Builds the worker for the chosen mode; each mode is its own specialisation.
    private func makeWorker(index: Int, lcore: UInt32, streams: [RxStream], counters: LcoreCounters,
                            governed: GovernState?, stageCycles: StageCycles?,
                            templates: TxTemplates?, pool: Mempool) throws -> () -> Void {
        let txQueue = UInt16(index)
        func worker<E: ForwardEngine>(_ engine: E) -> () -> Void {
            let w = Worker(lcore: lcore, streams: streams, txQueue: txQueue, burstSize: options.burst, engine: engine,
                           counters: counters, stageCycles: stageCycles)
            return { w.run() }
        }
        switch options.forwardMode {
        case .macswap:
            return worker(MacSwapEngine())
        case .rxonly:
            return worker(RxOnlyEngine())
        case .txonly:
            var ports: [UInt16] = []
            for s in streams where !ports.contains(s.txPort) { ports.append(s.txPort) }
            return worker(TxOnlyEngine(templates: templates!, pool: pool, ports: ports, burstSize: options.burst))
        case .govern:
            return worker(GovernEngine(pipeline: governed!.current[index], clock: UnixClock(fixed: options.now),
                                       stageCycles: stageCycles, handoff: governed!.handoffs[index]))
        case .io:
            return worker(IOEngine())
        }
    }

    /// The main lcore's loop: stop conditions and periodic statistics, until the stop flag.
    /// Returns when packets were first and last seen arriving (to the millisecond).
    private func watch(statistics: Statistics, start: Date, governed: GovernState?) -> (first: Date?, last: Date) {
        var first: Date? = nil
        var previous: [UInt16: PortCounters] = [:]
        var lastReport = start
        var lastRx: UInt64 = 0
        var lastChange = start
        while !stopRequested() {
            usleep(1000)
            let now = Date()
            let rx = statistics.totalRx()
            if rx != lastRx {
                if lastRx == 0 { first = now }
                lastRx = rx
                lastChange = now
            }
            if cdpdk_take_reload_request() {
                if let governed {
                    governed.reload()
                } else {
                    log("SIGHUP ignored: \(options.forwardMode.rawValue) mode has no configuration to reload")
                }
            }
            governed?.collectRetired()
            if let max = options.maxPackets, rx >= max {
                log("received \(rx) packets (--max-packets \(max)), stopping")
                requestStop()
            } else if let duration = options.duration, now.timeIntervalSince(start) >= duration {
                requestStop()
            } else if let idle = options.idleTimeout, now.timeIntervalSince(lastChange) >= idle {
                log("no packet for \(idle) s (--idle-timeout), stopping")
                requestStop()
            }
            if options.statsPeriod > 0, now.timeIntervalSince(lastReport) >= options.statsPeriod {
                statistics.printPeriodic(elapsed: now.timeIntervalSince(start), interval: now.timeIntervalSince(lastReport),
                                         previous: &previous)
                lastReport = now
            }
        }
        return (first, lastChange)
    }
}
