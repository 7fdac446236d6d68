import ArgumentParser
import Foundation
import Pipeline

/// The subcommands that run without the EAL: `govfwd <name> [options]`.
enum Tools {
    static let all: [(name: String, command: ParsableCommand.Type, summary: String)] = [
        ("explain", ExplainCommand.self, "say what the node would do with each packet of a capture, and why"),
        ("check-config", CheckConfigCommand.self, "validate a configuration file without starting anything"),
        ("mint", MintCommand.self, "the authority side: print a sealed governance header for given fields"),
        ("craft", CraftCommand.self, "write a pcap of governed traffic (valid, forged, expired, revoked, ...)"),
    ]

    static func named(_ name: String) -> ParsableCommand.Type? {
        all.first { $0.name == name }?.command
    }

    /// Runs `tool` with `arguments` and exits, as `ParsableCommand.main` does, but with every
    /// error message scrubbed of anything that may be key material (the argument parser
    /// repeats the values it refuses).
    static func run(_ tool: ParsableCommand.Type, _ arguments: [String]) -> Never {
        do {
            var command = try tool.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch {
            let code = tool.exitCode(for: error)
            let message = Redaction.scrub(tool.fullMessage(for: error))
            if code == .success {
                print(message)
            } else if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            exit(code.rawValue)
        }
    }
}

enum Help {
    static let version = "0.1.0"

    static var text: String {
        var s = """
        govfwd: a governed forwarding engine over DPDK.

        USAGE:
          govfwd [EAL options] -- [options]      forward packets between DPDK ports
          govfwd <tool> [options]                offline tools (see TOOLS)

        EAL OPTIONS (before '--'; the usual DPDK ones, most used):
          -l <list>            lcores: the first is the main lcore (statistics), the others forward, e.g. -l 0,1
          -a <pci>             use this PCI device (bound to vfio-pci or uio)
          --vdev <spec>        add a virtual device, e.g. net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap
                               net_null0, net_ring0, net_tap0,iface=gov0, net_af_packet0,iface=eth0,
                               net_virtio_user0,path=/tmp/vhost.sock
          --no-huge            run without hugepages (anonymous memory, -m megabytes)
          --in-memory          keep no runtime files (several processes at once)
          --file-prefix <p>    name runtime files apart for concurrent processes
          --log-level <l>      e.g. --log-level=*:warning

        
        """
        // ArgumentParser's own usage line names no real command here: the options follow '--'.
        let options = RunOptions.helpMessage(columns: 100).split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("OPTIONS:") }.dropFirst()
        s += "OPTIONS (after '--'):\n" + options.joined(separator: "\n")
        s += "\n\nTOOLS (no EAL options):\n"
        for tool in Tools.all {
            s += "  govfwd \(tool.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(tool.summary)\n"
        }
        s += """

        EXAMPLES:
          govfwd -l 0,1 --vdev=net_pcap0,rx_pcap=in.pcap --vdev=net_pcap1,tx_pcap=out.pcap -- \\
                 --config configs/two-port.yaml --stats-period 1 --idle-timeout 1
          govfwd -l 0,1 --no-huge --vdev=net_null0 --vdev=net_null1 -- --forward-mode io --duration 5
          govfwd <tool> --help                   each tool's own options

        EXIT STATUS: 0 after a clean run; 1 on a set-up error (one line on stderr names it);
        70 when the final accounting (rx == tx + dropped) or the mempool check (0 in use) fails.
        """
        return s
    }
}
