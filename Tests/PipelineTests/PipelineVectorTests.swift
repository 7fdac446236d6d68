import CDPDK
import XCTest
@testable import Pipeline

/// Every test vector through the governed pipeline itself (rte_hash tables, the stages,
/// real mbufs), not only through the parser and MAC: the engine's verdict must be the
/// vector's expected outcome. Each vector gets a node that entitles its authorities to
/// everything and has a policy for the packet's (scope, route class), so the outcome is
/// decided by the header checks, the keys, the clock and the revocation list alone.
final class PipelineVectorTests: XCTestCase {
    func testEveryVectorThroughThePipeline() throws {
        try XCTSkipUnless(TestEAL.ready, "EAL initialisation failed (needs root)")
        let pool = try XCTUnwrap(cdpdk_pktmbuf_pool_create("vector_pool", 255, 0, cdpdk_socket_id()))
        defer { cdpdk_mempool_free(pool) }
        let vectors = try GovVector.loadAll()
        XCTAssertGreaterThanOrEqual(vectors.count, 24)
        for v in vectors {
            let frame = v.frameBytes
            let probe = frame.withUnsafeBytes { GovParser(udpPort: v.udp_port).parse($0) }
            let authorities = v.authorities.map { a in
                AuthorityConfig(name: "a\(a.id)", authorityID: a.id,
                                keys: Dictionary(uniqueKeysWithValues: a.keys.map { ($0.epoch, KeyMaterial(bytes: HexBytes.decode($0.key)!)!) }),
                                scopes: .all, maxTrustLevel: 255, routeClasses: .all, maxLifetimeSeconds: a.max_lifetime)
            }
            let config = NodeConfig(
                settings: NodeSettings(udpPort: v.udp_port, clockSkewSeconds: v.skew),
                ports: [PortConfig(name: "in", device: .index(0), boundary: .internal),
                        PortConfig(name: "out", device: .index(1), boundary: .internal)],
                authorities: authorities,
                policies: [ScopePolicy(name: "p", scopeID: probe.header.scope.rawValue, routeClass: probe.header.routeClass.rawValue,
                                       action: .forward(egressPort: "out"))],
                revoked: v.revoked)
            let tables = try GovernTables(config: config, portID: { ["in": 0, "out": 1][$0] })
            let pipeline = try GovernPipeline(tables: tables)

            var burst: [Mbuf?] = [try XCTUnwrap(cdpdk_mbuf_alloc(pool))]
            let room = try XCTUnwrap(cdpdk_mbuf_append(burst[0]!, UInt16(frame.count)))
            frame.withUnsafeBytes { room.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
            burst.withUnsafeMutableBufferPointer {
                pipeline.decide($0.baseAddress!, count: 1, ingress: 0, now: UInt32(v.now), tsc: cdpdk_rdtsc(), stageCycles: nil)
            }
            let verdict = pipeline.verdicts[0]
            let outcome = verdict == 0 ? "accept" : (DropReason(rawValue: verdict)?.name ?? "code \(verdict)")
            XCTAssertEqual(outcome, v.expect, "\(v.name): \(v.description)")
            if verdict == 0 {
                XCTAssertEqual(pipeline.egress[0], 1, v.name)
                // Forwarded with hop_budget - 1, every other byte as it came (the MAC untouched).
                let out = [UInt8](UnsafeRawBufferPointer(start: mbufData(burst[0]!), count: mbufDataLength(burst[0]!)))
                let hop = probe.hopBudgetOffset
                XCTAssertEqual(out[hop], frame[hop] - 1, v.name)
                XCTAssertEqual(Array(out[probe.macOffset..<probe.macOffset + 16]), Array(frame[probe.macOffset..<probe.macOffset + 16]), v.name)
            }
            cdpdk_mbuf_free(burst[0]!)
        }
        XCTAssertEqual(cdpdk_mempool_in_use(pool), 0)
    }
}
