import ArgumentParser
import CDPDK
import Foundation
import Pipeline

/// The `govfwd` command: everything `main.swift` does, in this library so that tests and fuzz
/// targets reach the configuration loader and the tools.
///
///     govfwd [EAL options] -- [application options]   forward packets (DPDK convention)
///     govfwd <tool> [options]                          mint, craft, explain, check-config
public enum GovFwdMain {
    /// Runs the command line `arguments` (program name first) and exits.
    public static func run(_ arguments: [String]) -> Never {
        if arguments.count > 1, let tool = Tools.named(arguments[1]) {
            Tools.run(tool, Array(arguments.dropFirst(2)))
        }
        if arguments.contains("-h") || arguments.contains("--help") {
            print(Help.text)
            exit(0)
        }
        if arguments.contains("--version") {
            // rte_version() is "DPDK 22.11.x"; the build target is Package.swift's GOVFWD_TARGET_CPU.
            print("govfwd \(Help.version) (\(String(cString: cdpdk_version())), built for \(gov_cpu_gate_enabled() == 1 ? "x86-64-v3" : "x86-64"))")
            exit(0)
        }

        // From here on SIGINT and SIGTERM only set the stop flag and SIGHUP only records a reload
        // request; a signal that arrives while the EAL and the ports come up is acted on once
        // forwarding starts (a stop then ends the run at once, cleanly).
        cdpdk_install_signal_handlers()

        let applicationArguments: [String]
        do {
            applicationArguments = try EAL.initialize(arguments)
        } catch {
            fail(error)
        }
        do {
            let options: RunOptions
            do {
                options = try RunOptions.parse(applicationArguments)
            } catch {
                throw SetupError(RunOptions.message(for: error) + " (see govfwd --help)")
            }
            let status = try ForwardingRun(options: options).run()
            EAL.cleanup()
            exit(status)
        } catch {
            EAL.cleanup()
            fail(error)
        }
    }

    /// Says what went wrong, scrubbed of anything that may be key material, and exits 1.
    static func fail(_ error: Error) -> Never {
        FileHandle.standardError.write(Data("govfwd: \(Redaction.scrub("\(error)"))\n".utf8))
        exit(1)
    }
}
