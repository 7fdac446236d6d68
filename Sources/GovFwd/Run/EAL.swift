import CDPDK
import Foundation

/// The DPDK Environment Abstraction Layer: initialised once, from the part of the command
/// line before `--`.
enum EAL {
    /// Initialises the EAL with `arguments` (program name first) and returns the
    /// application arguments: whatever follows the EAL options and their `--`.
    static func initialize(_ arguments: [String]) throws -> [String] {
        var cArgs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        let count = Int32(cArgs.count)
        let consumed = cArgs.withUnsafeMutableBufferPointer { cdpdk_eal_init(count, $0.baseAddress) }
        if consumed < 0 {
            let err = cdpdk_errno()
            throw SetupError("EAL initialisation failed: \(String(cString: cdpdk_strerror(err))) (check the EAL options before '--': lcores -l, devices --vdev/-a, --no-huge, --file-prefix)")
        }
        // rte_eal_init permutes argv so that the application arguments follow position `consumed`.
        var rest: [String] = []
        var i = Int(consumed) + 1
        while i < cArgs.count {
            if let p = cArgs[i] { rest.append(String(cString: p)) }
            i += 1
        }
        // The strings stay allocated: the EAL may keep pointers into argv.
        return rest
    }

    /// The enabled worker lcores (every lcore but the main one).
    static func workerLcores() -> [UInt32] {
        var lcores: [UInt32] = []
        var i = cdpdk_next_worker_lcore(UInt32.max)
        while i < cdpdk_max_lcore() {
            lcores.append(i)
            i = cdpdk_next_worker_lcore(i)
        }
        return lcores
    }

    static func cleanup() {
        _ = cdpdk_eal_cleanup()
    }
}
