import CDPDK
import Pipeline
import Foundation

/// The EAL, initialised once for the whole test process (DPDK allows one initialisation per
/// process): one lcore, no PCI, ordinary memory, so tests run anywhere root can.
enum TestEAL {
    static let ready: Bool = {
        let arguments = ["pipeline-tests", "-l", "0", "--no-pci", "--no-huge", "-m", "256",
                         "--file-prefix", "pipeline-tests-\(getpid())", "--log-level", "*:error", "--no-telemetry"]
        return initializeEAL(arguments) != nil
    }()
}
