import CDPDK
import Pipeline
import Foundation

/// The DPDK Environment Abstraction Layer: initialised once, from the part of the command
/// line before `--`.
enum EAL {
    /// Initialises the EAL with `arguments` (program name first) and returns the
    /// application arguments: whatever follows the EAL options and their `--`.
    static func initialize(_ arguments: [String]) throws -> [String] {
        guard let rest = initializeEAL(arguments) else {
            // Some failures set no rte_errno ("Success"): the EAL's own line above says why.
            let code = cdpdk_errno()
            let cause = code != 0 ? dpdkError(code) : "see the EAL's message above"
            throw SetupError("EAL initialisation failed: \(cause) (check the EAL options before '--': lcores -l, "
                + "devices --vdev/-a, --no-huge; a process already running with the same --file-prefix holds "
                + "its lock: give each process its own --file-prefix, or use --in-memory)")
        }
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

    /// Removes this process's runtime folder (`/var/run/dpdk/PREFIX`) and its files, right after
    /// initialisation, for a process that shares memory with no other (explain, the fuzz
    /// targets): `--in-memory`, which writes none, cannot be combined with `--no-huge`. The files
    /// are only opened by secondary processes, which such a process never has.
    static func removeRuntimeDirectory() {
        let folder = String(cString: cdpdk_runtime_dir())
        guard folder.hasPrefix("/"), let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for file in files { unlink(folder + "/" + file) }
        rmdir(folder)
    }
}
