import Pipeline

extension PortTopology {
    /// The peer each port sends to, testpmd style. `ports` is the list in use, in order.
    func peers(of ports: [UInt16]) throws -> [UInt16: UInt16] {
        var peer: [UInt16: UInt16] = [:]
        switch self {
        case .paired:
            guard ports.count % 2 == 0 else {
                throw SetupError("--port-topology paired needs an even number of ports, have \(ports.count); use --port-topology loop or chained, or add a port")
            }
            for i in stride(from: 0, to: ports.count, by: 2) {
                peer[ports[i]] = ports[i + 1]
                peer[ports[i + 1]] = ports[i]
            }
        case .chained:
            for (i, p) in ports.enumerated() { peer[p] = ports[(i + 1) % ports.count] }
        case .loop:
            for p in ports { peer[p] = p }
        }
        return peer
    }
}

/// Assigns every (port, rx queue) to a worker, round robin, like testpmd's stream set-up.
func assignStreams(ports: [UInt16], rxQueues: Int, peers: [UInt16: UInt16], workers: Int) -> [[RxStream]] {
    var perWorker = Array(repeating: [RxStream](), count: workers)
    var next = 0
    for q in 0..<rxQueues {
        for p in ports {
            perWorker[next % workers].append(RxStream(rxPort: p, rxQueue: UInt16(q), txPort: peers[p] ?? p))
            next += 1
        }
    }
    return perWorker
}
