import CDPDK

/// Hands a new ``GovernPipeline`` from the main lcore to one worker, and the worker's old
/// one back, without locks: the worker switches between two bursts, so no packet ever sees
/// two configurations, and the main lcore frees the old tables only once the worker has let
/// go of them (a quiescent-state hand-over, as RCU does it).
///
/// ```swift
/// handoff.offer(newPipeline)           // main lcore
/// // worker, between bursts: if let p = handoff.take() { handoff.retire(current); current = p }
/// if let old = handoff.collectRetired() { fold(old.policyCounters) }   // main lcore, later
/// ```
public final class PipelineHandoff: @unchecked Sendable {
    private let offered: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let retired: UnsafeMutablePointer<UnsafeMutableRawPointer?>

    public init() {
        offered = .allocate(capacity: 1)
        offered.initialize(to: nil)
        retired = .allocate(capacity: 1)
        retired.initialize(to: nil)
    }

    deinit {
        if let p = offered.pointee { Unmanaged<GovernPipeline>.fromOpaque(p).release() }
        if let p = retired.pointee { Unmanaged<GovernPipeline>.fromOpaque(p).release() }
        offered.deallocate()
        retired.deallocate()
    }

    /// Main lcore: offers `pipeline`; one not yet taken is replaced (and released).
    public func offer(_ pipeline: GovernPipeline) {
        let p = Unmanaged.passRetained(pipeline).toOpaque()
        if let old = cdpdk_ptr_exchange(offered, p) { Unmanaged<GovernPipeline>.fromOpaque(old).release() }
    }

    /// True while an offer waits for the worker.
    public var isPending: Bool { cdpdk_ptr_load(offered) != nil }

    /// Worker: the offered pipeline, if any.
    @inline(__always)
    public func take() -> GovernPipeline? {
        guard cdpdk_ptr_load(offered) != nil, let p = cdpdk_ptr_exchange(offered, nil) else { return nil }
        return Unmanaged<GovernPipeline>.fromOpaque(p).takeRetainedValue()
    }

    /// Worker: gives the replaced pipeline back to the main lcore.
    public func retire(_ pipeline: GovernPipeline) {
        let p = Unmanaged.passRetained(pipeline).toOpaque()
        if let old = cdpdk_ptr_exchange(retired, p) { Unmanaged<GovernPipeline>.fromOpaque(old).release() }
    }

    /// Main lcore: the pipeline a worker let go of, if any.
    public func collectRetired() -> GovernPipeline? {
        guard let p = cdpdk_ptr_exchange(retired, nil) else { return nil }
        return Unmanaged<GovernPipeline>.fromOpaque(p).takeRetainedValue()
    }
}
