import CDPDK

/// One forwarding lcore: its receive streams, its tx queue index on every port, its
/// engine and its counters, all set up before packets flow (l3fwd's `lcore_conf`).
public final class Worker<Engine: ForwardEngine>: @unchecked Sendable {
    public let lcore: UInt32
    public let streams: [RxStream]
    /// This worker's tx queue on every port (one tx queue per worker per port).
    public let txQueue: UInt16
    public let counters: LcoreCounters
    public var engine: Engine
    /// With `--stage-cycles`: the receive bursts' cycles and the packets they returned (the
    /// engine adds its own stages to the same block).
    public let stageCycles: StageCycles?
    private let burst: UnsafeMutablePointer<Mbuf?>

    public let burstSize: Int

    public init(lcore: UInt32, streams: [RxStream], txQueue: UInt16, burstSize: Int = maxBurst, engine: Engine,
                counters: LcoreCounters, stageCycles: StageCycles? = nil) {
        precondition(burstSize >= 1 && burstSize <= maxBurst, "burst size must be 1...\(maxBurst)")
        self.burstSize = burstSize
        self.lcore = lcore
        self.streams = streams
        self.txQueue = txQueue
        self.engine = engine
        self.counters = counters
        self.stageCycles = stageCycles
        burst = .allocate(capacity: maxBurst)
        burst.initialize(repeating: nil, count: maxBurst)
    }

    deinit { burst.deallocate() }

    /// The run-to-completion loop: poll every stream, hand each non-empty burst to the
    /// engine, until the stop flag is set; then let the engine drain.
    public func run() {
        let streams = self.streams
        let burst = self.burst
        let counters = self.counters
        let txQueue = self.txQueue
        let burstSize = self.burstSize
        let stageCycles = self.stageCycles
        var busy: UInt64 = 0
        var idle: UInt64 = 0
        while !stopRequested() {
            for stream in streams {
                let t0 = stageCycles != nil ? readTSC() : 0
                let n = rxBurst(port: stream.rxPort, queue: stream.rxQueue, burst, burstSize)
                if n == 0 {
                    idle &+= 1
                    continue
                }
                busy &+= 1
                if let stageCycles {
                    stageCycles.add(.rx, readTSC() &- t0)
                    stageCycles.packets[0] &+= UInt64(n)
                }
                engine.forward(burst, count: n, stream: stream, txQueue: txQueue, counters: counters)
            }
            engine.afterPoll(txQueue: txQueue, counters: counters)
            if (busy &+ idle) & 0x3ff == 0 {
                counters.polls[0] = busy
                counters.polls[1] = idle
            }
        }
        counters.polls[0] = busy
        counters.polls[1] = idle
        engine.drain(txQueue: txQueue, counters: counters)
    }
}
