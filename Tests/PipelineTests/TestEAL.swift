import CDPDK
import Foundation

/// The EAL, initialised once for the whole test process (DPDK allows one initialisation per
/// process): one lcore, no PCI, ordinary memory, so tests run anywhere root can.
enum TestEAL {
    static let ready: Bool = {
        let arguments = ["pipeline-tests", "-l", "0", "--no-pci", "--no-huge", "-m", "256",
                         "--file-prefix", "pipeline-tests-\(getpid())", "--log-level", "*:error", "--no-telemetry"]
        var cArgs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        let rc = cArgs.withUnsafeMutableBufferPointer { cdpdk_eal_init(Int32(arguments.count), $0.baseAddress) }
        return rc >= 0
    }()
}
