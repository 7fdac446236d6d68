// libFuzzer target: the packet path (parse, verify, classify, act) over arbitrary frames,
// including mbuf chains made from the input.
//
// Input: byte 0 picks the ingress port of the fixture node, byte 1 the segment size of the
// chains (0: one segment up to the mbuf's room, else 64 + 8 * n bytes), then up to 32 frames,
// each a big-endian 16-bit length and that many bytes. Every input is one burst.
//
// Invariants, any breach of which traps (a finding):
// - every packet gets exactly one verdict: forwarded to a configured port, or one drop reason;
// - a packet the general parser drops at parse time gets that reason (an ungoverned one, its
//   port's action); one it accepts is forwarded or dropped by a later check;
// - what leaves stays within its frame: every mbuf passes rte_mbuf_check, and a forwarded
//   packet is no longer than its frame plus a pushed header;
// - after the burst is sent (an audit copy by reference, as the engine sends it) and freed,
//   the mempool's in-use count is back at its baseline. AddressSanitizer cannot see inside
//   DPDK's mempools; this can (it catches a segment freed twice).

import CDPDK
import Foundation
@testable import GovFwdCore
import Pipeline

/// The node under test, made on the first input.
final class Node {
    let pipeline: GovernPipeline
    let pool: Mempool
    let parser: GovParser
    let ports: [PortConfig]
    static let now: UInt32 = 1_800_000_000

    init() {
        let eal = ["fuzz", "-l", "0", "--no-pci", "--no-huge", "-m", "256", "--no-telemetry", "--no-shconf",
                   "--file-prefix", "govfwd-fuzz-\(getpid())", "--log-level", "*:error"]
        guard initializeEAL(eal) != nil else { fatalError("EAL: \(dpdkError(cdpdk_errno()))") }
        EAL.removeRuntimeDirectory()
        let file = ProcessInfo.processInfo.environment["GOVFWD_FUZZ_CONFIG"] ?? "Tests/GovFwdTests/Fixtures/governed.yaml"
        let config: NodeConfig
        do { config = try ConfigLoader.load(file: file) } catch { fatalError("\(file): \(error)") }
        ports = config.ports
        let ids = Dictionary(uniqueKeysWithValues: config.ports.enumerated().map { ($1.name, UInt16($0)) })
        do {
            pipeline = try GovernPipeline(tables: try GovernTables(config: config, portID: { ids[$0] }))
        } catch {
            fatalError("tables: \(error)")
        }
        parser = GovParser(udpPort: config.settings.udpPort)
        guard let pool = cdpdk_pktmbuf_pool_create("fuzz_pool", 4095, 0, cdpdk_socket_id()) else {
            fatalError("mempool: \(dpdkError(cdpdk_errno()))")
        }
        self.pool = pool
    }
}

nonisolated(unsafe) var node: Node?
nonisolated(unsafe) var burst = [Mbuf?](repeating: nil, count: maxBurst)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacketPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if node == nil { node = Node() }
    let node = node!
    guard size >= 2 else { return 0 }
    let ingress = UInt16(Int(data[0]) % node.ports.count)
    let segmentSize = data[1] == 0 ? 2048 : 64 + 8 * Int(data[1])
    var frames: [[UInt8]] = []
    var at = 2
    while frames.count < maxBurst, at + 2 <= size {
        let length = min(Int(data[at]) << 8 | Int(data[at + 1]), size - at - 2)
        frames.append(Array(UnsafeBufferPointer(start: data + at + 2, count: length)))
        at += 2 + length
    }
    guard !frames.isEmpty else { return 0 }

    let baseline = cdpdk_mempool_in_use_signed(node.pool)
    var readable: [Int] = []
    for (i, frame) in frames.enumerated() {
        guard let m = frame.withUnsafeBytes({ makeMbufChain($0, pool: node.pool, segmentSize: segmentSize) }) else {
            // More segments than the pool holds (a -max_len far above the seeds'): not a finding.
            for j in 0..<i { cdpdk_mbuf_free(burst[j]!) }
            return 0
        }
        burst[i] = m
        readable.append(mbufDataLength(m))
    }
    let count = frames.count
    burst.withUnsafeMutableBufferPointer {
        node.pipeline.decide($0.baseAddress!, count: count, ingress: ingress, now: Node.now, tsc: cdpdk_rdtsc(),
                             stageCycles: nil)
    }

    let p = node.pipeline
    let action = node.ports[Int(ingress)].ungoverned
    for i in 0..<count {
        let verdict = p.verdicts[i]
        guard let m = p.mbufs[i] else { fatalError("packet \(i): no mbuf after the burst") }
        var reason: UnsafePointer<CChar>?
        guard cdpdk_mbuf_check(m, &reason) == 0 else {
            fatalError("packet \(i): rte_mbuf_check: \(reason.map { String(cString: $0) } ?? "?")")
        }
        if verdict == 0 {
            guard Int(p.egress[i]) < node.ports.count else { fatalError("packet \(i): forwarded to port \(p.egress[i])") }
            guard mbufPacketLength(m) <= frames[i].count + GovWire.fixedLength else {
                fatalError("packet \(i): \(mbufPacketLength(m)) bytes out of a \(frames[i].count)-byte frame")
            }
        } else if DropReason(rawValue: verdict) == nil {
            fatalError("packet \(i): verdict \(verdict) is no drop reason")
        }
        // Against the general parser over the same bytes and segments.
        var general = ParsedPacket()
        frames[i].withUnsafeBytes {
            node.parser.parse($0.baseAddress!, readable: readable[i], length: $0.count, into: &general)
        }
        switch general.drop {
        case nil:
            guard verdict == 0 || verdict >= DropReason.unknownAuthority.rawValue else {
                fatalError("packet \(i): the general parser accepts it, the pipeline dropped it as \(verdict)")
            }
        case .notGoverned?:
            let expected: UInt8? = switch action {
            case .drop: DropReason.notGoverned.rawValue
            case .pass: 0
            case .push: nil
            }
            if let expected, verdict != expected {
                fatalError("packet \(i): ungoverned on a port that says \(action), verdict \(verdict)")
            }
        case let reason?:
            guard verdict == reason.rawValue else {
                fatalError("packet \(i): the general parser says \(reason.name), the pipeline \(verdict)")
            }
        }
    }
    // Sent as the engine sends (an audit copy shares the packet by reference), then freed.
    for i in 0..<count {
        let m = p.mbufs[i]!
        if p.verdicts[i] == 0 && p.flags[i].contains(.audit) {
            cdpdk_pktmbuf_refcnt_update(m, 1)
            cdpdk_mbuf_free(m)
        }
        cdpdk_mbuf_free(m)
    }
    let inUse = cdpdk_mempool_in_use_signed(node.pool)
    guard inUse == baseline else { fatalError("mempool: \(inUse) mbufs in use after the burst, \(baseline) before") }
    return 0
}
