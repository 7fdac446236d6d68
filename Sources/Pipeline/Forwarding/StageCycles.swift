/// `--stage-cycles`: TSC cycles spent in each stage, summed over bursts, per worker.
/// `rx` is the receive burst (timed by the worker, in every forwarding mode; only polls that
/// returned packets). `tx` is sending the decided burst (grouped by egress when it leaves by
/// several ports) and freeing the drops.
/// Off by default; when off the worker and the pipeline read no clock.
public final class StageCycles: @unchecked Sendable {
    public enum Stage: Int, CaseIterable, Sendable {
        case rx, parse, verify, classify, act, tx
        public var name: String { String(describing: self) }
    }

    public let cycles: UnsafeMutablePointer<UInt64>
    /// Packets that went through the stages.
    public let packets: UnsafeMutablePointer<UInt64>

    public init() {
        cycles = .allocate(capacity: Stage.allCases.count)
        cycles.initialize(repeating: 0, count: Stage.allCases.count)
        packets = .allocate(capacity: 1)
        packets.initialize(to: 0)
    }

    deinit {
        cycles.deallocate()
        packets.deallocate()
    }

    @inline(__always) public func add(_ stage: Stage, _ n: UInt64) { cycles[stage.rawValue] &+= n }
}
