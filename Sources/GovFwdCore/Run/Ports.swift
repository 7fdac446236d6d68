import CDPDK
import Foundation
import Pipeline

/// A port the EAL found, as the engine uses it.
struct Port {
    let id: UInt16
    let name: String
    let driver: String
    let socket: Int32
    let maxRxQueues: Int
    let maxTxQueues: Int
}

enum Ports {
    /// Every port the EAL probed (PCI devices bound to a DPDK driver, and --vdev devices),
    /// or those of `selected`, in the order given.
    static func discover(selected: [UInt16]?) throws -> [Port] {
        var found: [Port] = []
        var id = cdpdk_eth_next_port(0)
        while id < cdpdk_max_ethports() {
            found.append(try info(id))
            id = cdpdk_eth_next_port(id + 1)
        }
        if found.isEmpty {
            throw SetupError("no ports: the EAL found no device. Add one before '--', e.g. --vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap or --vdev=net_null0, or bind a NIC to vfio-pci")
        }
        guard let selected else { return found }
        return try selected.map { want in
            guard let port = found.first(where: { $0.id == want }) else {
                throw SetupError("--ports: port \(want) does not exist (the EAL found \(found.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")))")
            }
            return port
        }
    }

    /// The DPDK port id of a configured port's device.
    static func resolve(_ device: PortDevice, for name: String) throws -> UInt16 {
        switch device {
        case .index(let id):
            return id
        case .ethdevName(let ethdev):
            var id: UInt16 = 0
            guard cdpdk_port_by_name(ethdev, &id) == 0 else {
                throw SetupError("port \(name): no DPDK port named \(ethdev) (add it before '--', e.g. --vdev=\(ethdev),...)")
            }
            return id
        }
    }

    static func info(_ id: UInt16) throws -> Port {
        var raw = cdpdk_port_info()
        let rc = cdpdk_port_info(id, &raw)
        guard rc == 0 else { throw SetupError("port \(id): rte_eth_dev_info_get failed: \(dpdkError(-rc))") }
        let name = withUnsafeBytes(of: raw.name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        let driver = withUnsafeBytes(of: raw.driver) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        return Port(id: id, name: name, driver: driver, socket: raw.socket_id,
                    maxRxQueues: Int(raw.max_rx_queues), maxTxQueues: Int(raw.max_tx_queues))
    }

    /// Configures and starts one port with `rxQueues` receive and `txQueues` transmit queues.
    static func start(_ port: Port, rxQueues: Int, txQueues: Int, rxDescriptors: Int, txDescriptors: Int,
                      pool: Mempool, promiscuous: Bool) throws {
        guard rxQueues <= port.maxRxQueues else {
            throw SetupError("port \(port.id) (\(port.name)): \(rxQueues) rx queues requested, the \(port.driver) PMD allows \(port.maxRxQueues)")
        }
        guard txQueues <= port.maxTxQueues else {
            throw SetupError("port \(port.id) (\(port.name)): \(txQueues) tx queues needed (one per worker lcore), the \(port.driver) PMD allows \(port.maxTxQueues); use fewer lcores")
        }
        var step: UnsafePointer<CChar>? = nil
        let rc = cdpdk_port_setup(port.id, UInt16(rxQueues), UInt16(txQueues), UInt16(rxDescriptors),
                                  UInt16(txDescriptors), pool, &step)
        if rc != 0 {
            let what = step.map { String(cString: $0) } ?? "set-up"
            throw SetupError("port \(port.id) (\(port.name)): \(what) failed: \(dpdkError(-rc))")
        }
        if promiscuous {
            let prc = cdpdk_promiscuous_enable(port.id)
            if prc != 0 && prc != -ENOTSUP {
                log("port \(port.id) (\(port.name)): promiscuous mode not enabled: \(dpdkError(-prc))")
            }
        }
    }

    /// Waits up to `timeout` seconds for every link to be up, then reports each port's link.
    static func waitForLinks(_ ports: [Port], timeout: Double) {
        let deadline = Date().addingTimeInterval(timeout)
        var links: [cdpdk_link] = []
        repeat {
            links = ports.map { port in
                var link = cdpdk_link()
                _ = cdpdk_link_get(port.id, &link)
                return link
            }
            if links.allSatisfy(\.up) || Date() >= deadline { break }
            usleep(100_000)
        } while true
        for (port, link) in zip(ports, links) {
            if link.up {
                log("port \(port.id) (\(port.name), \(port.driver)): link up, \(link.speed) Mb/s, \(link.full_duplex ? "full" : "half") duplex")
            } else {
                log("port \(port.id) (\(port.name), \(port.driver)): link down after \(timeout) s; forwarding anyway")
            }
        }
    }

    /// Stops and closes every port; the PMDs free the mbufs their queues still hold.
    static func stopAndClose(_ ports: [Port]) {
        for port in ports {
            let rc = cdpdk_port_stop(port.id)
            if rc != 0 { log("port \(port.id) (\(port.name)): stop failed: \(dpdkError(-rc))") }
            _ = cdpdk_port_close(port.id)
        }
    }

    /// The PMD's counters of a port (rte_eth_stats_get).
    static func hardwareStats(_ id: UInt16) -> cdpdk_port_stats {
        var stats = cdpdk_port_stats()
        _ = cdpdk_port_stats(id, &stats)
        return stats
    }
}

/// Operational messages go to stderr so that stdout stays for statistics.
func log(_ message: String) {
    FileHandle.standardError.write(Data("govfwd: \(message)\n".utf8))
}
